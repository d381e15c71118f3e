// A01–A03, A05, A06: hello/welcome, bearer auth, features, inventory.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

class Handshake : public ::testing::Test {
 protected:
  TestRuntime rt;
};

TEST_F(Handshake, ConformanceA01_ValidTokenBindsPrincipal) {
  auto client = rt.connect_memory("bob-token");
  EXPECT_EQ(client->session_id().rfind("sess_", 0), 0U);
  // The principal is bound: bob's job is invisible to alice (JOB_NOT_FOUND on cancel).
  auto job = client->submit({.agent = "slow", .input = json::object{{"ms", 2000}}});
  ASSERT_TRUE(job);
  RawPeer alice(rt.memory_connection());
  ASSERT_TRUE(alice.handshake("alice-token"));
  alice.send("job.cancel", json::object{}, job->job_id());
  auto err = alice.next_of("session.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "JOB_NOT_FOUND");
  ASSERT_TRUE(job->cancel());
}

TEST_F(Handshake, ConformanceA02_MissingOrWrongTokenIsRefusedAndClosed) {
  for (std::string token : {"", "wrong-token"}) {
    RawPeer peer(rt.memory_connection());
    auto err = peer.handshake(token);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->type, "session.error");
    EXPECT_EQ(err->payload.at("code"), "UNAUTHENTICATED");
    EXPECT_EQ(err->payload.at("retryable"), false);
    EXPECT_EQ(json::serialize(err->payload).find("wrong-token"), std::string::npos);
    EXPECT_TRUE(peer.wait_closed());
  }
  auto bad = Client::connect(rt.memory_connection(), ClientOptions{.token = "nope"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(Handshake, ConformanceA03_FeatureIntersection) {
  RawPeer both(rt.memory_connection());
  auto w = both.handshake("alice-token",
                          json::array{"progress", "provisioned_credentials", "x-vendor.other"});
  ASSERT_TRUE(w);
  EXPECT_EQ(json::serialize(w->payload.at("capabilities").at("features")), R"(["progress"])");

  RawPeer none(rt.memory_connection());
  auto w2 = none.handshake("alice-token", json::array{});
  ASSERT_TRUE(w2);
  EXPECT_TRUE(w2->payload.at("capabilities").at("features").as_array().empty());
  EXPECT_FALSE(w2->payload.contains("heartbeat_interval_sec"));

  // Unnegotiated feature refused: a pinned version without agent_versions,
  // an expires_at without lease_expires_at, progress events without progress.
  none.send("job.submit", json::object{{"agent", "versioned@1.0.0"}});
  auto e1 = none.next_of("session.error");
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->payload.at("code"), "INVALID_REQUEST");
  none.send("job.submit", json::object{{"agent", "echo"},
                                       {"lease_constraints",
                                        json::object{{"expires_at", "2999-01-01T00:00:00Z"}}}});
  auto e2 = none.next_of("session.error");
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->payload.at("code"), "INVALID_REQUEST");
  none.send("job.submit", json::object{{"agent", "chatty"},
                                       {"input", json::object{{"n", 2}, {"kind", "progress"}}}});
  auto err = none.next_of("job.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
}

TEST_F(Handshake, ConformanceA05_AgentInventoryWithVersions) {
  auto client = rt.connect_memory();
  const auto& agents = client->welcome().agents;
  auto it = std::find_if(agents.begin(), agents.end(),
                         [](const AgentInfo& a) { return a.name == "versioned"; });
  ASSERT_NE(it, agents.end());
  EXPECT_EQ(it->versions, (std::vector<std::string>{"1.0.0", "2.0.0"}));
  EXPECT_EQ(it->default_version, "2.0.0");
  for (std::string name : {"echo", "chatty", "slow", "failing", "progress"})
    EXPECT_TRUE(std::any_of(agents.begin(), agents.end(), [&](const AgentInfo& a) {
      return a.name == name;
    })) << name;
}

TEST_F(Handshake, ConformanceA06_WelcomeCarriesHeartbeatAndResumeWindow) {
  RuntimeOptions o = default_runtime_options();
  o.heartbeat_interval = std::chrono::seconds(17);
  o.resume_window = std::chrono::seconds(321);
  TestRuntime custom(o);
  RawPeer peer(custom.memory_connection());
  auto w = peer.handshake();
  ASSERT_TRUE(w);
  EXPECT_EQ(w->payload.at("heartbeat_interval_sec"), 17);
  EXPECT_EQ(w->payload.at("resume_window_sec"), 321);
  std::string token(w->payload.at("resume_token").as_string());
  EXPECT_EQ(token.rfind("rt_", 0), 0U);
  EXPECT_GE(token.size(), 3U + 64U);  // 256 bits, hex
}

TEST_F(Handshake, ConformanceH01_PingIsAnsweredWithItsNonce) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  peer.send("session.ping", json::object{{"nonce", "n-123"}, {"sent_at", now_rfc3339()}});
  auto pong = peer.next_of("session.pong");
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload.at("ping_nonce"), "n-123");
  EXPECT_FALSE(pong->event_seq.has_value());
}

TEST_F(Handshake, CloseRepliesClosedAndByeClosesSilently) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  peer.send("session.close", json::object{});
  auto closed = peer.next();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->type, "session.closed");
  EXPECT_TRUE(peer.wait_closed());

  RawPeer bye(rt.memory_connection());
  ASSERT_TRUE(bye.handshake());
  bye.send("session.bye", json::object{{"reason", "done"}});
  EXPECT_TRUE(bye.wait_closed());
}

}  // namespace
}  // namespace arcp::test
