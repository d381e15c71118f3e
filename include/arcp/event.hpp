// §8.2 job event kinds and their body shapes.
#pragma once

#include <arcp/error.hpp>
#include <arcp/features.hpp>
#include <arcp/json.hpp>
#include <string_view>

namespace arcp {

namespace event_kind {
inline constexpr std::string_view kLog = "log";
inline constexpr std::string_view kThought = "thought";
inline constexpr std::string_view kToolCall = "tool_call";
inline constexpr std::string_view kToolResult = "tool_result";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kMetric = "metric";
inline constexpr std::string_view kArtifactRef = "artifact_ref";
inline constexpr std::string_view kDelegate = "delegate";
inline constexpr std::string_view kProgress = "progress";
inline constexpr std::string_view kResultChunk = "result_chunk";
}  // namespace event_kind

/// The `status` phase that carries a rotated credential (§9.8.2).
inline constexpr std::string_view kCredentialRotatedPhase = "credential_rotated";

/// True for the ten reserved kinds of §8.2.
bool is_reserved_event_kind(std::string_view kind);

/// Validates (and normalises in place: `dims` → `dimensions`) an event body.
/// Reserved kinds are checked against their shape; `progress`/`result_chunk`
/// need their feature negotiated; `x-vendor.*` kinds pass through; any other
/// kind is INVALID_REQUEST. So is an agent's `status` with phase
/// `credential_rotated`: only the runtime rotates credentials (§9.8.2).
Result<void> validate_event_body(std::string_view kind, json::object& body,
                                 const FeatureSet& negotiated);

}  // namespace arcp
