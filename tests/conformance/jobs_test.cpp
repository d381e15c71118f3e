// J01–J08: submission, resolution, idempotency, timeouts, caps, failures.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

class Jobs : public ::testing::Test {
 protected:
  TestRuntime rt;
};

TEST_F(Jobs, ConformanceJ01_HappyPathAcceptedEventsResult) {
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "chatty", .input = json::object{{"n", 5}, {"kind", "log"}}});
  ASSERT_TRUE(job);
  EXPECT_EQ(job->job_id().rfind("job_", 0), 0U);
  EXPECT_EQ(job->accepted().agent, "chatty@1.0.0");
  EXPECT_EQ(job->accepted().trace_id.size(), 32U);
  auto events = drain_events(*job);
  ASSERT_EQ(events.size(), 5U);
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].kind, "log");
    EXPECT_EQ(events[i].event_seq, static_cast<std::int64_t>(i + 1));
  }
  auto result = job->result();
  ASSERT_TRUE(result);
  EXPECT_EQ(result.value().at("emitted"), 5);
  EXPECT_EQ(job->status(), JobStatus::kSuccess);
}

TEST_F(Jobs, ConformanceJ02_UnknownAgentRejectedBeforeAcceptance) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  std::string id = peer.send("job.submit", json::object{{"agent", "no-such-agent"}});
  auto err = peer.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->type, "session.error");  // never a job.accepted, never a job id
  EXPECT_EQ(err->payload.at("code"), "AGENT_NOT_AVAILABLE");
  EXPECT_EQ(err->payload.at("details").at("request_id"), json::value(id));
  EXPECT_TRUE(err->job_id.empty());
  // No seq was consumed: the next job's first event is seq 1.
  peer.send("job.submit", json::object{{"agent", "chatty"}, {"input", json::object{{"n", 1}}}});
  auto ev = peer.next_of("job.event");
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->event_seq, 1);
}

TEST_F(Jobs, ConformanceJ03_VersionPinningAndDefaults) {
  auto client = rt.connect_memory();
  auto pinned = client->submit({.agent = "versioned@1.0.0", .input = "x"});
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->accepted().agent, "versioned@1.0.0");
  EXPECT_EQ(pinned->result().value().at("version"), "1.0.0");
  auto bare = client->submit({.agent = "versioned"});
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->accepted().agent, "versioned@2.0.0");
  EXPECT_EQ(bare->result().value().at("version"), "2.0.0");
  auto missing = client->submit({.agent = "versioned@3.0.0"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kAgentVersionNotAvailable);
  auto bad = client->submit({.agent = "Bad Name"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidRequest);
}

TEST_F(Jobs, ConformanceJ04_IdempotentResubmitReturnsSameAcceptedAcrossConnections) {
  auto first = rt.connect_memory();
  SubmitOptions so{.agent = "echo", .input = json::object{{"k", 1}}, .idempotency_key = "idem-1"};
  auto a = first->submit(so);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->result());
  // After the job ended, on another connection of the same principal.
  auto second = rt.connect_memory();
  auto b = second->submit(so);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->job_id(), a->job_id());
  EXPECT_EQ(b->accepted().accepted_at, a->accepted().accepted_at);
  auto replayed = b->result();  // terminal event replayed into the new session
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed.value().at("k"), 1);
  // Another principal with the same key gets its own job.
  auto bob = rt.connect_memory("bob-token");
  auto c = bob->submit(so);
  ASSERT_TRUE(c);
  EXPECT_NE(c->job_id(), a->job_id());
}

TEST_F(Jobs, ConformanceJ05_SameKeyDifferentParamsIsDuplicateKey) {
  auto client = rt.connect_memory();
  ASSERT_TRUE(client->submit({.agent = "echo", .input = 1, .idempotency_key = "idem-2"}));
  auto other_input = client->submit({.agent = "echo", .input = 2, .idempotency_key = "idem-2"});
  ASSERT_FALSE(other_input);
  EXPECT_EQ(other_input.error().code, ErrorCode::kDuplicateKey);
  auto other_agent = client->submit({.agent = "chatty", .input = 1, .idempotency_key = "idem-2"});
  ASSERT_FALSE(other_agent);
  EXPECT_EQ(other_agent.error().code, ErrorCode::kDuplicateKey);
}

TEST_F(Jobs, ConformanceJ06_MaxRuntimeEndsWithTimeout) {
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "slow",
                             .input = json::object{{"ms", 60000}, {"tick_ms", 50}},
                             .max_runtime_sec = 1});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(job->status(), JobStatus::kTimedOut);
}

TEST_F(Jobs, ConformanceJ07_ConcurrentJobCapIsInternalError) {
  RuntimeOptions o = default_runtime_options();
  o.max_concurrent_jobs_per_session = 2;
  TestRuntime capped(o);
  auto client = capped.connect_memory();
  SubmitOptions slow{.agent = "slow", .input = json::object{{"ms", 30000}}};
  auto a = client->submit(slow);
  auto b = client->submit(slow);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  auto c = client->submit(slow);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kInternalError);
  EXPECT_TRUE(c.error().retryable);
  ASSERT_TRUE(a->cancel());
  ASSERT_FALSE(a->result());  // slot freed once the job ended
  EXPECT_TRUE(client->submit({.agent = "echo"}));
  ASSERT_TRUE(b->cancel());
}

TEST_F(Jobs, ConformanceJ08_AgentErrorsAndThrowsBecomeJobError) {
  auto client = rt.connect_memory();
  auto failing =
      client->submit({.agent = "failing",
                      .input = json::object{{"code", "PERMISSION_DENIED"}, {"message", "nope"}}});
  ASSERT_TRUE(failing);
  auto r = failing->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().message, "nope");
  EXPECT_EQ(failing->status(), JobStatus::kError);

  ASSERT_TRUE(rt.runtime().register_agent(
      "thrower", [](JobContext&) -> Result<json::value> { throw std::runtime_error("kaboom"); }));
  auto thrown = client->submit({.agent = "thrower"});
  ASSERT_TRUE(thrown);
  auto t = thrown->result();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInternalError);
  EXPECT_TRUE(t.error().retryable);
  // The session survives a failing agent.
  EXPECT_TRUE(client->submit({.agent = "echo"})->result());
}

TEST_F(Jobs, TraceIdFromTraceparentIsAdoptedAndStamped) {
  auto client = rt.connect_memory();
  auto job =
      client->submit({.agent = "chatty",
                      .input = json::object{{"n", 1}},
                      .trace_id = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"});
  ASSERT_TRUE(job);
  EXPECT_EQ(job->accepted().trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_F(Jobs, LeaseExpiryEndsJobWithLeaseExpired) {
  auto client = rt.connect_memory();
  auto expires = format_rfc3339(std::chrono::system_clock::now() + std::chrono::milliseconds(400));
  auto job = client->submit({.agent = "slow",
                             .input = json::object{{"ms", 30000}},
                             .lease_request = json::object{{"fs.read", json::array{"/tmp/**"}}},
                             .lease_constraints = json::object{{"expires_at", expires}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->accepted().lease_constraints);
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kLeaseExpired);
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(job->status(), JobStatus::kError);
}

}  // namespace
}  // namespace arcp::test
