#include "rules/manager.h"

namespace strata::rules {

class Manager::GroupRunner {};
class Manager::StaleMarker {};

Manager::Manager(ManagerOptions options) : options_(std::move(options)) {}
Manager::~Manager() { Stop(); }

strata::Status Manager::Update(
    const std::vector<std::pair<std::string, RuleFile>>&, ManagerOptions) {
  return Status::NotSupported("not yet");
}

std::vector<GroupStatus> Manager::Groups() const { return {}; }

void Manager::Stop() {}

}  // namespace strata::rules
