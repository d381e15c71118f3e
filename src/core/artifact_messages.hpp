// Internal: payloads of the `x-vendor.arcp.artifact.*` messages and their
// strict decoders (every decoder answers a bad payload with INVALID_REQUEST,
// never throws).
#pragma once

#include <arcp/artifact.hpp>
#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace arcp::core {

/// Longest `name` label kept with an artifact.
inline constexpr std::size_t kMaxArtifactNameBytes = 256;

/// `artifact.put`: a whole artifact in one frame, or one chunk of a chunked
/// upload (`upload_id`; `more: true` on every chunk but the last). The first
/// chunk carries media_type/name/retention; `offset`, when present, must be
/// the bytes received so far; `sha256`, when present on the last chunk, must
/// match the whole content.
struct ArtifactPut {
  std::string media_type;
  std::string data;  // decoded bytes
  std::string name;
  std::optional<std::int64_t> retention_seconds;
  std::string upload_id;
  bool more = false;
  std::optional<std::uint64_t> offset;
  std::string sha256;
  json::object to_json() const;
  /// `max_data_bytes`: refuse before decoding a chunk larger than this.
  static Result<ArtifactPut> from_json(const json::object& payload, std::size_t max_data_bytes);
};

/// `artifact.fetch {artifact_id | uri, offset?, max_bytes?}`.
struct ArtifactFetch {
  std::string artifact_id;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> max_bytes;
  json::object to_json() const;
  static Result<ArtifactFetch> from_json(const json::object& payload);
};

/// `artifact.release {artifact_id | uri}`.
struct ArtifactRelease {
  std::string artifact_id;
  json::object to_json() const;
  static Result<ArtifactRelease> from_json(const json::object& payload);
};

/// `artifact.data`: one chunk of a fetched artifact plus what the client
/// needs to check the whole (size, sha256).
struct ArtifactData {
  std::string request_id;
  ArtifactRef ref;
  std::uint64_t offset = 0;
  std::string data;  // decoded bytes
  bool more = false;
  json::object to_json() const;
  static Result<ArtifactData> from_json(const json::object& payload);
};

/// True for a `type/subtype` media type of visible ASCII, at most 255 bytes.
bool valid_media_type(std::string_view text);

}  // namespace arcp::core
