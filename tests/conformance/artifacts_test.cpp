// The `artifacts` extension (rfc-0001 §16 over `x-vendor.arcp.artifact.*`):
// put/fetch/release over memory, WebSocket and stdio, chunked transfers,
// retention, principal scoping, caps, negotiation, persistence, and the
// agent side (put_artifact + the §8.2 artifact_ref event).
#include <gtest/gtest.h>

#include <arcp/async.hpp>
#include <arcp/job_context.hpp>
#include <atomic>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <fstream>

#include "auth/secure_random.hpp"
#include "support/test_support.hpp"

namespace arcp::test {
namespace {

/// Byte i of `artifact_maker {bytes}`: (i*31 + 7) mod 256.
std::string pattern(std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 31 + 7) & 0xFF);
  return out;
}

/// A wall clock the test moves: expiry is driven, never waited for.
struct FakeClock {
  std::shared_ptr<std::atomic<std::int64_t>> skew_ms =
      std::make_shared<std::atomic<std::int64_t>>(0);
  std::function<SystemTime()> fn() const {
    return [s = skew_ms] {
      return std::chrono::system_clock::now() + std::chrono::milliseconds(s->load());
    };
  }
  void advance(std::chrono::seconds d) { *skew_ms += std::chrono::milliseconds(d).count(); }
};

/// What an error looks like to a prober: everything but the request id.
std::string shape(Error e) {
  e.details.erase("request_id");
  return std::string(to_string(e.code)) + "|" + e.message + "|" + json::serialize(e.details) + "|" +
         (e.retryable ? "r" : "-");
}

void round_trip(Client& c) {
  std::string bytes = "hello, artifact\n" + pattern(300);
  auto ref = c.put_artifact(bytes, "application/octet-stream", {.name = "greeting"});
  ASSERT_TRUE(ref) << ref.error().describe();
  EXPECT_EQ(ref->artifact_id.rfind("art_", 0), 0U);
  EXPECT_EQ(ref->artifact_id.size(), 4U + 26U);
  EXPECT_EQ(ref->uri, "arcp://artifact/" + ref->artifact_id);
  EXPECT_EQ(ref->size, bytes.size());
  EXPECT_EQ(ref->sha256, auth::sha256_hex(bytes));
  EXPECT_EQ(ref->media_type, "application/octet-stream");
  EXPECT_EQ(ref->name, "greeting");
  EXPECT_FALSE(ref->expires_at.empty());

  auto by_id = c.fetch_artifact(*ref);
  ASSERT_TRUE(by_id) << by_id.error().describe();
  EXPECT_EQ(*by_id, bytes);
  auto by_uri = c.fetch_artifact(ref->uri);
  ASSERT_TRUE(by_uri) << by_uri.error().describe();
  EXPECT_EQ(*by_uri, bytes);

  ASSERT_TRUE(c.release_artifact(ref->uri));
  auto gone = c.fetch_artifact(ref->artifact_id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(gone.error().details.at("reason"), "artifact_not_found");
  EXPECT_FALSE(c.release_artifact(ref->artifact_id));
}

TEST(Artifacts, PutFetchReleaseRoundTripOverMemoryWebSocketAndStdio) {
  TestRuntime rt;
  auto memory = rt.connect_memory();
  ASSERT_TRUE(memory->features().has(feature::kArtifacts));
  round_trip(*memory);

  auto ws = Client::connect(rt.websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(ws) << ws.error().describe();
  round_trip(**ws);

#ifdef ARCP_CLI_PATH
  auto stdio =
      Client::connect(std::string("stdio:") + ARCP_CLI_PATH + " serve --stdio --token t:alice",
                      ClientOptions{.token = "t"});
  ASSERT_TRUE(stdio) << stdio.error().describe();
  round_trip(**stdio);
#endif
}

TEST(Artifacts, WelcomeDeclaresRetentionOnlyWhenNegotiated) {
  auto o = default_runtime_options();
  o.artifact_retention_default = std::chrono::seconds(120);
  o.artifact_retention_max = std::chrono::seconds(900);
  TestRuntime rt(o);
  RawPeer with(rt.memory_connection());
  auto w = with.handshake("alice-token", json::array{"artifacts"});
  ASSERT_TRUE(w);
  const auto& caps = w->payload.at("capabilities").as_object();
  EXPECT_EQ(json::serialize(caps.at("features")), R"(["artifacts"])");
  EXPECT_EQ(json::serialize(caps.at("artifact_retention")),
            R"({"default_seconds":120,"max_seconds":900})");
  EXPECT_TRUE(caps.at("artifact_limits").as_object().contains("max_chunk_bytes"));

  RawPeer without(rt.memory_connection());
  auto w2 = without.handshake();
  ASSERT_TRUE(w2);
  EXPECT_FALSE(w2->payload.at("capabilities").as_object().contains("artifact_retention"));
}

TEST(Artifacts, NotNegotiatedIsRefusedWithTheRequestId) {
  TestRuntime rt;
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  for (auto [type, payload] :
       {std::pair{"x-vendor.arcp.artifact.put",
                  json::object{{"media_type", "text/plain"}, {"data", "aGk="}}},
        std::pair{"x-vendor.arcp.artifact.fetch", json::object{{"artifact_id", "art_x"}}},
        std::pair{"x-vendor.arcp.artifact.release", json::object{{"artifact_id", "art_x"}}}}) {
    std::string id = peer.send(type, payload);
    auto err = peer.next_of("session.error");
    ASSERT_TRUE(err) << type;
    EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
    EXPECT_EQ(err->payload.at("details").at("request_id").as_string(), id);
  }
  // The session lives on.
  peer.send("session.ping", json::object{{"nonce", "n1"}, {"sent_at", now_rfc3339()}});
  EXPECT_TRUE(peer.next_of("session.pong"));
}

// A whole put that names its sha256 is checked against it, as a chunked
// upload's last chunk is.
TEST(Artifacts, AWholePutIsCheckedAgainstTheSha256ItNames) {
  TestRuntime rt;
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", json::array{"artifacts"}));
  std::string wrong =
      peer.send("x-vendor.arcp.artifact.put", json::object{{"media_type", "text/plain"},
                                                           {"data", "aGk="},
                                                           {"sha256", std::string(64, '0')}});
  auto err = peer.next_of("session.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
  EXPECT_EQ(err->payload.at("details").at("request_id").as_string(), wrong);
  EXPECT_EQ(rt.runtime().stats().artifacts, 0U);
  peer.send(
      "x-vendor.arcp.artifact.put",
      json::object{{"media_type", "text/plain"},
                   {"data", "aGk="},  // "hi"
                   {"sha256", "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"}});
  auto stored = peer.next_of("x-vendor.arcp.artifact.stored");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->payload.at("artifact").at("size"), 2);
}

TEST(Artifacts, PeerWithoutTheFeatureReceivesNothingUnexpected) {
  // Another SDK: offers no `artifacts`, yet runs an agent that makes one. It
  // sees only core messages (the §8.2 artifact_ref event is core), and its
  // own stray vendor messages are ignored silently.
  TestRuntime rt;
  RawPeer peer(rt.memory_connection());
  auto w = peer.handshake();
  ASSERT_TRUE(w);
  peer.send("x-vendor.arcp.artifact.stored", json::object{{"request_id", "zzz"}});
  peer.send("job.submit",
            json::object{{"agent", "artifact_maker"}, {"input", json::object{{"text", "abc"}}}});
  std::vector<std::string> types;
  std::string kind;
  for (;;) {
    auto env = peer.next();
    ASSERT_TRUE(env);
    types.push_back(env->type);
    if (env->type == "job.event") kind = std::string(env->payload.at("kind").as_string());
    if (env->type == "job.result" || env->type == "job.error") break;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"job.accepted", "job.event", "job.result"}));
  EXPECT_EQ(kind, "artifact_ref");
  peer.send("session.ping", json::object{{"nonce", "n2"}, {"sent_at", now_rfc3339()}});
  auto next = peer.next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->type, "session.pong");
}

TEST(Artifacts, LargeArtifactTravelsInChunksWithItsSha256Checked) {
  auto o = default_runtime_options();
  o.max_artifact_chunk_bytes = 256U << 10U;
  TestRuntime rt(o);
  auto client = Client::connect(rt.websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(client) << client.error().describe();
  std::atomic<int> puts{0};
  std::atomic<int> data_frames{0};
  (*client)->on_envelope([&](const Envelope& e, const std::string&) {
    if (e.type == "x-vendor.arcp.artifact.uploading" || e.type == "x-vendor.arcp.artifact.stored")
      ++puts;
    if (e.type == "x-vendor.arcp.artifact.data") ++data_frames;
  });
  std::string big = pattern(5U << 20U);
  auto ref = (*client)->put_artifact(big, "application/octet-stream");
  ASSERT_TRUE(ref) << ref.error().describe();
  EXPECT_EQ(puts.load(), 20);  // 5 MiB in 256 KiB chunks, each answered
  EXPECT_EQ(ref->size, big.size());
  EXPECT_EQ(ref->sha256, auth::sha256_hex(big));

  std::string streamed;
  std::size_t chunks = 0;
  auto fetched =
      (*client)->fetch_artifact_to(ref->artifact_id, [&](std::string_view c) -> Result<void> {
        ++chunks;
        EXPECT_LE(c.size(), 256U << 10U);
        streamed.append(c);
        return {};
      });
  ASSERT_TRUE(fetched) << fetched.error().describe();
  EXPECT_EQ(chunks, 20U);
  EXPECT_EQ(data_frames.load(), 20);
  EXPECT_TRUE(streamed == big);

  // The in-memory form refuses what exceeds its cap before reading it all.
  auto capped = (*client)->fetch_artifact(*ref, 1U << 20U);
  ASSERT_FALSE(capped);
  EXPECT_EQ(capped.error().details.at("limit"), "max_bytes");
  EXPECT_EQ(data_frames.load(), 21);
  // A sink error stops the transfer.
  auto stopped = (*client)->fetch_artifact_to(ref->uri, [](std::string_view) -> Result<void> {
    return Error(ErrorCode::kCancelled, "enough");
  });
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, ErrorCode::kCancelled);
}

TEST(Artifacts, ExpiredArtifactIsNotFoundAndTheSweepRemovesIt) {
  FakeClock clock;
  auto o = default_runtime_options();
  o.artifact_clock = clock.fn();
  TestRuntime rt(o);
  auto c = rt.connect_memory();
  auto short_lived = c->put_artifact("brief", "text/plain", {.retention_seconds = 5});
  auto long_lived = c->put_artifact("lasting", "text/plain");  // default retention: 1 h
  ASSERT_TRUE(short_lived && long_lived);
  EXPECT_EQ(rt.runtime().stats().artifacts, 2U);
  clock.advance(std::chrono::seconds(4));
  EXPECT_TRUE(c->fetch_artifact(*short_lived));
  clock.advance(std::chrono::seconds(2));
  // Past its retention it is gone at once, swept or not (§16.3).
  auto expired = c->fetch_artifact(*short_lived);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().details.at("reason"), "artifact_not_found");
  EXPECT_EQ(rt.runtime().stats().artifacts, 2U);
  rt.runtime().sweep();
  EXPECT_EQ(rt.runtime().stats().artifacts, 1U);
  EXPECT_TRUE(c->fetch_artifact(*long_lived));
  // Retention beyond the declared maximum is refused, not shortened.
  auto too_long = c->put_artifact("x", "text/plain", {.retention_seconds = 8 * 24 * 3600});
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(too_long.error().details.at("limit"), "max_retention_seconds");
}

TEST(Artifacts, AnotherPrincipalGetsExactlyTheAnswerForAnUnknownId) {
  TestRuntime rt;
  auto alice = rt.connect_memory("alice-token");
  auto bob = rt.connect_memory("bob-token");
  auto ref = alice->put_artifact("alice's secret", "text/plain");
  ASSERT_TRUE(ref);
  auto foreign = bob->fetch_artifact(ref->artifact_id);
  auto unknown = bob->fetch_artifact("art_01J00000000000000000000000");
  ASSERT_FALSE(foreign);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(shape(foreign.error()), shape(unknown.error()));
  auto foreign_release = bob->release_artifact(ref->uri);
  ASSERT_FALSE(foreign_release);
  EXPECT_EQ(shape(foreign_release.error()), shape(unknown.error()));
  // Still alice's, untouched.
  auto mine = alice->fetch_artifact(*ref);
  ASSERT_TRUE(mine);
  EXPECT_EQ(*mine, "alice's secret");
  // A second session of the same principal may fetch it.
  auto alice2 = rt.connect_memory("alice-token");
  EXPECT_TRUE(alice2->fetch_artifact(ref->uri));
}

TEST(Artifacts, CapsGiveCodedErrorsNeverTruncation) {
  auto o = default_runtime_options();
  o.max_artifact_bytes = 1000;
  o.max_artifact_bytes_per_principal = 1500;
  o.max_artifacts_per_principal = 2;
  o.max_artifact_chunk_bytes = 256;
  TestRuntime rt(o);
  auto alice = rt.connect_memory("alice-token");
  auto limit_of = [](const Result<ArtifactRef>& r) {
    return r ? std::string("ok") : std::string(r.error().details.at("limit").as_string());
  };
  // Over the per-artifact cap: whole (a chunked upload, refused mid-way).
  auto big = alice->put_artifact(std::string(1001, 'a'), "text/plain");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(limit_of(big), "max_artifact_bytes");
  EXPECT_EQ(limit_of(alice->put_artifact(std::string(800, 'a'), "text/plain")), "ok");
  auto over_bytes = alice->put_artifact(std::string(800, 'b'), "text/plain");
  EXPECT_EQ(limit_of(over_bytes), "max_artifact_bytes_per_principal");
  EXPECT_EQ(over_bytes.error().code, ErrorCode::kInternalError);
  EXPECT_TRUE(over_bytes.error().retryable);
  EXPECT_EQ(limit_of(alice->put_artifact("small", "text/plain")), "ok");
  EXPECT_EQ(limit_of(alice->put_artifact("one more", "text/plain")), "max_artifacts_per_principal");
  // The refused uploads left nothing counted behind; bob has his own quota.
  EXPECT_EQ(rt.runtime().stats().artifacts, 2U);
  auto bob = rt.connect_memory("bob-token");
  EXPECT_EQ(limit_of(bob->put_artifact(std::string(800, 'c'), "text/plain")), "ok");
}

TEST(Artifacts, OpenUploadsPerSessionAreCapped) {
  auto o = default_runtime_options();
  o.max_artifact_uploads_per_session = 2;
  TestRuntime rt(o);
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", json::array{"artifacts"}));
  auto chunk = [&](const std::string& upload, bool more) {
    return peer.send(
        "x-vendor.arcp.artifact.put",
        json::object{
            {"upload_id", upload}, {"media_type", "text/plain"}, {"data", "aGk="}, {"more", more}});
  };
  chunk("u1", true);
  EXPECT_EQ(peer.next()->type, "x-vendor.arcp.artifact.uploading");
  chunk("u2", true);
  EXPECT_EQ(peer.next()->type, "x-vendor.arcp.artifact.uploading");
  std::string third = chunk("u3", true);
  auto err = peer.next();
  ASSERT_TRUE(err);
  ASSERT_EQ(err->type, "session.error");
  EXPECT_EQ(err->payload.at("details").at("limit"), "max_artifact_uploads_per_session");
  EXPECT_EQ(err->payload.at("details").at("request_id").as_string(), third);
  // Finishing one frees its slot.
  chunk("u1", false);
  auto stored = peer.next();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->type, "x-vendor.arcp.artifact.stored");
  EXPECT_EQ(stored->payload.at("artifact").at("size"), 4);
  chunk("u3", true);
  EXPECT_EQ(peer.next()->type, "x-vendor.arcp.artifact.uploading");
}

TEST(Artifacts, ChunkedUploadChecksOffsetsAndSha256) {
  TestRuntime rt;
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", json::array{"artifacts"}));
  auto put = [&](json::object p) {
    peer.send("x-vendor.arcp.artifact.put", std::move(p));
    return peer.next();
  };
  auto r1 =
      put({{"upload_id", "a"}, {"media_type", "text/plain"}, {"data", "aGk="}, {"more", true}});
  EXPECT_EQ(r1->type, "x-vendor.arcp.artifact.uploading");
  EXPECT_EQ(r1->payload.at("received"), 2);
  // A gap: refused, and the upload is dropped.
  auto gap = put({{"upload_id", "a"}, {"offset", 5}, {"data", "aGk="}, {"more", false}});
  EXPECT_EQ(gap->type, "session.error");
  auto after = put({{"upload_id", "a"}, {"data", "aGk="}, {"more", false}});
  EXPECT_EQ(after->type, "session.error");  // unknown upload now: no media_type
  // A wrong sha256 on the last chunk: nothing stored.
  put({{"upload_id", "b"}, {"media_type", "text/plain"}, {"data", "aGk="}, {"more", true}});
  auto bad = put({{"upload_id", "b"}, {"data", "aGk="}, {"sha256", std::string(64, '0')}});
  EXPECT_EQ(bad->type, "session.error");
  EXPECT_EQ(rt.runtime().stats().artifacts, 0U);
  // Malformed payloads are coded errors.
  for (auto p :
       {json::object{{"media_type", "text/plain"}, {"data", "not base64!"}},
        json::object{{"data", "aGk="}}, json::object{{"media_type", "nonsense"}, {"data", "aGk="}},
        json::object{{"media_type", "text/plain"}, {"data", "aGk="}, {"more", true}},
        json::object{{"media_type", "text/plain"}, {"data", "aGk="}, {"retention_seconds", 0}}}) {
    auto e = put(p);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->type, "session.error") << json::serialize(p);
    EXPECT_EQ(e->payload.at("code"), "INVALID_REQUEST");
  }
  peer.send("x-vendor.arcp.artifact.fetch", json::object{{"uri", "https://elsewhere/x"}});
  EXPECT_EQ(peer.next()->payload.at("code"), "INVALID_REQUEST");
}

TEST(Artifacts, FetchPastTheEndIsRefusedAndAtTheEndIsEmpty) {
  TestRuntime rt;
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake("alice-token", json::array{"artifacts"}));
  peer.send("x-vendor.arcp.artifact.put",
            json::object{{"media_type", "text/plain"}, {"data", "aGk="}});
  auto stored = peer.next();
  ASSERT_EQ(stored->type, "x-vendor.arcp.artifact.stored");
  std::string id(stored->payload.at("artifact").at("artifact_id").as_string());
  std::string req = peer.send("x-vendor.arcp.artifact.fetch",
                              json::object{{"artifact_id", id}, {"offset", 1}, {"max_bytes", 1}});
  auto d = peer.next();
  ASSERT_EQ(d->type, "x-vendor.arcp.artifact.data");
  EXPECT_EQ(d->payload.at("request_id").as_string(), req);
  EXPECT_EQ(d->payload.at("data"), "aQ==");  // "i"
  EXPECT_EQ(d->payload.at("more"), false);
  EXPECT_EQ(d->payload.at("size"), 2);
  peer.send("x-vendor.arcp.artifact.fetch", json::object{{"artifact_id", id}, {"offset", 2}});
  auto end = peer.next();
  EXPECT_EQ(end->payload.at("data"), "");
  peer.send("x-vendor.arcp.artifact.fetch", json::object{{"artifact_id", id}, {"offset", 3}});
  EXPECT_EQ(peer.next()->type, "session.error");
  std::string rel = peer.send("x-vendor.arcp.artifact.release", json::object{{"artifact_id", id}});
  auto released = peer.next();
  EXPECT_EQ(released->type, "x-vendor.arcp.artifact.released");
  EXPECT_EQ(released->payload.at("request_id").as_string(), rel);
  EXPECT_EQ(released->payload.at("artifact_id").as_string(), id);
}

TEST(Artifacts, ArtifactsSurviveARestartWithADataDir) {
  TempDir dir;
  auto o = default_runtime_options();
  o.data_dir = dir.path();
  std::string big = pattern(3U << 20U);
  ArtifactRef kept;
  ArtifactRef released;
  {
    TestRuntime rt(o);
    auto c = rt.connect_memory();
    auto a = c->put_artifact(big, "application/octet-stream", {.name = "big"});
    auto b = c->put_artifact("gone soon", "text/plain");
    ASSERT_TRUE(a && b);
    kept = *a;
    released = *b;
    ASSERT_TRUE(c->release_artifact(b->artifact_id));
  }
  std::string art_dir = dir.path() + "/artifacts";
  EXPECT_TRUE(std::filesystem::exists(art_dir + "/" + kept.artifact_id + ".data"));
  EXPECT_FALSE(std::filesystem::exists(art_dir + "/" + released.artifact_id + ".data"));
  // What a crash mid-write leaves: a temporary and data without metadata.
  std::ofstream(art_dir + "/art_01J00000000000000000000001.data.tmp") << "half";
  std::ofstream(art_dir + "/art_01J00000000000000000000002.data") << "orphan";
  {
    TestRuntime rt(o);
    EXPECT_EQ(rt.runtime().stats().artifacts, 1U);
    EXPECT_FALSE(std::filesystem::exists(art_dir + "/art_01J00000000000000000000001.data.tmp"));
    EXPECT_FALSE(std::filesystem::exists(art_dir + "/art_01J00000000000000000000002.data"));
    auto c = rt.connect_memory();
    auto got = c->fetch_artifact(kept.uri);
    ASSERT_TRUE(got) << got.error().describe();
    EXPECT_TRUE(*got == big);
    EXPECT_FALSE(c->fetch_artifact(released.artifact_id));
    auto bob = rt.connect_memory("bob-token");
    EXPECT_FALSE(bob->fetch_artifact(kept.uri));  // still alice's after the restart
  }
}

TEST(Artifacts, AgentPutsAnArtifactAndTheClientFetchesItFromTheEvent) {
  TestRuntime rt;
  auto c = rt.connect_memory();
  auto job =
      c->submit({.agent = "artifact_maker",
                 .input = json::object{{"bytes", 100000}, {"media_type", "application/x-test"}}});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].kind, "artifact_ref");
  const auto& body = events[0].body;
  EXPECT_EQ(body.at("content_type"), "application/x-test");
  EXPECT_EQ(body.at("byte_size"), 100000);
  std::string want = pattern(100000);
  EXPECT_EQ(body.at("sha256").as_string(), auth::sha256_hex(want));
  auto result = job->result();
  ASSERT_TRUE(result);
  auto ref = ArtifactRef::from_json(result->as_object());
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->uri, body.at("uri").as_string());

  auto got = c->fetch_artifact(std::string(body.at("uri").as_string()));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_TRUE(*got == want);
  // Owned by the job's principal: bob cannot see it.
  auto bob = rt.connect_memory("bob-token");
  EXPECT_FALSE(bob->fetch_artifact(ref->uri));
}

TEST(Artifacts, BlockingAgentPutsWithTheBlockingForm) {
  TestRuntime rt;
  ASSERT_TRUE(
      rt.runtime().register_agent("blocking_maker", [](JobContext& ctx) -> Result<json::value> {
        auto ref = ctx.put_artifact("made by a blocking agent", "text/plain");
        if (!ref) return ref.error();
        if (auto e = ctx.artifact_ref(*ref); !e) return e.error();
        return ref->to_json();
      }));
  auto c = rt.connect_memory();
  auto job = c->submit({.agent = "blocking_maker"});
  ASSERT_TRUE(job);
  auto result = job->result();
  ASSERT_TRUE(result) << result.error().describe();
  auto got = c->fetch_artifact(std::string(result->at("uri").as_string()));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "made by a blocking agent");
}

TEST(Artifacts, AsyncClientFormsComplete) {
  TestRuntime rt;
  auto c = rt.connect_memory();
  auto ref = async_put_artifact(*c, "async bytes", "text/plain", {}, boost::asio::use_future).get();
  ASSERT_TRUE(ref) << ref.error().describe();
  auto fetched = async_fetch_artifact(*c, ref->uri, 1024, boost::asio::use_future).get();
  ASSERT_TRUE(fetched) << fetched.error().describe();
  EXPECT_EQ(*fetched, "async bytes");
  EXPECT_TRUE(async_release_artifact(*c, ref->artifact_id, boost::asio::use_future).get());
}

}  // namespace
}  // namespace arcp::test
