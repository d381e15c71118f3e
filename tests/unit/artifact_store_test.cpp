// The artifact store on its own: caps and their accounting, principal
// scoping, expiry by a moved clock, chunked uploads, and the directory form
// surviving a reopen.
#include "store/artifact_store.hpp"

#include <gtest/gtest.h>

#include <arcp/ids.hpp>
#include <atomic>
#include <filesystem>

#include "auth/secure_random.hpp"
#include "core/artifact_messages.hpp"

namespace arcp::store {
namespace {

struct Clock {
  std::shared_ptr<std::atomic<std::int64_t>> skew = std::make_shared<std::atomic<std::int64_t>>(0);
  ArtifactStore::Clock fn() const {
    return
        [s = skew] { return std::chrono::system_clock::now() + std::chrono::seconds(s->load()); };
  }
};

std::string temp_dir() {
  auto p = std::filesystem::temp_directory_path() / ("arcp-art-" + new_ulid());
  return p.string();
}

TEST(ArtifactStore, ReleaseFreesTheQuotaItUsed) {
  ArtifactLimits l;
  l.max_bytes_per_principal = 10;
  l.max_artifacts_per_principal = 1;
  auto s = ArtifactStore::open("", l).value();
  auto a = s->put("p", "0123456789", "text/plain", {});
  ASSERT_TRUE(a);
  EXPECT_FALSE(s->put("p", "x", "text/plain", {}));
  ASSERT_TRUE(s->release("p", a->artifact_id));
  EXPECT_TRUE(s->put("p", "0123456789", "text/plain", {}));
}

TEST(ArtifactStore, ReadsAreScopedAndRanged) {
  auto s = ArtifactStore::open("", {}).value();
  auto a = s->put("p", "abcdef", "text/plain", {});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->sha256, auth::sha256_hex("abcdef"));
  auto r = s->read("p", a->artifact_id, 2, 3);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data, "cde");
  EXPECT_TRUE(r->more);
  auto other = s->read("q", a->artifact_id, 0, 10);
  auto unknown = s->read("q", "art_nope", 0, 10);
  ASSERT_FALSE(other);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(json::serialize(other.error().to_json()), json::serialize(unknown.error().to_json()));
}

TEST(ArtifactStore, ExpiryFollowsTheClock) {
  Clock clock;
  auto s = ArtifactStore::open("", {}, clock.fn()).value();
  auto a = s->put("p", "x", "text/plain", {.retention_seconds = 10});
  ASSERT_TRUE(a);
  *clock.skew += 9;
  EXPECT_TRUE(s->read("p", a->artifact_id, 0, 1));
  *clock.skew += 1;
  EXPECT_FALSE(s->read("p", a->artifact_id, 0, 1));
  EXPECT_EQ(s->sweep(), 1U);
  EXPECT_EQ(s->size(), 0U);
}

TEST(ArtifactStore, ChunkedUploadCountsItsBytesWhileOpen) {
  ArtifactLimits l;
  l.max_bytes_per_principal = 6;
  auto s = ArtifactStore::open("", l).value();
  core::ArtifactPut c;
  c.upload_id = "u";
  c.media_type = "text/plain";
  c.data = "abcd";
  c.more = true;
  auto step = s->put_chunk("p", "sess", c);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->received, 4U);
  // The open upload holds 4 of the 6 bytes.
  EXPECT_FALSE(s->put("p", "xyz", "text/plain", {}));
  c.media_type.clear();
  c.data = "ef";
  c.more = false;
  auto done = s->put_chunk("p", "sess", c);
  ASSERT_TRUE(done && done->stored);
  EXPECT_EQ(done->stored->size, 6U);
  EXPECT_EQ(s->read("p", done->stored->artifact_id, 0, 100)->data, "abcdef");
}

TEST(ArtifactStore, DirectoryFormSurvivesAReopen) {
  std::string dir = temp_dir();
  std::string id;
  {
    auto s = ArtifactStore::open(dir, {}).value();
    auto a = s->put("p", "persisted", "text/plain", {.name = "n"});
    ASSERT_TRUE(a);
    id = a->artifact_id;
  }
  {
    auto s = ArtifactStore::open(dir, {}).value();
    auto r = s->read("p", id, 0, 100);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->data, "persisted");
    EXPECT_EQ(r->ref.name, "n");
    ASSERT_TRUE(s->release("p", id));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

TEST(ArtifactMessages, DecodersRefuseMalformedPayloads) {
  using core::ArtifactFetch;
  using core::ArtifactPut;
  EXPECT_FALSE(ArtifactPut::from_json({{"media_type", "text/plain"}}, 100));
  EXPECT_FALSE(ArtifactPut::from_json({{"media_type", "text/plain"}, {"data", "aGk"}}, 100));
  EXPECT_FALSE(ArtifactPut::from_json({{"media_type", "text/plain"}, {"data", "aGk="}}, 1));
  EXPECT_FALSE(ArtifactPut::from_json({{"media_type", "a b/c"}, {"data", "aGk="}}, 100));
  EXPECT_FALSE(ArtifactPut::from_json(
      {{"media_type", "text/plain"}, {"data", "aGk="}, {"sha256", "AB"}}, 100));
  EXPECT_TRUE(
      ArtifactPut::from_json({{"media_type", "text/plain; charset=utf-8"}, {"data", "aGk="}}, 100));
  EXPECT_FALSE(ArtifactFetch::from_json({}));
  EXPECT_FALSE(ArtifactFetch::from_json({{"artifact_id", "art_a"}, {"offset", -1}}));
  EXPECT_FALSE(
      ArtifactFetch::from_json({{"artifact_id", "art_a"}, {"uri", "arcp://artifact/art_b"}}));
  EXPECT_FALSE(ArtifactFetch::from_json({{"artifact_id", std::string(300, 'a')}}));
  auto f = ArtifactFetch::from_json({{"uri", "arcp://artifact/art_a"}});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->artifact_id, "art_a");
  EXPECT_EQ(artifact_id_from_ref("arcp://artifact/art_a/../x"), "");
}

}  // namespace
}  // namespace arcp::store
