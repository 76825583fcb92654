#include "db/damage_log.h"

#include "util/log.h"
#include "util/strings.h"

namespace strata {

void DamageLog::OnDamage(const Damage& damage) {
  Note(damage.kind, damage.block, damage.series,
       std::string(damage.error.message()), "query");
}

bool DamageLog::Note(CorruptionKind kind, const std::string& block,
                     const std::string& where, const std::string& what,
                     const char* found_by) {
  {
    MutexLock lock(&mu_);
    if (!seen_.insert(Cat(CorruptionKindName(kind), "|", block, "|", where))
             .second) {
      return false;
    }
    ++counts_[static_cast<size_t>(kind)];
  }
  STRATA_LOG(kError, "damaged data in a block; skipped by queries",
             {{"kind", std::string(CorruptionKindName(kind))},
              {"block", block},
              {"series", where},
              {"found_by", found_by},
              {"err", what}});
  return true;
}

int64_t DamageLog::Count(CorruptionKind kind) const {
  MutexLock lock(&mu_);
  return counts_[static_cast<size_t>(kind)];
}

}  // namespace strata
