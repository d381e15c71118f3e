// R01–R08, C04, E05: sessions outlive connections; resume replays exactly
// what the client has not seen, with a rotated token, and only for the
// principal that owns the session.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

std::string token_of(const Envelope& welcome) {
  return std::string(welcome.payload.at("resume_token").as_string());
}

class Resume : public ::testing::Test {
 protected:
  Resume() { EXPECT_TRUE(rt.runtime().register_agent("gate", gate.handler())); }
  TestRuntime rt;
  Gate gate;
};

TEST_F(Resume, ConformanceR01_R02_DropMidJobResumeReplaysExactlyTheUnseen) {
  std::string sid, token1;
  std::string job_id;
  {
    RawPeer first(rt.memory_connection());
    auto w = first.handshake();
    ASSERT_TRUE(w);
    sid = first.session_id;
    token1 = token_of(*w);
    first.send("job.submit", json::object{{"agent", "gate"}, {"input", {{"steps", 6}}}});
    job_id = first.next_of("job.accepted")->job_id;
    gate.release(3);
    for (std::int64_t seq = 1; seq <= 3; ++seq) {
      auto ev = first.next_of("job.event");
      ASSERT_TRUE(ev);
      EXPECT_EQ(ev->event_seq, seq);
    }
  }                 // transport dropped: no close, no bye
  gate.release(2);  // R02: steps 4 and 5 happen while nobody is attached
  ASSERT_TRUE(eventually([&] { return rt.runtime().stats().connections == 0; }));

  RawPeer second(rt.memory_connection());
  // The client saw 1..3 but only processed 1..2: it asks from 2.
  second.send("session.hello", resume_hello("alice-token", sid, token1, 2));
  auto w = second.next();
  ASSERT_TRUE(w);
  ASSERT_EQ(w->type, "session.welcome");
  EXPECT_EQ(w->session_id, sid);                 // same session
  EXPECT_NE(token_of(*w), token1);               // rotated token
  for (std::int64_t seq = 3; seq <= 5; ++seq) {  // replay seq > 2, nothing else
    auto ev = second.next();
    ASSERT_TRUE(ev);
    ASSERT_EQ(ev->type, "job.event");
    EXPECT_EQ(ev->event_seq, seq);
    EXPECT_EQ(ev->job_id, job_id);
  }
  gate.release(1);  // live again: step 6 then the result, seq continuing
  auto live = second.next();
  ASSERT_TRUE(live);
  EXPECT_EQ(live->event_seq, 6);
  auto result = second.next();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->type, "job.result");
  EXPECT_EQ(result->event_seq, 7);
}

TEST_F(Resume, ConformanceR03_UpToDateClientResumesWithNothingReplayed) {
  RawPeer first(rt.memory_connection());
  auto w = first.handshake();
  first.send("job.submit", json::object{{"agent", "echo"}, {"input", 1}});
  auto result = first.next_of("job.result");
  ASSERT_TRUE(result);
  first.send("session.close", json::object{});
  ASSERT_TRUE(first.next_of("session.closed"));

  RawPeer second(rt.memory_connection());
  second.send("session.hello",
              resume_hello("alice-token", first.session_id, token_of(*w), *result->event_seq));
  auto again = second.next();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->type, "session.welcome");
  // Nothing to replay: the next message is the answer to our ping.
  second.send("session.ping", json::object{{"nonce", "n1"}, {"sent_at", now_rfc3339()}});
  auto pong = second.next();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->type, "session.pong");
}

TEST_F(Resume, ConformanceR04_StaleTokenRejectedAndTheRealOneStillWorks) {
  RawPeer first(rt.memory_connection());
  auto w1 = first.handshake();
  std::string sid = first.session_id;
  std::string old_token = token_of(*w1);

  RawPeer second(rt.memory_connection());
  second.send("session.hello", resume_hello("alice-token", sid, old_token, 0));
  auto w2 = second.next();
  ASSERT_TRUE(w2);
  ASSERT_EQ(w2->type, "session.welcome");
  EXPECT_TRUE(first.wait_closed());  // one connection per session: the old one is displaced

  // The rotated-out token no longer opens the session…
  RawPeer stale(rt.memory_connection());
  stale.send("session.hello", resume_hello("alice-token", sid, old_token, 0));
  auto err = stale.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->type, "session.error");
  EXPECT_EQ(err->payload.at("code"), "UNAUTHENTICATED");
  EXPECT_EQ(json::serialize(err->payload).find(old_token), std::string::npos);
  EXPECT_TRUE(stale.wait_closed());
  // …and the failed attempt did not disturb the legitimate one.
  RawPeer third(rt.memory_connection());
  third.send("session.hello", resume_hello("alice-token", sid, token_of(*w2), 0));
  auto w3 = third.next();
  ASSERT_TRUE(w3);
  EXPECT_EQ(w3->type, "session.welcome");
  EXPECT_EQ(w3->session_id, sid);
}

TEST_F(Resume, ConformanceR05_AnotherPrincipalCannotResume) {
  auto alice = std::make_unique<RawPeer>(rt.memory_connection());
  auto w = alice->handshake();
  std::string sid = alice->session_id;
  alice.reset();  // transport dropped

  RawPeer bob(rt.memory_connection());
  bob.send("session.hello", resume_hello("bob-token", sid, token_of(*w), 0));
  auto err = bob.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "UNAUTHENTICATED");
  EXPECT_TRUE(bob.wait_closed());

  RawPeer again(rt.memory_connection());
  again.send("session.hello", resume_hello("alice-token", sid, token_of(*w), 0));
  auto ok = again.next();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->type, "session.welcome");
}

TEST_F(Resume, ConformanceR06_ExpiredWindowOrEvictedSeqIsResumeWindowExpired) {
  {
    RuntimeOptions o = default_runtime_options();
    o.resume_window = std::chrono::seconds(0);
    TestRuntime short_window(o);
    RawPeer first(short_window.memory_connection());
    auto w = first.handshake();
    std::string sid = first.session_id;
    first.send("session.close", json::object{});
    ASSERT_TRUE(first.next_of("session.closed"));
    short_window.runtime().sweep();  // the window (0 s) has passed
    RawPeer late(short_window.memory_connection());
    late.send("session.hello", resume_hello("alice-token", sid, token_of(*w), 0));
    auto err = late.next();
    ASSERT_TRUE(err);
    EXPECT_EQ(err->payload.at("code"), "RESUME_WINDOW_EXPIRED");
    EXPECT_TRUE(late.wait_closed());
  }
  RuntimeOptions o = default_runtime_options();
  o.max_buffered_events = 16;
  TestRuntime small_log(o);
  RawPeer first(small_log.memory_connection());
  auto w = first.handshake();
  std::string sid = first.session_id;
  first.send("job.submit", json::object{{"agent", "chatty"}, {"input", {{"n", 40}}}});
  ASSERT_TRUE(first.next_of("job.result"));
  // seq 1 was evicted by the cap: a client that saw nothing cannot resume…
  RawPeer behind(small_log.memory_connection());
  behind.send("session.hello", resume_hello("alice-token", sid, token_of(*w), 0));
  auto err = behind.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "RESUME_WINDOW_EXPIRED");
  // …but one that saw everything can, with the same (unrotated) token.
  RawPeer current(small_log.memory_connection());
  current.send("session.hello", resume_hello("alice-token", sid, token_of(*w), 41));
  auto ok = current.next();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->type, "session.welcome");
}

TEST_F(Resume, ConformanceR07_TokensAreRandomAndNeverStoredInTheClear) {
  TempDir dir;
  RuntimeOptions o = default_runtime_options();
  o.data_dir = dir.path();
  std::vector<std::string> tokens;
  {
    TestRuntime durable(o);
    for (int i = 0; i < 8; ++i) {
      RawPeer peer(durable.memory_connection());
      auto w = peer.handshake();
      ASSERT_TRUE(w);
      tokens.push_back(token_of(*w));
    }
  }
  std::set<std::string> distinct(tokens.begin(), tokens.end());
  EXPECT_EQ(distinct.size(), tokens.size());
  for (const auto& t : tokens) {
    ASSERT_EQ(t.rfind("rt_", 0), 0U);
    EXPECT_EQ(t.size(), 3U + 64U);  // 256 bits of CSPRNG output, hex
  }
  // The store holds digests only: no token appears in any file of the data dir.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    for (const auto& t : tokens) EXPECT_EQ(bytes.str().find(t.substr(3)), std::string::npos);
  }
}

TEST_F(Resume, ConformanceR08_GracefulCloseKeepsJobsRunningAndResumable) {
  RawPeer first(rt.memory_connection());
  auto w = first.handshake();
  first.send("job.submit", json::object{{"agent", "gate"}, {"input", {{"steps", 2}}}});
  std::string job_id = first.next_of("job.accepted")->job_id;
  first.send("session.close", json::object{});
  ASSERT_TRUE(first.next_of("session.closed"));
  EXPECT_TRUE(first.wait_closed());
  gate.release(2);  // the job runs to the end with nobody attached

  RawPeer second(rt.memory_connection());
  second.send("session.hello", resume_hello("alice-token", first.session_id, token_of(*w), 0));
  ASSERT_EQ(second.next()->type, "session.welcome");
  auto e1 = second.next_of("job.event");
  auto e2 = second.next_of("job.event");
  auto result = second.next_of("job.result");
  ASSERT_TRUE(e1 && e2 && result);
  EXPECT_EQ(e1->event_seq, 1);
  EXPECT_EQ(e2->event_seq, 2);
  EXPECT_EQ(result->event_seq, 3);
  EXPECT_EQ(result->job_id, job_id);
}

TEST_F(Resume, StandaloneSessionResumeIsAccepted) {
  RawPeer first(rt.memory_connection());
  auto w = first.handshake();
  std::string sid = first.session_id;
  first.send("session.bye", json::object{});
  ASSERT_TRUE(first.wait_closed());
  RawPeer second(rt.memory_connection());
  second.send(
      "session.resume",
      json::object{{"session_id", sid}, {"resume_token", token_of(*w)}, {"last_event_seq", 0}});
  auto ok = second.next();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->type, "session.welcome");
  EXPECT_EQ(ok->session_id, sid);
}

TEST_F(Resume, ConformanceC04_ResumedSessionMayCancel) {
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "gate", .input = json::object{{"steps", 100}}});
  ASSERT_TRUE(job);
  gate.release(1);
  ASSERT_TRUE(job->next_event(kWait));
  client->drop_connection();
  // The cancel is held while the client resumes, then sent on the new transport.
  ASSERT_TRUE(job->cancel("changed my mind"));
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(job->status(), JobStatus::kCancelled);
  EXPECT_GE(client->resume_count(), 1U);
}

TEST_F(Resume, ConformanceE05_ClientTreatsASeqGapAsBrokenAndResumes) {
  // The relay loses exactly one event frame: the client must notice the gap,
  // deliver nothing past it, drop the transport and resume from the last
  // contiguous seq, so the job's events still arrive exactly once.
  Relay relay(rt.runtime());
  ClientOptions co{.token = "alice-token"};
  co.reconnect = [&]() -> Result<std::shared_ptr<Connection>> { return rt.memory_connection(); };
  auto client = Client::connect(relay.client_end(), co);
  ASSERT_TRUE(client);
  auto job = (*client)->submit({.agent = "gate", .input = json::object{{"steps", 4}}});
  ASSERT_TRUE(job);
  gate.release(1);
  ASSERT_EQ(job->next_event(kWait)->event_seq, 1);
  relay.drop_next_event();  // seq 2 never reaches the client on this transport
  gate.release(3);
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].event_seq, 2);
  EXPECT_EQ(events[1].event_seq, 3);
  EXPECT_EQ(events[2].event_seq, 4);
  auto gap = (*client)->next_session_error(kWait);
  ASSERT_TRUE(gap);
  EXPECT_NE(gap->message.find("gap"), std::string::npos);
  EXPECT_EQ((*client)->resume_count(), 1U);
}

// A streaming job, paced in random chunks; the transport is dropped right
// after random releases, so events are in flight or emitted while detached.
// The client must see every event exactly once, in order.
void expect_exactly_once_across_random_drops(TestRuntime& runtime, Gate& gate) {
  auto client = runtime.connect_memory();
  constexpr int kSteps = 2000;
  auto job = client->submit({.agent = "gate", .input = json::object{{"steps", kSteps}}});
  ASSERT_TRUE(job);
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> chunk(1, 60);
  std::bernoulli_distribution drop(0.3);
  std::vector<std::int64_t> seqs;
  int released = 0;
  int drops = 0;
  while (released < kSteps) {
    int n = std::min(chunk(rng), kSteps - released);
    gate.release(n);
    released += n;
    if (drop(rng)) {
      client->drop_connection();
      ++drops;
    }
    for (int i = 0; i < n; ++i) {
      auto ev = job->next_event(kWait);
      ASSERT_TRUE(ev) << "stalled after " << seqs.size() << " events";
      seqs.push_back(ev->event_seq);
    }
  }
  ASSERT_TRUE(job->result());
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kSteps));
  for (std::size_t i = 0; i < seqs.size(); ++i)
    ASSERT_EQ(seqs[i], static_cast<std::int64_t>(i + 1));
  EXPECT_GT(drops, 10);
  EXPECT_GE(client->resume_count(), 1U);
}

TEST_F(Resume, ExactlyOnceAcrossManyRandomDrops) {
  expect_exactly_once_across_random_drops(rt, gate);
}

// The same with the SQLite store: what was sent but not received before a
// drop is replayed from chunk rows (often from the middle of one), while
// auto-acks trim behind the client.
TEST_F(Resume, ExactlyOnceAcrossManyRandomDropsWithTheSqliteStore) {
  TempDir dir;
  RuntimeOptions o = default_runtime_options();
  o.data_dir = dir.path();
  TestRuntime durable(o);
  ASSERT_TRUE(durable.runtime().register_agent("gate", gate.handler()));
  expect_exactly_once_across_random_drops(durable, gate);
}

}  // namespace
}  // namespace arcp::test
