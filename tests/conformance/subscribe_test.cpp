// U01–U07: job.subscribe — authorisation, history in the subscriber's own
// seq space, the authority descriptor, no cancel authority, unsubscribe,
// finished jobs, audit (§7.6, §7.7, §14).
#include <gtest/gtest.h>

#include <mutex>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

const json::array kSubscribeFeatures{"subscribe", "lease_expires_at"};

struct AuditLog {
  std::mutex mu;
  std::vector<json::object> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      auto v = parse_json(line);
      std::lock_guard lock(mu);
      if (v && v->is_object()) lines.push_back(v->get_object());
    };
  }
};

RuntimeOptions audited(AuditLog& log) {
  RuntimeOptions o = default_runtime_options();
  o.audit_log = log.sink();
  return o;
}

class SubscribeTest : public ::testing::Test {
 protected:
  SubscribeTest() : rt(audited(audit)) {
    EXPECT_TRUE(rt.runtime().register_agent("gate", gate.handler()));
  }
  AuditLog audit;
  TestRuntime rt;
  Gate gate;
};

TEST_F(SubscribeTest, ConformanceU01_SamePrincipalAllowedOthersDeniedUnknownNotFound) {
  auto owner = rt.connect_memory("alice-token");
  auto job = owner->submit({.agent = "gate", .input = json::object{{"steps", 1}}});
  ASSERT_TRUE(job);

  auto alice2 = rt.connect_memory("alice-token");
  EXPECT_TRUE(alice2->subscribe(job->job_id()));

  // Another principal's job is invisible: the answer is the one for a job
  // that does not exist, so a guessed id is never confirmed (§14).
  auto bob = rt.connect_memory("bob-token");
  auto denied = bob->subscribe(job->job_id());
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kJobNotFound);
  EXPECT_EQ(denied.error().message, "job not found");

  auto missing = alice2->subscribe("job_01JNOSUCHJOB0000000000000");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kJobNotFound);
  gate.release(1);
  EXPECT_TRUE(job->result());
}

TEST_F(SubscribeTest, ConformanceU02_HistoryIsRenumberedAndMeetsLiveEventsWithoutDuplicates) {
  auto owner = rt.connect_memory();
  auto job = owner->submit({.agent = "gate", .input = json::object{{"steps", 6}}});
  gate.release(3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(job->next_event(kWait));

  RawPeer watcher(rt.memory_connection());
  ASSERT_TRUE(watcher.handshake("alice-token", kSubscribeFeatures));
  // Events keep coming while the subscription is set up: none may be lost
  // or doubled where history meets the live stream.
  gate.release(1);
  watcher.send("job.subscribe",
               json::object{{"job_id", job->job_id()}, {"from_event_seq", 1}, {"history", true}});
  gate.release(2);
  auto sub = watcher.next_of("job.subscribed");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->payload.at("subscribed_from"), 1);
  EXPECT_EQ(sub->payload.at("replayed"), true);
  std::vector<std::string> messages;
  std::vector<std::int64_t> seqs;
  for (;;) {
    auto env = watcher.next();
    ASSERT_TRUE(env);
    ASSERT_EQ(env->job_id, job->job_id());
    seqs.push_back(*env->event_seq);
    if (env->type == "job.result") break;
    messages.push_back(std::string(env->payload.at("body").at("message").as_string()));
  }
  // Steps 2..6 (after the owner's seq 1), then the result — in the
  // watcher's own seq space, starting at 1.
  EXPECT_EQ(messages, (std::vector<std::string>{"step 2", "step 3", "step 4", "step 5", "step 6"}));
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(SubscribeTest, ConformanceU03_SubscribedCarriesTheAuthorityDescriptor) {
  auto owner = rt.connect_memory();
  std::string expires = format_rfc3339(std::chrono::system_clock::now() + std::chrono::hours(1));
  auto job = owner->submit({.agent = "gate",
                            .input = json::object{{"steps", 2}},
                            .lease_request = json::object{{"fs.read", json::array{"/data/**"}}},
                            .lease_constraints = json::object{{"expires_at", expires}}});
  ASSERT_TRUE(job) << job.error().describe();
  gate.release(1);
  ASSERT_TRUE(job->next_event(kWait));  // step 1 seen: the job is running, not queued
  RawPeer watcher(rt.memory_connection());
  ASSERT_TRUE(watcher.handshake("alice-token", kSubscribeFeatures));
  watcher.send("job.subscribe", json::object{{"job_id", job->job_id()}});
  auto sub = watcher.next_of("job.subscribed");
  ASSERT_TRUE(sub);
  const auto& p = sub->payload;
  EXPECT_EQ(p.at("job_id"), json::value(job->job_id()));
  EXPECT_EQ(p.at("current_status"), "running");
  EXPECT_EQ(p.at("agent"), "gate@1.0.0");
  EXPECT_EQ(json::serialize(p.at("lease")), R"({"fs.read":["/data/**"]})");
  EXPECT_EQ(p.at("lease_constraints").at("expires_at"), json::value(expires));
  EXPECT_EQ(p.at("trace_id"), json::value(job->accepted().trace_id));
  EXPECT_TRUE(p.at("parent_job_id").is_null());
  EXPECT_EQ(p.at("replayed"), false);
  EXPECT_FALSE(p.contains("credentials"));  // never for observers (§14)
  gate.release(2);
  EXPECT_TRUE(job->result());
}

TEST_F(SubscribeTest, ConformanceU04_SubscriptionCarriesNoCancelAuthority) {
  auto owner = rt.connect_memory();
  auto job = owner->submit({.agent = "gate", .input = json::object{{"steps", 1}}});
  auto watcher = rt.connect_memory();
  auto watched = watcher->subscribe(job->job_id());
  ASSERT_TRUE(watched);
  auto local = watched->cancel();  // the handle refuses locally…
  ASSERT_FALSE(local);
  EXPECT_EQ(local.error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(watcher->cancel(job->job_id()));  // …and the runtime refuses on the wire
  auto err = watcher->next_session_error(kWait);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(is_terminal(job->status()));  // pending or running: not cancelled
  gate.release(1);
  EXPECT_TRUE(job->result());
  EXPECT_TRUE(watched->result());  // the watcher sees the end too
}

TEST_F(SubscribeTest, ConformanceU05_UnsubscribeStopsTheFlow) {
  auto owner = rt.connect_memory();
  auto job = owner->submit({.agent = "gate", .input = json::object{{"steps", 3}}});
  RawPeer watcher(rt.memory_connection());
  ASSERT_TRUE(watcher.handshake("alice-token", kSubscribeFeatures));
  watcher.send("job.subscribe", json::object{{"job_id", job->job_id()}});
  ASSERT_TRUE(watcher.next_of("job.subscribed"));
  gate.release(1);
  ASSERT_TRUE(watcher.next_of("job.event"));
  watcher.send("job.unsubscribe", json::object{{"job_id", job->job_id()}});
  watcher.send("session.ping", json::object{{"nonce", "barrier"}, {"sent_at", now_rfc3339()}});
  ASSERT_TRUE(watcher.next_of("session.pong"));
  gate.release(2);
  ASSERT_TRUE(job->result());  // the job went on to the end…
  watcher.send("session.ping", json::object{{"nonce", "after"}, {"sent_at", now_rfc3339()}});
  auto next = watcher.next();  // …but nothing of it reached the watcher
  ASSERT_TRUE(next);
  EXPECT_EQ(next->type, "session.pong");
}

TEST_F(SubscribeTest, ConformanceU06_FinishedJobsCanBeSubscribedWithHistory) {
  auto owner = rt.connect_memory();
  auto job = owner->submit({.agent = "chatty", .input = json::object{{"n", 4}}});
  ASSERT_TRUE(job->result());
  auto watcher = rt.connect_memory();
  auto watched = watcher->subscribe(job->job_id(), {.history = true});
  ASSERT_TRUE(watched);
  auto events = drain_events(*watched);
  EXPECT_EQ(events.size(), 4U);
  auto r = watched->result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().at("emitted"), 4);
  // Without history the handle ends at once with the job's final status.
  auto plain = watcher->subscribe(job->job_id());
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status(), JobStatus::kSuccess);
}

TEST_F(SubscribeTest, ConformanceU07_EverySubscribeDecisionIsAudited) {
  auto owner = rt.connect_memory();
  auto job = owner->submit({.agent = "echo"});
  ASSERT_TRUE(job->result());
  ASSERT_TRUE(rt.connect_memory("alice-token")->subscribe(job->job_id()));
  ASSERT_FALSE(rt.connect_memory("bob-token")->subscribe(job->job_id()));
  ASSERT_FALSE(rt.connect_memory("bob-token")->subscribe("job_missing"));
  std::lock_guard lock(audit.mu);
  ASSERT_EQ(audit.lines.size(), 3U);
  EXPECT_EQ(audit.lines[0].at("decision"), "allow");
  EXPECT_EQ(audit.lines[0].at("subscriber"), "alice");
  EXPECT_EQ(audit.lines[0].at("job_principal"), "alice");
  EXPECT_EQ(audit.lines[0].at("job_id"), json::value(job->job_id()));
  EXPECT_EQ(audit.lines[1].at("decision"), "deny");
  EXPECT_EQ(audit.lines[1].at("subscriber"), "bob");
  EXPECT_EQ(audit.lines[1].at("reason"), "policy");
  EXPECT_EQ(audit.lines[2].at("decision"), "deny");
  EXPECT_EQ(audit.lines[2].at("reason"), "not_found");
  for (const auto& line : audit.lines) {
    EXPECT_TRUE(line.contains("ts"));
    EXPECT_TRUE(line.contains("session_id"));
    EXPECT_EQ(json::serialize(line).find("token"), std::string::npos);  // no secrets
  }
}

}  // namespace
}  // namespace arcp::test
