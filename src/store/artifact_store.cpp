#include "store/artifact_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <arcp/ids.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "auth/sha256_hasher.hpp"

namespace arcp::store {
namespace {

namespace fs = std::filesystem;

std::int64_t to_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Error io_error(const std::string& what) {
  return Error(ErrorCode::kInternalError, "artifact storage failed: " + what);
}

// Writes `bytes` to `path` through a temporary name: synced, then renamed.
Result<void> write_atomically(const std::string& path, std::string_view bytes) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io_error("cannot write " + tmp + ": " + std::strerror(e));
    }
    done += static_cast<std::size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return io_error("cannot commit " + path);
  }
  return {};
}

void sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

Result<std::string> read_range(const std::string& path, std::uint64_t offset, std::size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ArtifactStore::not_found();  // released or swept meanwhile
  std::string out(n, '\0');
  std::size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += static_cast<std::size_t>(r);
  }
  ::close(fd);
  if (done != n) return io_error("short read of " + path);
  return out;
}

}  // namespace

Error ArtifactStore::not_found() {
  return Error(ErrorCode::kInvalidRequest,
               "artifact not found (unknown, expired, released, or not this principal's)",
               json::object{{"reason", "artifact_not_found"}});
}

ArtifactStore::ArtifactStore(std::string dir, ArtifactLimits limits, Clock clock)
    : dir_(std::move(dir)), limits_(limits), clock_(std::move(clock)) {}

Result<std::shared_ptr<ArtifactStore>> ArtifactStore::open(std::string dir, ArtifactLimits limits,
                                                           Clock clock) {
  if (limits.max_retention < std::chrono::seconds(1))
    limits.max_retention = std::chrono::seconds(1);
  limits.default_retention =
      std::clamp(limits.default_retention, std::chrono::seconds(1), limits.max_retention);
  auto s = std::make_shared<ArtifactStore>(std::move(dir), limits, std::move(clock));
  if (!s->dir_.empty()) {
    std::error_code ec;
    fs::create_directories(s->dir_, ec);
    if (ec) return io_error("cannot create " + s->dir_ + ": " + ec.message());
    s->load();
  }
  return s;
}

SystemTime ArtifactStore::now() const {
  return clock_ ? clock_() : std::chrono::system_clock::now();
}

ArtifactRetention ArtifactStore::retention() const {
  return {limits_.default_retention.count(), limits_.max_retention.count()};
}

std::size_t ArtifactStore::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::string ArtifactStore::data_path(const std::string& id) const {
  return dir_ + "/" + id + ".data";
}
std::string ArtifactStore::meta_path(const std::string& id) const {
  return dir_ + "/" + id + ".json";
}

Result<SystemTime> ArtifactStore::expiry_for(const PutArtifactOptions& options) const {
  auto secs = options.retention_seconds.value_or(limits_.default_retention.count());
  if (secs < 1)
    return Error(ErrorCode::kInvalidRequest, "retention_seconds must be a positive integer");
  if (secs > limits_.max_retention.count())
    return Error(
        ErrorCode::kInvalidRequest,
        "retention_seconds " + std::to_string(secs) + " exceeds the runtime's maximum of " +
            std::to_string(limits_.max_retention.count()),
        json::object{{"limit", "max_retention_seconds"}, {"cap", limits_.max_retention.count()}});
  // Whole milliseconds: the instant the reference names is the one enforced.
  auto t = now() + std::chrono::seconds(secs);
  return SystemTime(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()));
}

Result<void> ArtifactStore::reserve_locked(const std::string& principal, std::uint64_t bytes,
                                           bool bytes_counted) {
  auto& u = usage_[principal];
  if (u.count >= limits_.max_artifacts_per_principal) {
    if (u.count == 0 && u.bytes == 0) usage_.erase(principal);
    return Error(ErrorCode::kInternalError,
                 "artifact limit reached (" + std::to_string(limits_.max_artifacts_per_principal) +
                     " per principal); release one and retry",
                 json::object{{"limit", "max_artifacts_per_principal"},
                              {"cap", limits_.max_artifacts_per_principal}});
  }
  if (!bytes_counted) {
    if (bytes >
        limits_.max_bytes_per_principal - std::min(u.bytes, limits_.max_bytes_per_principal)) {
      if (u.count == 0 && u.bytes == 0) usage_.erase(principal);
      return Error(ErrorCode::kInternalError,
                   "artifact storage limit reached (" +
                       std::to_string(limits_.max_bytes_per_principal) +
                       " bytes per principal); release some and retry",
                   json::object{{"limit", "max_artifact_bytes_per_principal"},
                                {"cap", limits_.max_bytes_per_principal}});
    }
    u.bytes += bytes;
  }
  ++u.count;
  return {};
}

void ArtifactStore::unreserve_locked(const std::string& principal, std::size_t count,
                                     std::uint64_t bytes) {
  auto it = usage_.find(principal);
  if (it == usage_.end()) return;
  it->second.count -= std::min(it->second.count, count);
  it->second.bytes -= std::min(it->second.bytes, bytes);
  if (it->second.count == 0 && it->second.bytes == 0) usage_.erase(it);
}

Result<ArtifactRef> ArtifactStore::put(const std::string& principal, std::string data,
                                       std::string_view media_type,
                                       const PutArtifactOptions& options) {
  if (!core::valid_media_type(media_type))
    return Error(ErrorCode::kInvalidRequest, "media_type must be type/subtype");
  if (options.name.size() > core::kMaxArtifactNameBytes)
    return Error(ErrorCode::kInvalidRequest, "artifact name is too long");
  if (data.size() > limits_.max_artifact_bytes)
    return Error(
        ErrorCode::kInvalidRequest,
        "artifact of " + std::to_string(data.size()) + " bytes exceeds the cap of " +
            std::to_string(limits_.max_artifact_bytes) + " bytes",
        json::object{{"limit", "max_artifact_bytes"}, {"cap", limits_.max_artifact_bytes}});
  auto expires = expiry_for(options);
  if (!expires) return expires.error();
  {
    std::lock_guard lock(mu_);
    if (auto r = reserve_locked(principal, data.size(), false); !r) return r.error();
  }
  return commit(principal, std::move(data), std::string(media_type), options, *expires);
}

Result<ArtifactRef> ArtifactStore::commit(const std::string& principal, std::string data,
                                          std::string media_type, const PutArtifactOptions& options,
                                          SystemTime expires) {
  Entry e;
  e.principal = principal;
  e.expires = expires;
  e.ref.artifact_id = new_id("art");
  e.ref.uri = std::string(kArtifactUriPrefix) + e.ref.artifact_id;
  e.ref.media_type = std::move(media_type);
  e.ref.size = data.size();
  e.ref.name = options.name;
  e.ref.expires_at = format_rfc3339(expires);
  auth::Sha256Hasher hasher;
  hasher.update(data);
  e.ref.sha256 = hasher.hex_final();
  if (!dir_.empty()) {
    if (auto w = write_files(e, data); !w) {
      std::lock_guard lock(mu_);
      unreserve_locked(principal, 1, e.ref.size);
      return w.error();
    }
  } else {
    e.data = std::make_shared<const std::string>(std::move(data));
  }
  ArtifactRef ref = e.ref;
  std::lock_guard lock(mu_);
  entries_.emplace(ref.artifact_id, std::move(e));
  return ref;
}

Result<UploadStep> ArtifactStore::put_chunk(const std::string& principal,
                                            const std::string& session_id,
                                            core::ArtifactPut chunk) {
  std::unique_lock lock(mu_);
  UploadKey key{session_id, chunk.upload_id};
  auto it = uploads_.find(key);
  auto fail = [&](Error e) -> Result<UploadStep> {
    if (it != uploads_.end()) drop_upload_locked(it);
    return e;
  };
  if (it == uploads_.end()) {
    if (chunk.media_type.empty())
      return Error(ErrorCode::kInvalidRequest,
                   "unknown upload_id: the first chunk of an upload carries media_type");
    if (chunk.offset && *chunk.offset != 0)
      return Error(ErrorCode::kInvalidRequest, "unknown upload_id: the first chunk has offset 0");
    auto& open = uploads_per_session_[session_id];
    if (open >= limits_.max_uploads_per_session)
      return Error(ErrorCode::kInternalError,
                   "too many artifact uploads open on this session (" +
                       std::to_string(limits_.max_uploads_per_session) + "); finish one and retry",
                   json::object{{"limit", "max_artifact_uploads_per_session"},
                                {"cap", limits_.max_uploads_per_session}});
    PutArtifactOptions options{chunk.name, chunk.retention_seconds};
    if (auto exp = expiry_for(options); !exp) {
      if (open == 0) uploads_per_session_.erase(session_id);
      return exp.error();
    }
    ++open;
    it = uploads_.emplace(key, Upload{principal, chunk.media_type, options, {}, now()}).first;
  } else if (it->second.principal != principal) {
    return Error(ErrorCode::kInvalidRequest, "upload_id belongs to another principal");
  }
  Upload& up = it->second;
  if (chunk.offset && *chunk.offset != up.data.size())
    return fail(Error(ErrorCode::kInvalidRequest, "chunk offset " + std::to_string(*chunk.offset) +
                                                      " but " + std::to_string(up.data.size()) +
                                                      " bytes were received; upload dropped"));
  if (chunk.data.size() > limits_.max_artifact_bytes - up.data.size())
    return fail(Error(
        ErrorCode::kInvalidRequest,
        "artifact exceeds the cap of " + std::to_string(limits_.max_artifact_bytes) + " bytes",
        json::object{{"limit", "max_artifact_bytes"}, {"cap", limits_.max_artifact_bytes}}));
  auto& u = usage_[principal];
  if (chunk.data.size() >
      limits_.max_bytes_per_principal - std::min(u.bytes, limits_.max_bytes_per_principal))
    return fail(Error(ErrorCode::kInternalError,
                      "artifact storage limit reached (" +
                          std::to_string(limits_.max_bytes_per_principal) +
                          " bytes per principal); release some and retry",
                      json::object{{"limit", "max_artifact_bytes_per_principal"},
                                   {"cap", limits_.max_bytes_per_principal}}));
  u.bytes += chunk.data.size();
  up.data += chunk.data;
  up.last = now();
  UploadStep step{up.data.size(), std::nullopt};
  if (chunk.more) return step;

  // The last chunk: the upload's bytes are already counted; now the count.
  std::string data = std::move(up.data);
  std::string media_type = std::move(up.media_type);
  PutArtifactOptions options = std::move(up.options);
  up.data.clear();
  if (--uploads_per_session_[session_id] == 0) uploads_per_session_.erase(session_id);
  uploads_.erase(it);
  it = uploads_.end();
  auto drop_bytes = [&] { unreserve_locked(principal, 0, data.size()); };
  if (!chunk.sha256.empty()) {
    lock.unlock();
    auth::Sha256Hasher hasher;
    hasher.update(data);
    bool match = hasher.hex_final() == chunk.sha256;
    lock.lock();
    if (!match) {
      drop_bytes();
      return Error(ErrorCode::kInvalidRequest,
                   "uploaded bytes do not match the sha256 given; upload dropped");
    }
  }
  auto expires = expiry_for(options);
  if (!expires) {
    drop_bytes();
    return expires.error();
  }
  if (auto r = reserve_locked(principal, data.size(), true); !r) {
    drop_bytes();
    return r.error();
  }
  lock.unlock();
  auto ref = commit(principal, std::move(data), std::move(media_type), options, *expires);
  if (!ref) return ref.error();
  step.stored = std::move(*ref);
  return step;
}

void ArtifactStore::drop_upload_locked(std::map<UploadKey, Upload>::iterator it) {
  unreserve_locked(it->second.principal, 0, it->second.data.size());
  auto open = uploads_per_session_.find(it->first.first);
  if (open != uploads_per_session_.end() && --open->second == 0) uploads_per_session_.erase(open);
  uploads_.erase(it);
}

Result<ArtifactChunk> ArtifactStore::read(const std::string& principal,
                                          const std::string& artifact_id, std::uint64_t offset,
                                          std::size_t max_bytes) const {
  ArtifactChunk out;
  std::shared_ptr<const std::string> data;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(artifact_id);
    if (it == entries_.end() || it->second.principal != principal || it->second.expires <= now())
      return not_found();
    out.ref = it->second.ref;
    data = it->second.data;
  }
  if (offset > out.ref.size)
    return Error(ErrorCode::kInvalidRequest, "offset " + std::to_string(offset) +
                                                 " is past the artifact's end (" +
                                                 std::to_string(out.ref.size) + " bytes)");
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(max_bytes, out.ref.size - offset));
  out.offset = offset;
  out.more = offset + n < out.ref.size;
  if (data) {
    out.data.assign(*data, static_cast<std::size_t>(offset), n);
  } else {
    auto bytes = read_range(data_path(artifact_id), offset, n);
    if (!bytes) return bytes.error();
    out.data = std::move(*bytes);
  }
  return out;
}

Result<void> ArtifactStore::release(const std::string& principal, const std::string& artifact_id) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(artifact_id);
    if (it == entries_.end() || it->second.principal != principal || it->second.expires <= now())
      return not_found();
    unreserve_locked(principal, 1, it->second.ref.size);
    entries_.erase(it);
  }
  remove_files(artifact_id);
  return {};
}

std::size_t ArtifactStore::sweep() {
  std::vector<std::string> gone;
  {
    std::lock_guard lock(mu_);
    auto t = now();
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.expires <= t) {
        unreserve_locked(it->second.principal, 1, it->second.ref.size);
        gone.push_back(it->first);
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = uploads_.begin(); it != uploads_.end();) {
      auto next = std::next(it);
      if (it->second.last + limits_.upload_idle_timeout <= t) drop_upload_locked(it);
      it = next;
    }
  }
  for (const auto& id : gone) remove_files(id);
  return gone.size();
}

Result<void> ArtifactStore::write_files(const Entry& e, const std::string& data) const {
  json::object meta = e.ref.to_json();
  meta["principal"] = e.principal;
  meta["expires_ms"] = to_ms(e.expires);
  // Data first, metadata last: the metadata file is what makes it exist.
  if (auto r = write_atomically(data_path(e.ref.artifact_id), data); !r) return r;
  if (auto r = write_atomically(meta_path(e.ref.artifact_id), json::serialize(meta)); !r) {
    ::unlink(data_path(e.ref.artifact_id).c_str());
    return r;
  }
  sync_dir(dir_);
  return {};
}

void ArtifactStore::remove_files(const std::string& id) const {
  if (dir_.empty()) return;
  // Metadata first: a crash in between leaves an orphan data file, which
  // load() removes, never metadata without its data.
  ::unlink(meta_path(id).c_str());
  ::unlink(data_path(id).c_str());
}

void ArtifactStore::load() {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& de : fs::directory_iterator(dir_, ec)) files.push_back(de.path());
  auto t = now();
  for (const auto& p : files) {
    if (p.extension() == ".tmp") {
      fs::remove(p, ec);  // a write a crash interrupted
      continue;
    }
    if (p.extension() != ".json") continue;
    std::string id = p.stem().string();
    bool ok = false;
    // Only a plain metadata file of sane size is read: a directory, FIFO or
    // huge file under that name must neither throw nor block startup.
    constexpr std::uintmax_t kMaxMetaBytes = 64U << 10U;
    std::error_code st;
    bool regular = fs::is_regular_file(fs::symlink_status(p, st)) && !st;
    auto meta_size = regular ? fs::file_size(p, st) : 0;
    if (!regular || st || meta_size > kMaxMetaBytes) {
      fs::remove(p, ec);
      continue;
    }
    if (auto text = read_range(p.string(), 0, static_cast<std::size_t>(meta_size)); text) {
      auto parsed = parse_json(*text);
      if (parsed && parsed->is_object()) {
        const auto& o = parsed->get_object();
        auto ref = ArtifactRef::from_json(o);
        const auto* principal = get_string(o, "principal");
        auto expires_ms = get_int(o, "expires_ms");
        auto size = fs::file_size(data_path(id), ec);
        if (ref && principal && expires_ms && !ec && ref->artifact_id == id && size == ref->size) {
          Entry e{*ref, std::string(*principal), SystemTime(std::chrono::milliseconds(*expires_ms)),
                  nullptr};
          if (e.expires > t) {
            auto& u = usage_[e.principal];
            ++u.count;
            u.bytes += e.ref.size;
            entries_.emplace(id, std::move(e));
            ok = true;
          }
        }
      }
    }
    if (!ok) remove_files(id);
  }
  // Data files whose metadata never made it (or was removed first).
  for (const auto& p : files) {
    if (p.extension() != ".data") continue;
    if (!entries_.count(p.stem().string())) fs::remove(p, ec);
  }
}

}  // namespace arcp::store
