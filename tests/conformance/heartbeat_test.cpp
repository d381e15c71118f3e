// H02–H04: liveness in both directions (§6.4). H01 (ping → pong) lives in
// wire_test.cpp.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

RuntimeOptions one_second_heartbeat() {
  RuntimeOptions o = default_runtime_options();
  o.heartbeat_interval = std::chrono::seconds(1);
  return o;
}

class Heartbeat : public ::testing::Test {
 protected:
  Heartbeat() : rt(one_second_heartbeat()) {
    EXPECT_TRUE(rt.runtime().register_agent("gate", gate.handler()));
  }
  TestRuntime rt;
  Gate gate;
};

TEST_F(Heartbeat, ConformanceH02_RuntimePingsEvenWhileTheClientTalks) {
  RawPeer peer(rt.memory_connection());
  auto w = peer.handshake();
  ASSERT_TRUE(w);
  EXPECT_EQ(w->payload.at("heartbeat_interval_sec"), 1);
  // Keep inbound traffic flowing; the runtime's own pings must still come.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool pinged = false;
  int sent = 0;
  while (!pinged && std::chrono::steady_clock::now() < deadline) {
    peer.send("session.ping",
              json::object{{"nonce", "c" + std::to_string(++sent)}, {"sent_at", now_rfc3339()}});
    for (auto env = peer.next(std::chrono::milliseconds(200)); env;
         env = peer.next(std::chrono::milliseconds(0))) {
      if (env->type == "session.ping") {
        pinged = true;
        // H01 from the runtime's side: our pong echoes its nonce.
        peer.send("session.pong", json::object{{"ping_nonce", env->payload.at("nonce")},
                                               {"received_at", now_rfc3339()}});
      }
    }
  }
  EXPECT_TRUE(pinged);
  EXPECT_GT(sent, 1);
}

TEST_F(Heartbeat, ConformanceH03_TwoSilentIntervalsLoseTheTransportNotTheJobs) {
  RawPeer peer(rt.memory_connection());
  auto w = peer.handshake();
  ASSERT_TRUE(w);
  peer.send("job.submit", json::object{{"agent", "gate"}, {"input", {{"steps", 2}}}});
  ASSERT_TRUE(peer.next_of("job.accepted"));
  // We answer nothing: within two intervals (plus one tick) the runtime gives up.
  auto lost = peer.next_of("session.error", std::chrono::seconds(5));
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->payload.at("code"), "HEARTBEAT_LOST");
  EXPECT_TRUE(peer.wait_closed());
  // The job lives on and the session is resumable.
  gate.release(2);
  RawPeer again(rt.memory_connection());
  again.send("session.hello",
             resume_hello("alice-token", peer.session_id,
                          std::string(w->payload.at("resume_token").as_string()), 0));
  ASSERT_EQ(again.next()->type, "session.welcome");
  auto result = again.next_of("job.result");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->event_seq, 3);
}

TEST_F(Heartbeat, ConformanceH04_ClientWatchdogDetectsASilentRuntimeAndResumes) {
  Relay relay(rt.runtime());
  ClientOptions co{.token = "alice-token"};
  co.reconnect = [&]() -> Result<std::shared_ptr<Connection>> { return rt.memory_connection(); };
  auto client = Client::connect(relay.client_end(), co);
  ASSERT_TRUE(client);
  auto job = (*client)->submit({.agent = "gate", .input = json::object{{"steps", 3}}});
  ASSERT_TRUE(job);
  gate.release(1);
  ASSERT_EQ(job->next_event(kWait)->event_seq, 1);
  relay.freeze();  // the network goes silent; nobody is told
  gate.release(2);
  auto lost = (*client)->next_session_error(std::chrono::seconds(5));
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->code, ErrorCode::kHeartbeatLost);
  auto rest = drain_events(*job);
  ASSERT_EQ(rest.size(), 2U);
  EXPECT_EQ(rest[0].event_seq, 2);
  EXPECT_EQ(rest[1].event_seq, 3);
  EXPECT_TRUE(job->result());
  EXPECT_EQ((*client)->resume_count(), 1U);
}

// §14 heartbeat amplification: a session that only heartbeats is said
// goodbye to; one with a job of its own running is not. Both connections
// share one timeout and the busy one is opened first, so its idle check runs
// first: it is still open when the idle one has been closed.
TEST(IdleSessions, HeartbeatOnlySessionsAreDisconnectedButStayResumable) {
  RuntimeOptions o = default_runtime_options();
  o.idle_session_timeout = std::chrono::milliseconds(300);
  TestRuntime rt(o);
  Gate gate;
  ASSERT_TRUE(rt.runtime().register_agent("gate", gate.handler()));

  RawPeer busy(rt.memory_connection());
  ASSERT_TRUE(busy.handshake());
  busy.send("job.submit", json::object{{"agent", "gate"}, {"input", {{"steps", 1}}}});
  ASSERT_TRUE(busy.next_of("job.accepted"));

  RawPeer idle(rt.memory_connection());
  auto w = idle.handshake();
  ASSERT_TRUE(w);
  idle.send("session.ping", json::object{{"nonce", "n1"}, {"sent_at", now_rfc3339()}});
  auto bye = idle.next_of("session.bye", std::chrono::seconds(10));
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->payload.at("reason"), "idle_timeout");
  EXPECT_TRUE(idle.wait_closed());

  // The busy session's connection is still served.
  busy.send("session.ping", json::object{{"nonce", "still-here"}, {"sent_at", now_rfc3339()}});
  auto pong = busy.next_of("session.pong");
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload.at("ping_nonce"), "still-here");
  gate.release(1);
  ASSERT_TRUE(busy.next_of("job.result"));

  // Only the transport went: the idle session resumes.
  RawPeer again(rt.memory_connection());
  again.send("session.hello",
             resume_hello("alice-token", idle.session_id,
                          std::string(w->payload.at("resume_token").as_string()), 0));
  auto welcome = again.next();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->type, "session.welcome");
}

TEST(IdleSessions, ZeroTimeoutNeverDisconnects) {
  RuntimeOptions o = default_runtime_options();
  o.idle_session_timeout = std::chrono::milliseconds(0);
  o.heartbeat_interval = std::chrono::seconds(1);
  TestRuntime rt(o);
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  // Two heartbeat rounds answered; nothing but pings arrives.
  for (int round = 0; round < 2; ++round) {
    auto ping = peer.next_of("session.ping", std::chrono::seconds(5));
    ASSERT_TRUE(ping);
    peer.send("session.pong", json::object{{"ping_nonce", ping->payload.at("nonce")},
                                           {"received_at", now_rfc3339()}});
  }
  peer.send("session.ping", json::object{{"nonce", "n2"}, {"sent_at", now_rfc3339()}});
  EXPECT_TRUE(peer.next_of("session.pong"));
}

}  // namespace
}  // namespace arcp::test
