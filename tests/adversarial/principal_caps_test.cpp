// Found in adversarial testing: one principal opened 8 sessions with 260
// `slow` jobs each, and another principal's `echo` got no result for over
// 70 s. Per-principal caps on attached sessions and unfinished jobs refuse
// the flood with a coded error naming the cap; other principals, and the
// flooding principal's existing sessions, are untouched.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

TEST(PrincipalCaps, AHelloBeyondTheSessionCapIsRefusedAndOthersAreUntouched) {
  RuntimeOptions o = default_runtime_options();
  o.max_sessions_per_principal = 2;
  TestRuntime rt(o);
  RawPeer first(rt.memory_connection());
  RawPeer second(rt.memory_connection());
  ASSERT_TRUE(first.handshake("alice-token"));
  ASSERT_TRUE(second.handshake("alice-token"));

  RawPeer third(rt.memory_connection());
  third.send("session.hello",
             json::object{{"client", {{"name", "t"}, {"version", "1"}}},
                          {"auth", {{"scheme", "bearer"}, {"token", "alice-token"}}}});
  auto refused = third.next();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->type, "session.error");
  EXPECT_EQ(refused->payload.at("code").as_string(), "INTERNAL_ERROR");
  EXPECT_EQ(refused->payload.at("retryable").as_bool(), true);
  EXPECT_NE(std::string(refused->payload.at("message").as_string()).find("2 attached sessions"),
            std::string::npos);
  EXPECT_EQ(refused->payload.at("details").at("limit").as_string(), "max_sessions_per_principal");
  EXPECT_TRUE(third.wait_closed());

  // Another principal, and alice's open sessions, carry on.
  RawPeer bob(rt.memory_connection());
  ASSERT_TRUE(bob.handshake("bob-token"));
  first.send("job.submit", json::object{{"agent", "echo"}, {"input", {{"n", 1}}}});
  ASSERT_TRUE(first.next_of("job.result"));

  // A slot frees when one of alice's connections closes.
  second.send("session.close", json::object{});
  ASSERT_TRUE(second.wait_closed());
  EXPECT_TRUE(eventually([&] {
    RawPeer again(rt.memory_connection());
    return again.handshake("alice-token").has_value();
  }));
}

TEST(PrincipalCaps, ConformanceJ07_SubmitsBeyondTheSessionAndPrincipalJobCapsAreRefused) {
  RuntimeOptions o = default_runtime_options();
  o.max_concurrent_jobs_per_session = 2;
  o.max_concurrent_jobs_per_principal = 3;
  TestRuntime rt(o);
  RawPeer a1(rt.memory_connection());
  RawPeer a2(rt.memory_connection());
  RawPeer bob(rt.memory_connection());
  ASSERT_TRUE(a1.handshake("alice-token"));
  ASSERT_TRUE(a2.handshake("alice-token"));
  ASSERT_TRUE(bob.handshake("bob-token"));
  json::object slow{{"agent", "slow"}, {"input", {{"ms", 600000}}}};
  auto limit_of = [](const Envelope& e) {
    return std::string(e.payload.at("details").at("limit").as_string());
  };

  std::vector<std::string> a1_jobs;
  for (int i = 0; i < 2; ++i) {
    a1.send("job.submit", slow);
    auto acc = a1.next_of("job.accepted");
    ASSERT_TRUE(acc);
    a1_jobs.push_back(acc->job_id);
  }
  a1.send("job.submit", slow);
  auto per_session = a1.next_of("session.error");
  ASSERT_TRUE(per_session);
  EXPECT_EQ(limit_of(*per_session), "max_concurrent_jobs_per_session");
  EXPECT_NE(std::string(per_session->payload.at("message").as_string()).find("2 per session"),
            std::string::npos);

  a2.send("job.submit", slow);
  ASSERT_TRUE(a2.next_of("job.accepted"));
  a2.send("job.submit", slow);
  auto per_principal = a2.next_of("session.error");
  ASSERT_TRUE(per_principal);
  EXPECT_EQ(per_principal->payload.at("code").as_string(), "INTERNAL_ERROR");
  EXPECT_EQ(limit_of(*per_principal), "max_concurrent_jobs_per_principal");
  EXPECT_NE(std::string(per_principal->payload.at("message").as_string()).find("3 per principal"),
            std::string::npos);

  // bob is not held back by alice's jobs.
  bob.send("job.submit", json::object{{"agent", "echo"}, {"input", {{"from", "bob"}}}});
  auto echoed = bob.next_of("job.result");
  ASSERT_TRUE(echoed);

  // When one of alice's jobs ends, her other session may submit again.
  a1.send("job.cancel", json::object{{"job_id", a1_jobs[0]}});
  ASSERT_TRUE(a1.next_of("job.error"));
  a2.send("job.submit", slow);
  ASSERT_TRUE(a2.next_of("job.accepted"));
}

TEST(PrincipalCaps, AFloodOfWaitingJobsFromOnePrincipalDoesNotDelayAnother) {
  // The adversarial run's shape, scaled down: alice fills her cap with slow
  // jobs over several sessions; bob's echo answers at once.
  RuntimeOptions o = default_runtime_options();
  o.max_concurrent_jobs_per_principal = 400;
  TestRuntime rt(o);
  std::vector<std::shared_ptr<Client>> alice;
  std::size_t accepted = 0;
  std::size_t refused = 0;
  std::vector<JobHandle> jobs;
  for (int s = 0; s < 4; ++s) {
    alice.push_back(rt.connect_memory("alice-token"));
    for (int j = 0; j < 120; ++j) {
      auto job = alice.back()->submit({.agent = "slow", .input = json::object{{"ms", 600000}}});
      if (job) {
        ++accepted;
        jobs.push_back(std::move(job.value()));
      } else {
        ++refused;
        EXPECT_EQ(job.error().code, ErrorCode::kInternalError);
      }
    }
  }
  EXPECT_EQ(accepted, 400U);
  EXPECT_EQ(refused, 80U);
  auto bob = rt.connect_memory("bob-token");
  auto echo = bob->submit({.agent = "echo", .input = json::object{{"x", 1}}});
  ASSERT_TRUE(echo);
  auto r = echo->result(kWait);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(rt.runtime().stats().jobs, 400U);
}

TEST(PrincipalCaps, SessionsKeptForResumeAreCappedPerPrincipalOldestIdleForgottenFirst) {
  // Connect-and-drop in a loop must not grow memory: each principal keeps
  // at most max_retained_sessions_per_principal sessions for resume.
  RuntimeOptions o = default_runtime_options();
  o.max_retained_sessions_per_principal = 2;
  TestRuntime rt(o);
  struct Kept {
    std::string id;
    std::string token;
  };
  auto open_and_drop = [&](bool with_running_job) {
    RawPeer peer(rt.memory_connection());
    auto w = peer.handshake("alice-token");
    EXPECT_TRUE(w);
    if (with_running_job) {
      peer.send("job.submit", json::object{{"agent", "slow"}, {"input", {{"ms", 600000}}}});
      EXPECT_TRUE(peer.next_of("job.accepted"));
    }
    Kept k{peer.session_id, std::string(w->payload.at("resume_token").as_string())};
    peer.send("session.close", json::object{});
    EXPECT_TRUE(peer.wait_closed());
    return k;
  };
  auto resumable = [&](const Kept& k) {
    RawPeer peer(rt.memory_connection());
    peer.send("session.hello", resume_hello("alice-token", k.id, k.token, 0));
    auto reply = peer.next();
    return reply && reply->type == "session.welcome";
  };
  Kept busy = open_and_drop(/*with_running_job=*/true);
  Kept idle = open_and_drop(false);
  // At the cap: the idle one is forgotten to make room, the busy one stays.
  Kept newest = open_and_drop(false);
  EXPECT_FALSE(resumable(idle));
  EXPECT_EQ(rt.runtime().stats().sessions, 2U);

  // Both kept sessions now in use (one attached, one running a job): the
  // next hello is refused with the cap named, and bob is unaffected.
  RawPeer attached(rt.memory_connection());
  attached.send("session.hello", resume_hello("alice-token", newest.id, newest.token, 0));
  ASSERT_TRUE(attached.next_of("session.welcome"));
  RawPeer refused(rt.memory_connection());
  refused.send("session.hello",
               json::object{{"client", {{"name", "t"}, {"version", "1"}}},
                            {"auth", {{"scheme", "bearer"}, {"token", "alice-token"}}}});
  auto err = refused.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->type, "session.error");
  EXPECT_EQ(err->payload.at("details").at("limit").as_string(),
            "max_retained_sessions_per_principal");
  EXPECT_TRUE(refused.wait_closed());
  RawPeer bob(rt.memory_connection());
  EXPECT_TRUE(bob.handshake("bob-token"));
  EXPECT_TRUE(resumable(busy));
}

}  // namespace
}  // namespace arcp::test
