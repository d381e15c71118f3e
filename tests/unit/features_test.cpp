// §6.2 feature flags and negotiation by intersection.
#include <gtest/gtest.h>

#include <arcp/features.hpp>
#include <string>
#include <vector>

namespace arcp {
namespace {

std::vector<std::string> names(const json::array& a) {
  std::vector<std::string> out;
  for (const auto& v : a) out.emplace_back(v.as_string());
  return out;
}

TEST(Features, AllFeaturesAreTheElevenV11FlagsInSpecOrder) {
  const std::vector<std::string> expected{
      "heartbeat",        "ack",          "list_jobs",     "subscribe",
      "lease_expires_at", "cost.budget",  "model.use",     "provisioned_credentials",
      "progress",         "result_chunk", "agent_versions"};
  EXPECT_EQ(all_features(), expected);
  EXPECT_EQ(feature::kHeartbeat, "heartbeat");
  EXPECT_EQ(feature::kCostBudget, "cost.budget");
  EXPECT_EQ(feature::kProvisionedCredentials, "provisioned_credentials");
  EXPECT_EQ(feature::kAgentVersions, "agent_versions");
}

TEST(Features, ConformanceA03_IntersectionKeepsOnlyFeaturesBothSidesHave) {
  FeatureSet client{"heartbeat", "ack", "progress", "x-vendor.zip"};
  FeatureSet runtime{"heartbeat", "progress", "subscribe", "x-vendor.zip"};
  FeatureSet both = client.intersect(runtime);
  EXPECT_TRUE(both.has("heartbeat"));
  EXPECT_TRUE(both.has("progress"));
  EXPECT_TRUE(both.has("x-vendor.zip"));
  EXPECT_FALSE(both.has("ack"));        // client only
  EXPECT_FALSE(both.has("subscribe"));  // runtime only
  EXPECT_EQ(names(both.to_json()),
            (std::vector<std::string>{"heartbeat", "progress", "x-vendor.zip"}));
  // Symmetric.
  EXPECT_EQ(names(runtime.intersect(client).to_json()), names(both.to_json()));
}

TEST(Features, ConformanceA03_DisjointOrEmptySetsIntersectToNothing) {
  FeatureSet a{"ack"};
  FeatureSet b{"heartbeat"};
  EXPECT_TRUE(a.intersect(b).empty());
  EXPECT_TRUE(a.intersect(FeatureSet{}).empty());
  EXPECT_TRUE(FeatureSet{}.intersect(a).empty());
  EXPECT_TRUE(a.intersect(b).to_json().empty());
}

TEST(Features, ToJsonListsKnownFlagsInSpecOrderThenOthersSorted) {
  FeatureSet s{"x-vendor.b", "agent_versions", "zeta", "ack", "x-vendor.a", "heartbeat"};
  EXPECT_EQ(names(s.to_json()), (std::vector<std::string>{"heartbeat", "ack", "agent_versions",
                                                          "x-vendor.a", "x-vendor.b", "zeta"}));
}

TEST(Features, FromJsonIgnoresNonStringsAndDuplicates) {
  json::array a{"ack", 1, nullptr, json::object{}, "ack", "progress", true};
  FeatureSet s = FeatureSet::from_json(a);
  EXPECT_TRUE(s.has("ack"));
  EXPECT_TRUE(s.has("progress"));
  EXPECT_EQ(names(s.to_json()), (std::vector<std::string>{"ack", "progress"}));
}

TEST(Features, FlagsAreCaseSensitiveAndExact) {
  FeatureSet s{"progress"};
  EXPECT_FALSE(s.has("Progress"));
  EXPECT_FALSE(s.has("progres"));
  EXPECT_FALSE(s.has(""));
  s.add("Progress");
  EXPECT_TRUE(s.has("Progress"));
}

TEST(Features, FullSetRoundTripsThroughJson) {
  FeatureSet all;
  for (const auto& f : all_features()) all.add(f);
  EXPECT_EQ(names(FeatureSet::from_json(all.to_json()).to_json()), all_features());
}

}  // namespace
}  // namespace arcp
