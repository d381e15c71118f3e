// Internal: where artifacts live (rfc-0001 §16) — in memory, or one file per
// artifact plus a metadata file under `<data_dir>/artifacts/` (each written
// to a temporary name, synced and renamed, so a crash leaves either the whole
// artifact or none of it). Every artifact belongs to one principal; only that
// principal may read or release it, and anything else — unknown, expired,
// released, another principal's — gets the same not-found answer, so ids
// cannot be probed. Caps bound bytes and counts per principal and open
// uploads per session; exceeding one is a coded error, never truncation.
#pragma once

#include <arcp/artifact.hpp>
#include <arcp/error.hpp>
#include <arcp/time.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/artifact_messages.hpp"

namespace arcp::store {

struct ArtifactLimits {
  std::size_t max_artifact_bytes = 64U << 20U;
  std::uint64_t max_bytes_per_principal = 1ULL << 30U;  // stored + being uploaded
  std::size_t max_artifacts_per_principal = 10000;
  std::size_t max_uploads_per_session = 8;
  std::chrono::seconds default_retention{3600};
  std::chrono::seconds max_retention{7 * 24 * 3600};
  /// A chunked upload with no chunk for this long is dropped by the sweep.
  std::chrono::seconds upload_idle_timeout{600};
};

/// One read of a stored artifact.
struct ArtifactChunk {
  ArtifactRef ref;
  std::uint64_t offset = 0;
  std::string data;
  bool more = false;
};

/// Where a chunked upload stands after one chunk.
struct UploadStep {
  std::uint64_t received = 0;
  std::optional<ArtifactRef> stored;  // set by the last chunk
};

class ArtifactStore {
 public:
  using Clock = std::function<SystemTime()>;

  /// `dir` empty: memory only. Otherwise the directory is created if needed
  /// and the artifacts a previous process stored there (and not expired) are
  /// loaded; half-written files are removed.
  static Result<std::shared_ptr<ArtifactStore>> open(std::string dir, ArtifactLimits limits,
                                                     Clock clock = {});

  /// Stores `data` for `principal` in one step.
  Result<ArtifactRef> put(const std::string& principal, std::string data,
                          std::string_view media_type, const PutArtifactOptions& options);
  /// One chunk of a chunked upload of `session_id` (keyed by its upload_id).
  /// An error discards the upload.
  Result<UploadStep> put_chunk(const std::string& principal, const std::string& session_id,
                               core::ArtifactPut chunk);
  /// Up to `max_bytes` from `offset`.
  Result<ArtifactChunk> read(const std::string& principal, const std::string& artifact_id,
                             std::uint64_t offset, std::size_t max_bytes) const;
  Result<void> release(const std::string& principal, const std::string& artifact_id);
  /// Removes expired artifacts and idle uploads; returns how many artifacts went.
  std::size_t sweep();

  ArtifactRetention retention() const;
  const ArtifactLimits& limits() const { return limits_; }
  /// Artifacts held (expired ones not yet swept included).
  std::size_t size() const;

  /// The single answer for every artifact a caller may not see.
  static Error not_found();

  ArtifactStore(std::string dir, ArtifactLimits limits, Clock clock);

 private:
  struct Entry {
    ArtifactRef ref;
    std::string principal;
    SystemTime expires;
    std::shared_ptr<const std::string> data;  // memory mode only
  };
  struct Usage {
    std::size_t count = 0;
    std::uint64_t bytes = 0;
  };
  struct Upload {
    std::string principal;
    std::string media_type;
    PutArtifactOptions options;
    std::string data;
    SystemTime last;
  };
  using UploadKey = std::pair<std::string, std::string>;  // (session id, upload id)

  SystemTime now() const;
  Result<SystemTime> expiry_for(const PutArtifactOptions& options) const;
  /// Counts one artifact of `bytes` against `principal` (the bytes only when
  /// not already counted by an upload); `mu_` held.
  Result<void> reserve_locked(const std::string& principal, std::uint64_t bytes,
                              bool bytes_counted);
  void unreserve_locked(const std::string& principal, std::size_t count, std::uint64_t bytes);
  void drop_upload_locked(std::map<UploadKey, Upload>::iterator it);
  Result<ArtifactRef> commit(const std::string& principal, std::string data, std::string media_type,
                             const PutArtifactOptions& options, SystemTime expires);
  Result<void> write_files(const Entry& entry, const std::string& data) const;
  void remove_files(const std::string& artifact_id) const;
  void load();
  std::string data_path(const std::string& id) const;
  std::string meta_path(const std::string& id) const;

  const std::string dir_;
  const ArtifactLimits limits_;
  const Clock clock_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, Usage> usage_;
  std::map<UploadKey, Upload> uploads_;
  std::map<std::string, std::size_t> uploads_per_session_;
};

}  // namespace arcp::store
