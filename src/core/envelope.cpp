#include <arcp/envelope.hpp>
#include <arcp/ids.hpp>

namespace arcp {
namespace {

Error invalid(std::string msg, const std::string& request_id) {
  json::object det;
  if (!request_id.empty()) det["request_id"] = request_id;
  return Error(ErrorCode::kInvalidRequest, std::move(msg), std::move(det));
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out.push_back(',');
  append_json_string(out, key);
  out.push_back(':');
  append_json_string(out, value);
}

}  // namespace

bool is_vendor_name(std::string_view name) { return name.rfind("x-vendor.", 0) == 0 && name.size() > 9; }

Result<Envelope> decode_envelope(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed) return invalid("malformed JSON", {});
  if (!parsed->is_object()) return invalid("envelope must be a JSON object", {});
  auto& obj = parsed->get_object();

  Envelope env;
  if (auto it = obj.find("id"); it != obj.end() && it->value().is_string())
    env.id = std::string(it->value().get_string());
  if (env.id.empty()) return invalid("envelope id must be a non-empty string", {});

  const auto* version = get_string(obj, "arcp");
  if (!version) return invalid("envelope field 'arcp' is required", env.id);
  if (*version != "1.1" && *version != "1.0" && *version != "1")
    return invalid("unsupported protocol version '" + std::string(*version) + "'", env.id);
  env.arcp = std::string(*version);

  const auto* type = get_string(obj, "type");
  if (!type || type->empty()) return invalid("envelope field 'type' is required", env.id);
  env.type = std::string(*type);

  auto optional_string = [&](std::string_view key, std::string& out) -> bool {
    auto it = obj.find(key);
    if (it == obj.end() || it->value().is_null()) return true;
    if (!it->value().is_string()) return false;
    out = std::string(it->value().get_string());
    return true;
  };
  if (!optional_string("session_id", env.session_id))
    return invalid("session_id must be a string", env.id);
  if (!optional_string("job_id", env.job_id)) return invalid("job_id must be a string", env.id);
  std::string trace;
  if (!optional_string("trace_id", trace)) return invalid("trace_id must be a string", env.id);
  if (!trace.empty()) {
    env.trace_id = normalize_trace_id(trace);
    if (env.trace_id.empty())
      return invalid("trace_id must be a W3C trace-id or traceparent", env.id);
  }
  if (auto it = obj.find("event_seq"); it != obj.end() && !it->value().is_null()) {
    auto seq = get_int(obj, "event_seq");
    if (!seq || *seq < 0) return invalid("event_seq must be a non-negative integer", env.id);
    env.event_seq = seq;
  }
  if (auto it = obj.find("payload"); it != obj.end() && !it->value().is_null()) {
    if (!it->value().is_object()) return invalid("payload must be a JSON object", env.id);
    env.payload = std::move(it->value().get_object());
  }
  return env;
}

std::string encode_envelope(const Envelope& env) {
  std::string out;
  std::string payload = json::serialize(env.payload);
  out.reserve(payload.size() + 200);
  out += "{\"arcp\":";
  append_json_string(out, env.arcp);
  append_field(out, "id", env.id);
  append_field(out, "type", env.type);
  if (!env.session_id.empty()) append_field(out, "session_id", env.session_id);
  if (!env.job_id.empty()) append_field(out, "job_id", env.job_id);
  if (env.event_seq) {
    out += ",\"event_seq\":";
    out += std::to_string(*env.event_seq);
  }
  if (!env.trace_id.empty()) append_field(out, "trace_id", env.trace_id);
  out += ",\"payload\":";
  out += payload;
  out.push_back('}');
  return out;
}

}  // namespace arcp
