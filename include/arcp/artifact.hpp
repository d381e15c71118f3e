// Artifacts (v1.0 rfc-0001 §16) as the negotiated vendor extension
// `artifacts`: content-typed payloads stored by the runtime and referenced by
// id instead of being inlined. The messages are `x-vendor.arcp.artifact.*`,
// so a peer that does not know them ignores them safely (DESIGN §1).
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arcp {

namespace msg {
// client → runtime
inline constexpr std::string_view kArtifactPut = "x-vendor.arcp.artifact.put";
inline constexpr std::string_view kArtifactFetch = "x-vendor.arcp.artifact.fetch";
inline constexpr std::string_view kArtifactRelease = "x-vendor.arcp.artifact.release";
// runtime → client; each carries `request_id` = the request envelope's id
inline constexpr std::string_view kArtifactStored = "x-vendor.arcp.artifact.stored";
inline constexpr std::string_view kArtifactUploading = "x-vendor.arcp.artifact.uploading";
inline constexpr std::string_view kArtifactData = "x-vendor.arcp.artifact.data";
inline constexpr std::string_view kArtifactReleased = "x-vendor.arcp.artifact.released";
}  // namespace msg

/// `arcp://artifact/` + id: the URI form of a reference (§8.2 `artifact_ref`).
inline constexpr std::string_view kArtifactUriPrefix = "arcp://artifact/";

/// rfc-0001 §16.1: the canonical pointer to a stored artifact.
struct ArtifactRef {
  std::string artifact_id;  // "art_<ULID>"
  std::string uri;          // "arcp://artifact/art_<ULID>"
  std::string media_type;
  std::uint64_t size = 0;
  std::string sha256;      // lowercase hex of the whole content
  std::string expires_at;  // RFC 3339 UTC
  std::string name;        // optional label given at upload; empty = none

  json::object to_json() const;
  /// INVALID_REQUEST when a required field is missing or malformed.
  static Result<ArtifactRef> from_json(const json::object& obj);
};

/// rfc-0001 §16.3: what the welcome declares as
/// `capabilities.artifact_retention {default_seconds, max_seconds}`.
struct ArtifactRetention {
  std::int64_t default_seconds = 3600;
  std::int64_t max_seconds = 86400;
};

/// What a welcome that negotiated `artifacts` declares in `capabilities`:
/// `artifact_retention {default_seconds, max_seconds}` and
/// `artifact_limits {max_bytes, max_chunk_bytes}`.
struct ArtifactCapabilities {
  ArtifactRetention retention;
  std::uint64_t max_bytes = 0;        // one artifact
  std::uint64_t max_chunk_bytes = 0;  // one artifact.data reply (and a sensible put chunk)
};

struct PutArtifactOptions {
  std::string name;                               // optional label
  std::optional<std::int64_t> retention_seconds;  // default: the runtime's default
};

/// The artifact id named by `ref`: an id as is, or the id inside an
/// `arcp://artifact/<id>` URI. Empty when `ref` is neither.
std::string artifact_id_from_ref(std::string_view ref);

}  // namespace arcp
