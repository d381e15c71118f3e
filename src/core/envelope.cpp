#include <arcp/envelope.hpp>
#include <arcp/ids.hpp>
#include <cstring>

#include "core/envelope_writer.hpp"

namespace arcp {
namespace {

Error invalid(std::string msg, const std::string& request_id) {
  json::object det;
  if (!request_id.empty()) det["request_id"] = request_id;
  return Error(ErrorCode::kInvalidRequest, std::move(msg), std::move(det));
}

Error oversize(std::string_view field, std::size_t bytes) {
  return Error(ErrorCode::kInvalidRequest,
               std::string(field) + " is " + std::to_string(bytes) +
                   " bytes; identifiers are limited to " + std::to_string(kMaxIdentifierBytes) +
                   " bytes",
               json::object{{"field", field},
                            {"max_bytes", static_cast<std::int64_t>(kMaxIdentifierBytes)}});
}

}  // namespace

Result<void> check_identifier(std::string_view field, std::string_view value) {
  if (value.size() <= kMaxIdentifierBytes) return {};
  return oversize(field, value.size());
}

namespace core {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of characters that need no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

std::string encode_envelope_raw(const EnvelopeHeader& h, std::string_view payload_json) {
  std::string out;
  out.reserve(payload_json.size() + 64 + h.id.size() + h.type.size() + h.session_id.size() +
              h.job_id.size() + h.trace_id.size());
  out += "{\"arcp\":";
  append_json_string(out, h.arcp);
  out += ",\"id\":";
  append_json_string(out, h.id);
  out += ",\"type\":";
  append_json_string(out, h.type);
  if (!h.session_id.empty()) {
    out += ",\"session_id\":";
    append_json_string(out, h.session_id);
  }
  if (!h.job_id.empty()) {
    out += ",\"job_id\":";
    append_json_string(out, h.job_id);
  }
  if (h.event_seq) {
    out += ",\"event_seq\":";
    out += std::to_string(*h.event_seq);
  }
  if (!h.trace_id.empty()) {
    out += ",\"trace_id\":";
    append_json_string(out, h.trace_id);
  }
  out += ",\"payload\":";
  out += payload_json;
  out.push_back('}');
  return out;
}

}  // namespace core

bool is_vendor_name(std::string_view name) {
  return name.rfind("x-vendor.", 0) == 0 && name.size() > 9;
}

Result<Envelope> decode_envelope(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed) return invalid("malformed JSON", {});
  if (!parsed->is_object()) return invalid("envelope must be a JSON object", {});
  auto& obj = parsed->get_object();

  Envelope env;
  if (auto it = obj.find("id"); it != obj.end() && it->value().is_string()) {
    std::string_view id = it->value().get_string();
    // Oversize: refused without echoing it back, not even as request_id.
    if (auto ok = check_identifier("envelope id", id); !ok) return ok.error();
    env.id = std::string(id);
  }
  if (env.id.empty()) return invalid("envelope id must be a non-empty string", {});
  auto capped = [&](std::string_view field, std::string_view value) -> Result<void> {
    auto ok = check_identifier(field, value);
    if (ok) return ok;
    Error e = ok.error();
    e.details["request_id"] = env.id;
    return e;
  };

  const auto* version = get_string(obj, "arcp");
  if (!version) return invalid("envelope field 'arcp' is required", env.id);
  if (*version != "1.1" && *version != "1.0" && *version != "1") {
    if (auto ok = capped("envelope arcp", *version); !ok) return ok.error();
    return invalid("unsupported protocol version '" + std::string(*version) + "'", env.id);
  }
  env.arcp = std::string(*version);

  const auto* type = get_string(obj, "type");
  if (!type || type->empty()) return invalid("envelope field 'type' is required", env.id);
  if (auto ok = capped("envelope type", *type); !ok) return ok.error();
  env.type = std::string(*type);

  Error bad;
  auto optional_string = [&](std::string_view key, std::string& out) -> bool {
    auto it = obj.find(key);
    if (it == obj.end() || it->value().is_null()) return true;
    if (!it->value().is_string()) {
      bad = invalid(std::string(key) + " must be a string", env.id);
      return false;
    }
    std::string_view v = it->value().get_string();
    if (v.size() > kMaxIdentifierBytes) {  // the field's name is built only for the error
      bad = capped("envelope " + std::string(key), v).error();
      return false;
    }
    out = std::string(v);
    return true;
  };
  std::string trace;
  if (!optional_string("session_id", env.session_id) || !optional_string("job_id", env.job_id) ||
      !optional_string("trace_id", trace))
    return bad;
  if (!trace.empty()) {
    env.trace_id = normalize_trace_id(trace);
    if (env.trace_id.empty())
      return invalid("trace_id must be a W3C trace-id or traceparent", env.id);
    if (trace.size() > env.trace_id.size()) {  // a traceparent: lowercase, as W3C emits it
      for (char& c : trace)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      env.traceparent = std::move(trace);
    }
  }
  if (auto it = obj.find("event_seq"); it != obj.end() && !it->value().is_null()) {
    auto seq = get_int(obj, "event_seq");
    if (!seq || *seq < 0) return invalid("event_seq must be a non-negative integer", env.id);
    env.event_seq = seq;
  }
  if (auto it = obj.find("payload"); it != obj.end() && !it->value().is_null()) {
    if (!it->value().is_object()) return invalid("payload must be a JSON object", env.id);
    // Move-construct (not assign) so the payload keeps the parse arena instead
    // of being copied into another allocator.
    Envelope out{std::move(env.arcp),
                 std::move(env.id),
                 std::move(env.type),
                 std::move(env.session_id),
                 std::move(env.trace_id),
                 std::move(env.job_id),
                 env.event_seq,
                 json::object(std::move(it->value().get_object())),
                 std::move(env.traceparent)};
    return out;
  }
  return env;
}

std::string encode_envelope(const Envelope& env) {
  core::EnvelopeHeader h{env.arcp,   env.id,        env.type,    env.session_id,
                         env.job_id, env.event_seq, env.trace_id};
  return core::encode_envelope_raw(h, json::serialize(env.payload));
}

}  // namespace arcp
