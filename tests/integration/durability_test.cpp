// R09: the SQLite store carries sessions, event logs, jobs and idempotency
// keys across a runtime restart — a graceful one, and kill -9.
#include <gtest/gtest.h>

#include <csignal>
#include <mutex>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

RuntimeOptions durable_options(const TempDir& dir) {
  RuntimeOptions o = default_runtime_options();
  o.data_dir = dir.path();
  return o;
}

/// Seq-bearing messages until (and including) the first job.error.
std::vector<Envelope> until_job_error(RawPeer& peer) {
  std::vector<Envelope> out;
  while (auto env = peer.next()) {
    if (!env->event_seq) continue;
    out.push_back(*env);
    if (env->type == "job.error") break;
  }
  return out;
}

TEST(Durability, ConformanceR09_SessionResumesAfterARestartAndReplaysWhatWasPersisted) {
  TempDir dir;
  ResumeState state;
  std::string finished_id;
  std::string running_id;
  {
    TestRuntime first(durable_options(dir));
    Gate gate;
    ASSERT_TRUE(first.runtime().register_agent("gate", gate.handler()));
    auto client = first.connect_memory();
    auto done = client->submit(
        {.agent = "chatty", .input = json::object{{"n", 20}}, .idempotency_key = "durable-1"});
    ASSERT_TRUE(done->result());  // seq 1..21
    finished_id = done->job_id();
    auto running = client->submit({.agent = "gate", .input = json::object{{"steps", 5}}});
    gate.release(2);
    ASSERT_TRUE(running->next_event(kWait));
    ASSERT_TRUE(running->next_event(kWait));  // seq 22, 23
    running_id = running->job_id();
    state = client->resume_state();
    state.last_event_seq = 5;  // pretend the client only processed up to 5
    EXPECT_EQ(client->resume_state().last_event_seq, 23);
  }  // the runtime goes away with the gate job still running

  TestRuntime second(durable_options(dir));
  RawPeer peer(second.memory_connection());
  peer.send("session.hello", resume_hello("alice-token", state.session_id, state.resume_token,
                                          state.last_event_seq, json::array{"list_jobs"}));
  auto welcome = peer.next();
  ASSERT_TRUE(welcome);
  ASSERT_EQ(welcome->type, "session.welcome");
  EXPECT_EQ(welcome->session_id, state.session_id);
  EXPECT_NE(welcome->payload.at("resume_token"), json::value(state.resume_token));  // rotated again
  // Replay: 6..23 as persisted before the restart, then the running job's
  // recorded end, numbered on from there.
  auto frames = until_job_error(peer);
  ASSERT_EQ(frames.size(), 19U);
  for (std::size_t i = 0; i < frames.size(); ++i)
    EXPECT_EQ(*frames[i].event_seq, static_cast<std::int64_t>(6 + i));
  const auto& fate = frames.back();
  EXPECT_EQ(fate.type, "job.error");
  EXPECT_EQ(fate.job_id, running_id);
  EXPECT_EQ(fate.event_seq, 24);
  EXPECT_EQ(fate.payload.at("code"), "INTERNAL_ERROR");

  ClientOptions co{.token = "alice-token"};
  auto client = Client::connect(second.memory_connection(), co);
  ASSERT_TRUE(client);
  // Jobs and idempotency keys survived too.
  auto listed = (*client)->list_jobs_page({});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->jobs.size(), 2U);
  auto again = (*client)->submit(
      {.agent = "chatty", .input = json::object{{"n", 20}}, .idempotency_key = "durable-1"});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->job_id(), finished_id);  // the same job, not a new run
  auto r = again->result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().at("emitted"), 20);
}

#ifdef ARCP_CLI_PATH
TEST(Durability, ConformanceR09_KillNineThenResumeFromTheDataDirectory) {
  TempDir dir;
  const std::string args = "--token alice-token:alice --data-dir " + dir.path();
  ResumeState state;
  std::string job_id;
  {
    ServeProcess server(args);
    ClientOptions co{.token = "alice-token"};
    co.auto_resume = false;
    auto client = Client::connect(server.url(), co);
    ASSERT_TRUE(client) << client.error().describe();
    auto job = (*client)->submit(
        {.agent = "slow", .input = json::object{{"ms", 600000}, {"tick_ms", 20}}});
    ASSERT_TRUE(job);
    job_id = job->job_id();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(job->next_event(kWait));
    state = (*client)->resume_state();
    server.kill(SIGKILL);  // no shutdown path runs: only what SQLite committed survives
  }
  ServeProcess restarted(args);
  auto conn = connect_websocket(restarted.url(), {});
  ASSERT_TRUE(conn);
  RawPeer peer(conn.value());
  peer.send("session.hello", resume_hello("alice-token", state.session_id, state.resume_token,
                                          state.last_event_seq, json::array{"list_jobs"}));
  auto welcome = peer.next();
  ASSERT_TRUE(welcome);
  ASSERT_EQ(welcome->type, "session.welcome") << json::serialize(welcome->payload);
  EXPECT_EQ(welcome->session_id, state.session_id);
  auto frames = until_job_error(peer);
  ASSERT_FALSE(frames.empty());
  std::int64_t expect = state.last_event_seq + 1;
  for (const auto& f : frames) EXPECT_EQ(*f.event_seq, expect++);  // gap-free continuation
  const auto& fate = frames.back();
  EXPECT_EQ(fate.job_id, job_id);
  EXPECT_EQ(fate.payload.at("code"), "INTERNAL_ERROR");
  EXPECT_EQ(fate.payload.at("retryable"), true);
}
#endif

}  // namespace
}  // namespace arcp::test
