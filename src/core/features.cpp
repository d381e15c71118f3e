#include <algorithm>
#include <arcp/features.hpp>

namespace arcp {

const std::vector<std::string>& all_features() {
  // Never destroyed: a transport thread still closing its session at process
  // exit persists the session's features after static destructors have run
  // (TSan saw the race).
  static const auto* const kAll = new std::vector<std::string>{
      "heartbeat",        "ack",          "list_jobs",     "subscribe",
      "lease_expires_at", "cost.budget",  "model.use",     "provisioned_credentials",
      "progress",         "result_chunk", "agent_versions"};
  return *kAll;
}

FeatureSet::FeatureSet(std::initializer_list<std::string_view> names) {
  for (auto n : names) names_.emplace(n);
}

FeatureSet FeatureSet::from_json(const json::array& names) {
  FeatureSet s;
  for (const auto& v : names)
    if (v.is_string()) s.names_.emplace(v.get_string());
  return s;
}

FeatureSet FeatureSet::intersect(const FeatureSet& other) const {
  FeatureSet out;
  std::set_intersection(names_.begin(), names_.end(), other.names_.begin(), other.names_.end(),
                        std::inserter(out.names_, out.names_.end()));
  return out;
}

json::array FeatureSet::to_json() const {
  json::array out;
  for (const auto& f : all_features())
    if (has(f)) out.emplace_back(f);
  for (const auto& n : names_)
    if (std::find(all_features().begin(), all_features().end(), n) == all_features().end())
      out.emplace_back(n);
  return out;
}

}  // namespace arcp
