#include "auth/authorization_session.h"

namespace dds::auth {

bool AuthorizationSession::HasAnyPrivilegeOnDatabase(std::string_view db) const {
  for (const Privilege& p : privileges_) {
    if (p.actions.empty()) continue;
    switch (p.resource.match_type()) {
      case MatchType::kAny:
        return true;
      case MatchType::kAnyNormal:
        if (IsNormalDatabase(db)) return true;
        break;
      case MatchType::kDatabase:
      case MatchType::kExactNamespace:
        if (p.resource.db() == db) return true;
        break;
      case MatchType::kCollectionName:
      case MatchType::kCluster:
        break;
    }
  }
  return false;
}

bool AuthorizationSession::HasAnyPrivilegeOnNamespace(std::string_view db,
                                                      std::string_view coll) const {
  ResourceTarget target = ResourceTarget::Namespace(db, coll);
  for (const Privilege& p : privileges_) {
    if (!p.actions.empty() && p.resource.Covers(target)) return true;
  }
  return false;
}

}  // namespace dds::auth
