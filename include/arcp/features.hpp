// §6.2 feature flags and their negotiation (intersection of hello and welcome).
#pragma once

#include <arcp/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {

namespace feature {
inline constexpr std::string_view kHeartbeat = "heartbeat";
inline constexpr std::string_view kAck = "ack";
inline constexpr std::string_view kListJobs = "list_jobs";
inline constexpr std::string_view kSubscribe = "subscribe";
inline constexpr std::string_view kLeaseExpiresAt = "lease_expires_at";
inline constexpr std::string_view kCostBudget = "cost.budget";
inline constexpr std::string_view kModelUse = "model.use";
inline constexpr std::string_view kProvisionedCredentials = "provisioned_credentials";
inline constexpr std::string_view kProgress = "progress";
inline constexpr std::string_view kResultChunk = "result_chunk";
inline constexpr std::string_view kAgentVersions = "agent_versions";
/// Vendor extension (rfc-0001 §16 artifacts, `x-vendor.arcp.artifact.*`); not a v1.1 flag.
inline constexpr std::string_view kArtifacts = "artifacts";
}  // namespace feature

/// The 11 v1.1 feature flags, in the spec's order.
const std::vector<std::string>& all_features();

/// A negotiated (or advertised) feature set.
class FeatureSet {
 public:
  FeatureSet() = default;
  FeatureSet(std::initializer_list<std::string_view> names);
  static FeatureSet from_json(const json::array& names);  // non-strings ignored

  bool has(std::string_view name) const { return names_.count(std::string(name)) != 0; }
  void add(std::string_view name) { names_.emplace(name); }
  FeatureSet intersect(const FeatureSet& other) const;
  json::array to_json() const;  // spec order for known flags, then the rest sorted
  bool empty() const { return names_.empty(); }

 private:
  std::set<std::string> names_;
};

}  // namespace arcp
