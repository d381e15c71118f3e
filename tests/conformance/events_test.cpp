// E01–E04: event kinds on the wire and session-wide sequencing.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>
#include <set>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

class Events : public ::testing::Test {
 protected:
  TestRuntime rt;
};

TEST_F(Events, ConformanceE01_EveryReservedKindReachesTheClientWithItsShape) {
  std::vector<std::string> refusals;
  ASSERT_TRUE(
      rt.runtime().register_agent("all-kinds", [&refusals](JobContext& ctx) -> Result<json::value> {
        (void)ctx.log("info", "hello");
        (void)ctx.thought("thinking");
        (void)ctx.tool_call("search.web", json::object{{"q", "arcp"}}, "call_1");
        (void)ctx.tool_result("call_1", json::array{"hit"});
        (void)ctx.tool_error("call_2", Error(ErrorCode::kPermissionDenied, "denied"));
        (void)ctx.status("working", "halfway");
        (void)ctx.metric("tokens", 42, "count", json::object{{"model", "m1"}});
        (void)ctx.artifact_ref("arcp://a/1", "text/plain", 10, std::string(64, 'a'));
        (void)ctx.progress(1, 2, "steps", "one");
        // Malformed bodies are refused at the boundary and never sent.
        for (auto r :
             {ctx.emit("log", json::object{{"level", "info"}}),
              ctx.emit("metric", json::object{{"name", "x"}, {"value", "not a number"}}),
              ctx.emit("tool_result", json::object{{"call_id", "c"}}),
              ctx.emit("artifact_ref",
                       json::object{{"uri", "u"}, {"content_type", "t"}, {"byte_size", -1}}),
              ctx.emit("no_such_kind", json::object{})})
          if (!r) refusals.push_back(std::string(to_string(r.error().code)));
        return json::value(nullptr);
      }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "all-kinds"});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  std::vector<std::string> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"log", "thought", "tool_call", "tool_result", "tool_result",
                                      "status", "metric", "artifact_ref", "progress"}));
  EXPECT_EQ(events[4].body.at("error").at("code"), "PERMISSION_DENIED");
  EXPECT_EQ(events[6].body.at("dimensions").at("model"), "m1");
  EXPECT_EQ(events[6].body.at("value"), 42);
  EXPECT_EQ(refusals, std::vector<std::string>(5, "INVALID_REQUEST"));
  for (const auto& e : events) EXPECT_FALSE(e.ts.empty());
}

TEST_F(Events, ConformanceE02_ProgressBoundsAndNegotiation) {
  std::vector<std::string> outcomes;
  ASSERT_TRUE(rt.runtime().register_agent(
      "progress-bounds", [&outcomes](JobContext& ctx) -> Result<json::value> {
        for (auto r : {ctx.progress(-1), ctx.progress(5, 3), ctx.progress(0), ctx.progress(3, 3)})
          outcomes.push_back(r ? "ok" : std::string(to_string(r.error().code)));
        return json::value(nullptr);
      }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "progress-bounds"});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"INVALID_REQUEST", "INVALID_REQUEST", "ok", "ok"}));
  EXPECT_EQ(events.size(), 2U);

  outcomes.clear();
  ClientOptions no_progress;
  no_progress.features = FeatureSet{feature::kAgentVersions};
  auto plain = rt.connect_memory("alice-token", no_progress);
  auto job2 = plain->submit({.agent = "progress-bounds"});
  ASSERT_TRUE(job2);
  EXPECT_TRUE(drain_events(*job2).empty());
  EXPECT_EQ(outcomes, std::vector<std::string>(4, "INVALID_REQUEST"));
}

TEST_F(Events, ConformanceE03_VendorKindsPassThroughUntouched) {
  ASSERT_TRUE(rt.runtime().register_agent("vendor", [](JobContext& ctx) -> Result<json::value> {
    if (auto r = ctx.emit("x-vendor.acme.trace",
                          json::object{{"weird", json::array{1, "two", nullptr}}, {"n", 1.5}});
        !r)
      return r.error();
    return json::value(nullptr);
  }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "vendor"});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].kind, "x-vendor.acme.trace");
  EXPECT_EQ(events[0].body, (json::object{{"weird", json::array{1, "two", nullptr}}, {"n", 1.5}}));
}

TEST_F(Events, ConformanceE04_SeqMonotonicGapFreeAcrossConcurrentJobs) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  constexpr int kJobs = 6;
  constexpr int kPerJob = 300;
  for (int i = 0; i < kJobs; ++i)
    peer.send("job.submit",
              json::object{{"agent", "chatty"},
                           {"input", json::object{{"n", kPerJob}, {"kind", "mixed"}}}});
  std::int64_t expected = 1;
  int terminals = 0;
  std::map<std::string, int> per_job;
  while (terminals < kJobs) {
    auto env = peer.next();
    ASSERT_TRUE(env);
    if (env->type == "job.accepted") {
      EXPECT_FALSE(env->event_seq.has_value());
      continue;
    }
    ASSERT_TRUE(env->event_seq.has_value()) << env->type;
    EXPECT_EQ(*env->event_seq, expected++);
    if (env->type == "job.event") ++per_job[env->job_id];
    if (env->type == "job.result") ++terminals;
  }
  EXPECT_EQ(per_job.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, n] : per_job) EXPECT_EQ(n, kPerJob) << id;
  EXPECT_EQ(expected - 1, kJobs * (kPerJob + 1));
}

}  // namespace
}  // namespace arcp::test
