#include "notifier/manager.h"

namespace strata::notifier {

struct Manager::State {
  Options options;
};

StatusOr<std::unique_ptr<Manager>> Manager::Create(Options options) {
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  return std::unique_ptr<Manager>(new Manager(std::move(state)));
}
Manager::Manager(std::unique_ptr<State> state) : state_(std::move(state)) {}
Manager::~Manager() { Stop(); }
Status Manager::ApplyConfig(Options) { return Status::OK(); }
void Manager::Send(std::vector<Alert>) {}
std::vector<std::string> Manager::ActiveAlertmanagers() const { return {}; }
Stats Manager::GetStats() const { return {}; }
void Manager::Stop() {}

}  // namespace strata::notifier
