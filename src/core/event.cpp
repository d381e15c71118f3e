#include <arcp/envelope.hpp>
#include <arcp/event.hpp>
#include <array>

namespace arcp {
namespace {

Error bad(std::string_view kind, std::string msg) {
  return Error(ErrorCode::kInvalidRequest, std::string(kind) + " event: " + std::move(msg));
}

bool has_string(const json::object& b, std::string_view key) {
  return get_string(b, key) != nullptr;
}

bool optional_string(const json::object& b, std::string_view key) {
  auto it = b.find(key);
  return it == b.end() || it->value().is_string();
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

Result<void> validate_metric(json::object& body) {
  if (!has_string(body, "name")) return bad("metric", "'name' must be a string");
  if (!get_number(body, "value")) return bad("metric", "'value' must be a number");
  if (!optional_string(body, "unit")) return bad("metric", "'unit' must be a string");
  if (auto it = body.find("dims"); it != body.end() && !body.contains("dimensions")) {
    json::value dims = it->value();  // accept the older name, emit the spec's
    body.erase(it);
    body["dimensions"] = std::move(dims);
  }
  if (auto it = body.find("dimensions"); it != body.end() && !it->value().is_object())
    return bad("metric", "'dimensions' must be an object");
  return {};
}

Result<void> validate_progress(json::object& body) {
  auto current = get_number(body, "current");
  if (!current || *current < 0) return bad("progress", "'current' must be a non-negative number");
  if (body.contains("total")) {
    auto total = get_number(body, "total");
    if (!total || *total < 0) return bad("progress", "'total' must be a non-negative number");
    if (*current > *total) return bad("progress", "'current' must not exceed 'total'");
  }
  if (!optional_string(body, "units") || !optional_string(body, "message"))
    return bad("progress", "'units' and 'message' must be strings");
  return {};
}

Result<void> validate_tool_result(json::object& body) {
  if (!has_string(body, "call_id")) return bad("tool_result", "'call_id' must be a string");
  bool has_result = body.contains("result");
  bool has_error = body.contains("error");
  if (has_result == has_error) return bad("tool_result", "exactly one of 'result' or 'error'");
  if (has_error) {
    const auto* err = get_object(body, "error");
    if (!err || !get_string(*err, "code") || !get_string(*err, "message"))
      return bad("tool_result", "'error' must be {code, message, ...}");
  }
  return {};
}

Result<void> validate_result_chunk(json::object& body) {
  const auto* enc = get_string(body, "encoding");
  auto seq = get_int(body, "chunk_seq");
  if (!has_string(body, "result_id") || !seq || *seq < 0 || !has_string(body, "data") || !enc ||
      (*enc != "utf8" && *enc != "base64") || !get_bool(body, "more"))
    return bad("result_chunk", "needs result_id, chunk_seq ≥ 0, data, encoding utf8|base64, more");
  return {};
}

}  // namespace

bool is_reserved_event_kind(std::string_view kind) {
  static constexpr std::array<std::string_view, 10> kKinds{
      event_kind::kLog,         event_kind::kThought,  event_kind::kToolCall,
      event_kind::kToolResult,  event_kind::kStatus,   event_kind::kMetric,
      event_kind::kArtifactRef, event_kind::kDelegate, event_kind::kProgress,
      event_kind::kResultChunk};
  for (auto k : kKinds)
    if (k == kind) return true;
  return false;
}

Result<void> validate_event_body(std::string_view kind, json::object& body,
                                 const FeatureSet& negotiated) {
  using namespace event_kind;
  if (kind == kLog) {
    if (!has_string(body, "level") || !has_string(body, "message"))
      return bad(kind, "needs string 'level' and 'message'");
    return {};
  }
  if (kind == kThought) {
    if (!has_string(body, "text")) return bad(kind, "needs string 'text'");
    return {};
  }
  if (kind == kToolCall) {
    if (!has_string(body, "tool") || !has_string(body, "call_id") || !body.contains("args"))
      return bad(kind, "needs 'tool', 'args' and 'call_id'");
    return {};
  }
  if (kind == kToolResult) return validate_tool_result(body);
  if (kind == kStatus) {
    if (!has_string(body, "phase") || !optional_string(body, "message"))
      return bad(kind, "needs string 'phase' (and optional string 'message')");
    if (*get_string(body, "phase") == kCredentialRotatedPhase)
      return bad(kind, "phase 'credential_rotated' is the runtime's own (§9.8.2)");
    return {};
  }
  if (kind == kMetric) return validate_metric(body);
  if (kind == kArtifactRef) {
    if (!has_string(body, "uri") || !has_string(body, "content_type"))
      return bad(kind, "needs string 'uri' and 'content_type'");
    if (body.contains("byte_size")) {
      auto size = get_int(body, "byte_size");
      if (!size || *size < 0) return bad(kind, "'byte_size' must be a non-negative integer");
    }
    if (body.contains("sha256")) {
      const auto* sha = get_string(body, "sha256");
      if (!sha || !is_hex64(*sha)) return bad(kind, "'sha256' must be 64 hex characters");
    }
    return {};
  }
  if (kind == kDelegate) {
    if (!has_string(body, "agent")) return bad(kind, "needs string 'agent'");
    return {};
  }
  if (kind == kProgress) {
    if (!negotiated.has(feature::kProgress))
      return Error(ErrorCode::kInvalidRequest, "progress events need the 'progress' feature");
    return validate_progress(body);
  }
  if (kind == kResultChunk) {
    if (!negotiated.has(feature::kResultChunk))
      return Error(ErrorCode::kInvalidRequest,
                   "result_chunk events need the 'result_chunk' feature");
    return validate_result_chunk(body);
  }
  if (is_vendor_name(kind)) return {};
  return Error(ErrorCode::kInvalidRequest, "unknown event kind '" + std::string(kind) + "'");
}

}  // namespace arcp
