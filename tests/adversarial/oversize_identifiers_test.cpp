// Oversize identifiers over a live connection (§14): every identifier field
// longer than kMaxIdentifierBytes is refused with INVALID_REQUEST naming the
// field, the oversize value is never echoed (an oversize envelope id is not
// even sent back as request_id), nothing of it is retained, and the session
// carries on. Also: the envelope-id de-duplication window (W07).
#include <gtest/gtest.h>

#include <algorithm>
#include <arcp/envelope.hpp>
#include <arcp/transports.hpp>
#include <functional>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

const json::array kFeatures{"subscribe", "list_jobs"};

std::string frame(const std::string& id, const std::string& type, json::object payload,
                  json::object extra = {}) {
  json::object o{{"arcp", "1.1"}, {"id", id}, {"type", type}, {"payload", std::move(payload)}};
  for (auto& kv : extra) o[kv.key()] = kv.value();
  return json::serialize(o);
}

struct Case {
  std::string name;
  std::string field;  // as details.field names it
  std::function<std::string(const std::string& id, const std::string& big)> build;
};

std::vector<Case> cases(const std::string& session_id) {
  auto sess = [session_id] { return json::object{{"session_id", session_id}}; };
  return {
      {"envelope type", "envelope type",
       [=](auto& id, auto& big) { return frame(id, big, {}, sess()); }},
      {"envelope session_id", "envelope session_id",
       [=](auto& id, auto& big) {
         return frame(id, "session.ping", {{"nonce", "n"}}, {{"session_id", big}});
       }},
      {"envelope job_id", "envelope job_id",
       [=](auto& id, auto& big) {
         auto extra = sess();
         extra["job_id"] = big;
         return frame(id, "job.cancel", {}, extra);
       }},
      {"envelope trace_id", "envelope trace_id",
       [=](auto& id, auto& big) {
         auto extra = sess();
         extra["trace_id"] = big;
         return frame(id, "job.submit", {{"agent", "echo"}}, extra);
       }},
      {"envelope arcp", "envelope arcp",
       [=](auto& id, auto& big) {
         auto extra = sess();
         extra["arcp"] = big;
         return frame(id, "session.ping", {{"nonce", "n"}}, extra);
       }},
      {"ping nonce", "session.ping nonce",
       [=](auto& id, auto& big) {
         return frame(id, "session.ping", {{"nonce", big}}, sess());
       }},
      {"submit agent", "job.submit agent",
       [=](auto& id, auto& big) {
         return frame(id, "job.submit", {{"agent", std::string(big.size(), 'a')}}, sess());
       }},
      {"submit idempotency_key", "job.submit idempotency_key",
       [=](auto& id, auto& big) {
         return frame(id, "job.submit", {{"agent", "echo"}, {"idempotency_key", big}}, sess());
       }},
      {"submit lease capability", "lease capability name",
       [=](auto& id, auto& big) {
         return frame(id, "job.submit",
                      {{"agent", "echo"},
                       {"lease_request", json::object{{"x-vendor." + big, json::array{"*"}}}}},
                      sess());
       }},
      {"cancel payload job_id", "job.cancel job_id",
       [=](auto& id, auto& big) {
         return frame(id, "job.cancel", {{"job_id", big}}, sess());
       }},
      {"subscribe job_id", "job.subscribe job_id",
       [=](auto& id, auto& big) {
         return frame(id, "job.subscribe", {{"job_id", big}}, sess());
       }},
      {"unsubscribe job_id", "job.unsubscribe job_id",
       [=](auto& id, auto& big) {
         return frame(id, "job.unsubscribe", {{"job_id", big}}, sess());
       }},
      {"list_jobs cursor", "list_jobs.cursor",
       [=](auto& id, auto& big) {
         return frame(id, "session.list_jobs", {{"cursor", big}}, sess());
       }},
      {"list_jobs filter.agent", "list_jobs.filter.agent",
       [=](auto& id, auto& big) {
         return frame(id, "session.list_jobs", {{"filter", json::object{{"agent", big}}}}, sess());
       }},
  };
}

// The reply to an oversize identifier: INVALID_REQUEST naming `field`, small,
// carrying `request_id` (or none for an oversize envelope id).
void expect_refusal(RawPeer& peer, const std::string& field, const std::string& request_id) {
  auto err = peer.next_of("session.error");
  ASSERT_TRUE(err) << "no session.error";
  std::string wire = encode_envelope(*err);
  EXPECT_LT(wire.size(), 1024U) << "the oversize value must not be echoed";
  EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST") << wire;
  const auto& details = err->payload.at("details").as_object();
  EXPECT_EQ(details.at("field"), json::value(field)) << wire;
  EXPECT_EQ(details.at("max_bytes"), 256) << wire;
  if (request_id.empty())
    EXPECT_FALSE(details.contains("request_id")) << wire;
  else
    EXPECT_EQ(details.at("request_id"), json::value(request_id)) << wire;
}

void expect_session_works(RawPeer& peer, const std::string& nonce) {
  peer.send("session.ping", json::object{{"nonce", nonce}});
  auto pong = peer.next_of("session.pong");
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload.at("ping_nonce"), json::value(nonce));
  peer.send("job.submit", json::object{{"agent", "echo"}, {"input", nonce}});
  auto result = peer.next_of("job.result");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->payload.at("result"), json::value(nonce));
}

void refuse_everything(RawPeer& peer) {
  // The reported attack: ids of 4 MiB, each kept for de-duplication.
  const std::string huge_id(4U << 20, 'i');
  for (int i = 0; i < 3; ++i) {
    peer.send_text(frame(huge_id + std::to_string(i), "session.ping", {{"nonce", "n"}},
                         {{"session_id", peer.session_id}}));
    expect_refusal(peer, "envelope id", "");
  }
  // One byte over the limit is refused; at the limit is fine.
  peer.send_text(frame(std::string(257, 'j'), "session.ping", {{"nonce", "n"}},
                       {{"session_id", peer.session_id}}));
  expect_refusal(peer, "envelope id", "");
  peer.send_text(frame(std::string(256, 'j'), "session.ping", {{"nonce", "at-limit"}},
                       {{"session_id", peer.session_id}}));
  auto pong = peer.next_of("session.pong");
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload.at("ping_nonce"), "at-limit");

  for (std::size_t size : {std::size_t{257}, std::size_t{64} << 10}) {
    const std::string big(size, 'x');
    int n = 0;
    for (const auto& c : cases(peer.session_id)) {
      SCOPED_TRACE(c.name + " of " + std::to_string(size) + " bytes");
      std::string id = "msg_oversize_" + std::to_string(size) + "_" + std::to_string(n++);
      peer.send_text(c.build(id, big));
      expect_refusal(peer, c.field, id);
    }
  }
  expect_session_works(peer, "still-alive");
}

TEST(OversizeIdentifiers, EveryFieldIsRefusedOverMemoryAndTheSessionLivesOn) {
  TestRuntime rt;
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", kFeatures));
  refuse_everything(peer);
}

TEST(OversizeIdentifiers, EveryFieldIsRefusedOverWebSocketAndTheSessionLivesOn) {
  TestRuntime rt;
  auto conn = connect_websocket(rt.websocket_url());
  ASSERT_TRUE(conn) << conn.error().describe();
  RawPeer peer(conn.value());
  ASSERT_TRUE(peer.handshake("alice-token", kFeatures));
  refuse_everything(peer);
}

TEST(OversizeIdentifiers, OversizeResumeFieldsAreRefusedBeforeASessionExists) {
  TestRuntime rt;
  const std::string big(300, 'r');
  {
    RawPeer peer(rt.memory_connection());
    peer.send_text(frame("hello-1", "session.hello", resume_hello("alice-token", big, "rt_1", 0)));
    expect_refusal(peer, "resume.session_id", "hello-1");
  }
  {
    RawPeer peer(rt.memory_connection());
    peer.send_text(frame(
        "resume-1", "session.resume",
        json::object{{"session_id", "sess_1"}, {"resume_token", big}, {"last_event_seq", 0}}));
    expect_refusal(peer, "resume.resume_token", "resume-1");
    // The connection is still usable: a hello now succeeds.
    ASSERT_TRUE(peer.handshake("alice-token", kFeatures));
    expect_session_works(peer, "after-resume-refusal");
  }
}

TEST(DedupWindow, ConformanceW07_TheLast4096EnvelopeIdsAreDroppedOlderOnesProcessedAgain) {
  TestRuntime rt;
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", kFeatures));
  auto ping = [&](const std::string& id, const std::string& nonce) {
    peer.send_text(
        frame(id, "session.ping", {{"nonce", nonce}}, {{"session_id", peer.session_id}}));
  };
  // Pongs in order until the one for `marker`.
  auto pongs_until = [&](const std::string& marker) {
    std::vector<std::string> nonces;
    for (;;) {
      auto pong = peer.next_of("session.pong");
      if (!pong) {
        ADD_FAILURE() << "no pong for " << marker;
        return nonces;
      }
      nonces.emplace_back(pong->payload.at("ping_nonce").as_string());
      if (nonces.back() == marker) return nonces;
    }
  };
  ping("first", "first");
  for (int i = 1; i < 4096; ++i) ping("fill-" + std::to_string(i), "fill");
  ping("first", "replayed-inside-window");  // "first" is one of the last 4096 ids
  ping("marker-1", "marker-1");             // pushes "first" out of the window
  auto seen = pongs_until("marker-1");
  EXPECT_EQ(seen.size(), 4097U);  // first, 4095 fills, marker-1
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "replayed-inside-window"), 0);

  ping("first", "replayed-after-window");
  ping("marker-2", "marker-2");
  seen = pongs_until("marker-2");
  EXPECT_EQ(seen, (std::vector<std::string>{"replayed-after-window", "marker-2"}));
}

}  // namespace
}  // namespace arcp::test
