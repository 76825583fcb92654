#include "query/damage_recorder.h"

#include <algorithm>

#include "util/strings.h"

namespace strata {

void DamageRecorder::Record(const Damage& damage) {
  std::string warning =
      Cat("block ", damage.block, ": damaged ", CorruptionKindName(damage.kind),
          " data of ", damage.series, " skipped");
  {
    MutexLock lock(&mu_);
    if (std::find(warnings_.begin(), warnings_.end(), warning) !=
        warnings_.end()) {
      return;  // Read again by the same query: told once.
    }
    warnings_.push_back(std::move(warning));
  }
  if (listener_) listener_->OnDamage(damage);
}

std::vector<std::string> DamageRecorder::Warnings() const {
  MutexLock lock(&mu_);
  return warnings_;
}

bool DamageContext::Skip(CorruptionKind kind, const Status& error) const {
  if (recorder == nullptr || !error.IsCorruption()) return false;
  recorder->Record({kind, block != nullptr ? block->Name() : "",
                    labels != nullptr ? labels->ToString() : "", error});
  return true;
}

}  // namespace strata
