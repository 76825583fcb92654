#include "relabel/relabel.h"

namespace strata::relabel {

struct Relabeler::Compiled {
  std::vector<Config> configs;
};

StatusOr<Action> ParseAction(std::string_view text) {
  return Status::InvalidArgument(text);
}
std::string_view ActionName(Action) { return ""; }
Status Validate(const Config&) { return Status::OK(); }

Relabeler::Relabeler() : compiled_(std::make_shared<Compiled>()) {}
Relabeler::Relabeler(std::shared_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}
Relabeler::~Relabeler() = default;
Relabeler::Relabeler(const Relabeler&) = default;
Relabeler& Relabeler::operator=(const Relabeler&) = default;
Relabeler::Relabeler(Relabeler&&) noexcept = default;
Relabeler& Relabeler::operator=(Relabeler&&) noexcept = default;

StatusOr<Relabeler> Relabeler::Compile(std::vector<Config> configs) {
  auto c = std::make_shared<Compiled>();
  c->configs = std::move(configs);
  return Relabeler(std::move(c));
}
bool Relabeler::Process(Labels*) const { return true; }
const std::vector<Config>& Relabeler::configs() const {
  return compiled_->configs;
}
bool Relabeler::empty() const { return compiled_->configs.empty(); }

}  // namespace strata::relabel
