// K01–K05: event acknowledgement, back-pressure and bounded memory for slow
// consumers (§6.5, §14).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

const json::array kAckFeatures{"ack", "progress"};

class Ack : public ::testing::Test {
 protected:
  explicit Ack(RuntimeOptions o = default_runtime_options()) : rt(std::move(o)) {
    EXPECT_TRUE(rt.runtime().register_agent("gate", gate.handler()));
  }
  TestRuntime rt;
  Gate gate;
};

TEST_F(Ack, ConformanceK01_AckFreesAcknowledgedEventsAndKeepsTheRest) {
  RawPeer peer(rt.memory_connection());
  auto w = peer.handshake("alice-token", kAckFeatures);
  ASSERT_TRUE(w);
  peer.send("job.submit", json::object{{"agent", "chatty"}, {"input", {{"n", 10}}}});
  auto result = peer.next_of("job.result");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->event_seq, 11);
  EXPECT_EQ(rt.runtime().stats().stored_events, 11U);  // nothing acked: all kept

  peer.send("session.ack", json::object{{"last_processed_seq", 6}});
  ASSERT_TRUE(eventually([&] { return rt.runtime().stats().stored_events == 5U; }));
  peer.send("session.bye", json::object{});
  ASSERT_TRUE(peer.wait_closed());
  std::string token(w->payload.at("resume_token").as_string());

  // Freed events are gone for a resume; the unacknowledged ones are all there.
  RawPeer behind(rt.memory_connection());
  behind.send("session.hello", resume_hello("alice-token", peer.session_id, token, 3));
  EXPECT_EQ(behind.next()->payload.at("code"), "RESUME_WINDOW_EXPIRED");
  RawPeer current(rt.memory_connection());
  current.send("session.hello", resume_hello("alice-token", peer.session_id, token, 6));
  ASSERT_EQ(current.next()->type, "session.welcome");
  for (std::int64_t seq = 7; seq <= 11; ++seq) EXPECT_EQ(current.next()->event_seq, seq);
}

TEST_F(Ack, ConformanceK02_ClientAcksByCountAndByInterval) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::int64_t> acks;
  auto watch = [&](Relay& relay) {
    relay.on_client_frame([&](const std::string& text) {
      auto env = decode_envelope(text);
      if (!env || env->type != "session.ack") return;
      std::lock_guard lock(mu);
      acks.push_back(*get_int(env->payload, "last_processed_seq"));
      cv.notify_all();
    });
  };
  {  // by count: every 5 events
    Relay relay(rt.runtime());
    watch(relay);
    ClientOptions co{.token = "alice-token", .ack_every_events = 5};
    co.ack_interval = std::chrono::hours(1);
    auto client = Client::connect(relay.client_end(), co);
    ASSERT_TRUE(client);
    ASSERT_TRUE((*client)->features().has("ack"));
    auto job = (*client)->submit({.agent = "chatty", .input = json::object{{"n", 11}}});
    ASSERT_TRUE(job->result());  // 11 events + result = seq 12
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kWait, [&] { return acks.size() >= 2; }));
    EXPECT_EQ(acks[0], 5);
    EXPECT_EQ(acks[1], 10);
  }
  {  // by interval: a few events, then quiet → one ack of the last seq
    acks.clear();
    Relay relay(rt.runtime());
    watch(relay);
    ClientOptions co{.token = "alice-token", .ack_every_events = 1000};
    co.ack_interval = std::chrono::milliseconds(50);
    auto client = Client::connect(relay.client_end(), co);
    ASSERT_TRUE(client);
    auto job = (*client)->submit({.agent = "chatty", .input = json::object{{"n", 3}}});
    ASSERT_TRUE(job->result());
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kWait, [&] { return !acks.empty() && acks.back() == 4; }));
  }
}

TEST_F(Ack, ConformanceK03_BackPressureSignalledOnceAndReArmedAfterRecovery) {
  RuntimeOptions o = default_runtime_options();
  o.back_pressure_lag = 5;
  TestRuntime bp(o);
  ASSERT_TRUE(bp.runtime().register_agent("gate", gate.handler()));
  RawPeer peer(bp.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", kAckFeatures));
  peer.send("job.submit", json::object{{"agent", "gate"}, {"input", {{"steps", 30}}}});
  ASSERT_TRUE(peer.next_of("job.accepted"));
  auto read_events = [&](int n, int& signals, std::int64_t& last) {
    for (int i = 0; i < n; ++i) {
      auto ev = peer.next_of("job.event");
      ASSERT_TRUE(ev);
      last = *ev->event_seq;
      const auto& body = ev->payload.at("body").as_object();
      if (ev->payload.at("kind") == "status" && body.at("phase") == "back_pressure") ++signals;
    }
  };
  int signals = 0;
  std::int64_t last = 0;
  gate.release(10);  // lag grows past 5: one signal, not one per event
  read_events(11, signals, last);
  EXPECT_EQ(signals, 1);
  peer.send("session.ack", json::object{{"last_processed_seq", last}});  // recovered
  // A barrier: once the pong is back, the ack has been processed.
  peer.send("session.ping", json::object{{"nonce", "b"}, {"sent_at", now_rfc3339()}});
  ASSERT_TRUE(peer.next_of("session.pong"));
  gate.release(10);  // lagging again: signalled again
  read_events(11, signals, last);
  EXPECT_EQ(signals, 2);
}

TEST_F(Ack, ConformanceK04_AckNeedsTheFeatureAndAZeroWindowDoesNotStall) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());  // no "ack" offered
  std::string id = peer.send("session.ack", json::object{{"last_processed_seq", 0}});
  auto err = peer.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
  EXPECT_EQ(err->payload.at("details").at("request_id"), json::value(id));

  // Zero threshold and a client that never acks: everything still flows.
  RuntimeOptions o = default_runtime_options();
  o.back_pressure_lag = 0;
  TestRuntime zero(o);
  auto client = zero.connect_memory("alice-token", ClientOptions{.ack_every_events = 0});
  auto job = client->submit({.agent = "chatty", .input = json::object{{"n", 200}}});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  EXPECT_TRUE(job->result());
  EXPECT_EQ(events.size(), 201U);  // 200 + the one back_pressure status
}

/// A consumer that stops reading: the client's reader thread blocks at the
/// first job event until unblocked (installed before the job is submitted).
struct StuckConsumer {
  std::mutex mu;
  std::condition_variable cv;
  bool unblocked = false;
  void block_reader(Client& client) {
    client.on_envelope([this](const Envelope& env, const std::string&) {
      if (env.type != "job.event") return;
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return unblocked; });
    });
  }
  void unblock() {
    std::lock_guard lock(mu);
    unblocked = true;
    cv.notify_all();
  }
};

TEST_F(Ack, ConformanceK05_NeverReadingConsumerKeepsMemoryWithinTheCaps) {
  RuntimeOptions o = default_runtime_options();
  o.max_buffered_events = 2000;
  o.max_outbound_bytes = 64 * 1024;
  TestRuntime capped(o);
  StuckConsumer stuck;  // outlives the client whose reader thread calls it
  auto client = capped.connect_memory();
  stuck.block_reader(*client);
  auto job =
      client->submit({.agent = "chatty", .input = json::object{{"n", 20000}, {"body_bytes", 200}}});
  ASSERT_TRUE(job);
  // The agent never waits for the consumer; the runtime holds at most the caps.
  ASSERT_TRUE(eventually([&] { return capped.runtime().stats().jobs == 0; }));
  auto stats = capped.runtime().stats();
  EXPECT_LE(stats.stored_events, 2000U + 2000U / 16U);
  EXPECT_LE(stats.pending_frames, 4096U);
  // The log cap evicted events this client never received: its transport was
  // ended with INTERNAL_ERROR rather than shown a gap, and it cannot resume.
  stuck.unblock();
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kResumeWindowExpired);
  bool saw_cap_error = false;
  while (auto e = client->next_session_error(std::chrono::milliseconds(100)))
    saw_cap_error |= e->code == ErrorCode::kInternalError &&
                     e->message.find("event log cap") != std::string::npos;
  EXPECT_TRUE(saw_cap_error);
}

TEST_F(Ack, SlowConsumerWithTheSqliteStoreGetsEverythingOnceWithBoundedMemory) {
  TempDir dir;
  RuntimeOptions o = default_runtime_options();
  o.data_dir = dir.path();
  o.max_outbound_bytes = 64 * 1024;
  TestRuntime durable(o);
  StuckConsumer stuck;  // outlives the client whose reader thread calls it
  auto client = durable.connect_memory();
  stuck.block_reader(*client);
  constexpr std::size_t kEvents = 20000;
  auto job = client->submit(
      {.agent = "chatty", .input = json::object{{"n", kEvents}, {"body_bytes", 200}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(eventually([&] { return durable.runtime().stats().jobs == 0; }));
  auto stats = durable.runtime().stats();
  // The pump checks the queue every 64 frames when streaming from disk.
  EXPECT_GT(stats.queued_bytes, 0U);
  EXPECT_LE(stats.queued_bytes, 64U * 1024U + 64U * 1024U);
  EXPECT_LE(stats.pending_frames, 4096U);  // the rest waits on disk
  // Every event, one back_pressure status (nothing was acknowledged), the result.
  EXPECT_EQ(stats.stored_events, kEvents + 2);
  stuck.unblock();
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  EXPECT_EQ(events.size(), kEvents + 1);
  for (std::size_t i = 0; i < events.size(); ++i)
    ASSERT_EQ(events[i].event_seq, static_cast<std::int64_t>(i + 1));
}

// An ack names events the client has processed, so it cannot pass what was
// delivered: one that does is refused and frees nothing (the undelivered
// events still arrive, every one).
TEST_F(Ack, AckPastTheDeliveredEventsIsRefusedAndFreesNothing) {
  TempDir dir;
  RuntimeOptions o = default_runtime_options();
  o.data_dir = dir.path();
  o.max_outbound_bytes = 16 * 1024;
  TestRuntime durable(o);
  StuckConsumer stuck;  // outlives the client whose reader thread calls it
  ClientOptions co;
  co.ack_every_events = 0;
  auto client = durable.connect_memory("alice-token", co);
  stuck.block_reader(*client);
  constexpr std::size_t kEvents = 6000;
  auto job = client->submit(
      {.agent = "chatty", .input = json::object{{"n", kEvents}, {"body_bytes", 200}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(eventually([&] { return durable.runtime().stats().jobs == 0; }));
  client->ack(static_cast<std::int64_t>(kEvents));  // far past the ~16 KiB on the wire
  stuck.unblock();
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  ASSERT_EQ(events.size(), kEvents);  // under back_pressure_lag: no status event
  for (std::size_t i = 0; i < events.size(); ++i)
    ASSERT_EQ(events[i].event_seq, static_cast<std::int64_t>(i + 1));
  auto err = client->next_session_error(kWait);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, ErrorCode::kInvalidRequest);
  EXPECT_NE(err->message.find("beyond the last event sent"), std::string::npos) << err->message;
}

// A data directory damaged under a running runtime: the session cannot
// deliver the lost events, so the client is told (INTERNAL_ERROR, transport
// closed) instead of stalling or seeing a gap, and a resume from before the
// loss is refused with RESUME_WINDOW_EXPIRED rather than looping.
TEST_F(Ack, EventsLostFromADamagedStoreEndTheTransportNotTheStreamSilently) {
  TempDir dir;
  RuntimeOptions o = default_runtime_options();
  o.data_dir = dir.path();
  o.max_outbound_bytes = 16 * 1024;
  TestRuntime durable(o);
  StuckConsumer stuck;
  ClientOptions co;
  co.ack_every_events = 0;
  auto client = durable.connect_memory("alice-token", co);
  stuck.block_reader(*client);
  constexpr std::size_t kEvents = 12000;  // well past the 4096-frame window kept in memory
  auto job = client->submit(
      {.agent = "chatty", .input = json::object{{"n", kEvents}, {"body_bytes", 200}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(eventually([&] { return durable.runtime().stats().jobs == 0; }));
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() + "/arcp.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char* msg = nullptr;
    int rc = sqlite3_exec(db,
                          "UPDATE event_chunks SET body = x'00' "
                          "WHERE first_seq >= 3000 AND last_seq <= 6000",
                          nullptr, nullptr, &msg);
    EXPECT_EQ(rc, SQLITE_OK) << (msg ? msg : "");
    EXPECT_GT(sqlite3_changes(db), 0);
    sqlite3_free(msg);
    sqlite3_close(db);
  }
  stuck.unblock();
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kResumeWindowExpired);
  bool told = false;
  while (auto e = client->next_session_error(std::chrono::milliseconds(100)))
    told |=
        e->code == ErrorCode::kInternalError && e->message.find("lost events") != std::string::npos;
  EXPECT_TRUE(told);
}

}  // namespace
}  // namespace arcp::test
