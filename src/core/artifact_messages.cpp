#include "core/artifact_messages.hpp"

#include <arcp/envelope.hpp>
#include <arcp/ids.hpp>
#include <arcp/time.hpp>

#include "core/base64.hpp"
#include "core/payload_fields.hpp"

namespace arcp {
namespace {

using core::invalid;

bool visible_ascii(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
  }
  return true;
}

bool lower_hex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A present field of the wrong type is an error, not "absent".
Result<std::optional<std::uint64_t>> optional_count(const json::object& o, std::string_view key) {
  if (!o.contains(key)) return std::optional<std::uint64_t>();
  auto v = get_int(o, key);
  if (!v || *v < 0) return invalid(std::string(key) + " must be a non-negative integer");
  return std::optional<std::uint64_t>(static_cast<std::uint64_t>(*v));
}

Result<std::string> optional_string(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::string();
  if (!it->value().is_string()) return invalid(std::string(key) + " must be a string");
  return std::string(it->value().get_string());
}

// `artifact_id`, or the id inside `uri`; one of them is required.
Result<std::string> target_id(const json::object& o, std::string_view what) {
  auto id = optional_string(o, "artifact_id");
  if (!id) return id.error();
  auto uri = optional_string(o, "uri");
  if (!uri) return uri.error();
  if (auto ok = check_identifier("artifact_id", *id); !ok) return ok.error();
  if (auto ok = check_identifier("uri", *uri); !ok) return ok.error();
  std::string from_uri;
  if (!uri->empty()) {
    from_uri = artifact_id_from_ref(*uri);
    if (from_uri.empty() || uri->rfind(kArtifactUriPrefix, 0) != 0)
      return invalid(std::string(what) + " uri must be arcp://artifact/<artifact_id>");
  }
  if (!id->empty() && !from_uri.empty() && *id != from_uri)
    return invalid(std::string(what) + " artifact_id and uri name different artifacts");
  std::string out = id->empty() ? from_uri : *id;
  if (out.empty()) return invalid(std::string(what) + " needs artifact_id or uri");
  return out;
}

}  // namespace

std::string artifact_id_from_ref(std::string_view ref) {
  if (ref.rfind(kArtifactUriPrefix, 0) == 0) ref.remove_prefix(kArtifactUriPrefix.size());
  if (ref.empty() || ref.size() > kMaxIdentifierBytes || !visible_ascii(ref) ||
      ref.find('/') != std::string_view::npos)
    return {};
  return std::string(ref);
}

json::object ArtifactRef::to_json() const {
  json::object o{{"artifact_id", artifact_id}, {"uri", uri},
                 {"media_type", media_type},   {"size", size},
                 {"sha256", sha256},           {"expires_at", expires_at}};
  if (!name.empty()) o["name"] = name;
  return o;
}

Result<ArtifactRef> ArtifactRef::from_json(const json::object& obj) {
  ArtifactRef r;
  r.artifact_id = core::str_or(obj, "artifact_id");
  r.uri = core::str_or(obj, "uri");
  r.media_type = core::str_or(obj, "media_type");
  r.sha256 = core::str_or(obj, "sha256");
  r.expires_at = core::str_or(obj, "expires_at");
  r.name = core::str_or(obj, "name");
  auto size = get_int(obj, "size");
  if (r.artifact_id.empty() || artifact_id_from_ref(r.artifact_id) != r.artifact_id)
    return invalid("artifact reference needs a valid artifact_id");
  if (!size || *size < 0) return invalid("artifact reference needs a non-negative size");
  if (!lower_hex(r.sha256, 64)) return invalid("artifact reference sha256 must be 64 hex digits");
  if (!core::valid_media_type(r.media_type))
    return invalid("artifact reference needs a type/subtype media_type");
  r.size = static_cast<std::uint64_t>(*size);
  if (r.uri.empty()) r.uri = std::string(kArtifactUriPrefix) + r.artifact_id;
  return r;
}

namespace core {

bool valid_media_type(std::string_view text) {
  if (text.empty() || text.size() > 255) return false;
  auto slash = text.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == text.size()) return false;
  // Parameters (`; charset=utf-8`) may carry spaces; the type itself may not.
  std::string_view type = text.substr(0, text.find(';'));
  if (!visible_ascii(type)) return false;
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) return false;
  return true;
}

}  // namespace core

namespace core {

json::object ArtifactPut::to_json() const {
  json::object p;
  if (!media_type.empty()) p["media_type"] = media_type;
  p["data"] = base64_encode(data);
  if (!name.empty()) p["name"] = name;
  if (retention_seconds) p["retention_seconds"] = *retention_seconds;
  if (!upload_id.empty()) {
    p["upload_id"] = upload_id;
    p["more"] = more;
  }
  if (offset) p["offset"] = *offset;
  if (!sha256.empty()) p["sha256"] = sha256;
  return p;
}

Result<ArtifactPut> ArtifactPut::from_json(const json::object& payload,
                                           std::size_t max_data_bytes) {
  ArtifactPut p;
  const auto* data = get_string(payload, "data");
  if (!data) return invalid("artifact.put needs base64 data (a string)");
  auto size = base64_decoded_size(*data);
  if (!size) return invalid("artifact.put data is not canonical padded base64");
  if (*size > max_data_bytes)
    return Error(ErrorCode::kInvalidRequest,
                 "artifact.put data of " + std::to_string(*size) + " bytes exceeds the cap of " +
                     std::to_string(max_data_bytes) + " bytes",
                 json::object{{"limit", "max_artifact_bytes"}, {"cap", max_data_bytes}});
  auto upload = optional_string(payload, "upload_id");
  if (!upload) return upload.error();
  if (auto ok = check_identifier("upload_id", *upload); !ok) return ok.error();
  p.upload_id = std::move(*upload);
  if (payload.contains("more")) {
    auto more = get_bool(payload, "more");
    if (!more) return invalid("artifact.put more must be a boolean");
    p.more = *more;
  }
  if (p.more && p.upload_id.empty()) return invalid("artifact.put more:true needs an upload_id");
  auto media = optional_string(payload, "media_type");
  if (!media) return media.error();
  if (!media->empty() && !valid_media_type(*media))
    return invalid("artifact.put media_type must be type/subtype (visible ASCII, <= 255 bytes)");
  p.media_type = std::move(*media);
  if (p.upload_id.empty() && p.media_type.empty())
    return invalid("artifact.put needs a media_type");
  auto name = optional_string(payload, "name");
  if (!name) return name.error();
  if (name->size() > kMaxArtifactNameBytes)
    return invalid("artifact.put name exceeds " + std::to_string(kMaxArtifactNameBytes) + " bytes");
  for (char c : *name)
    if (static_cast<unsigned char>(c) < 0x20) return invalid("artifact.put name has a control");
  p.name = std::move(*name);
  if (payload.contains("retention_seconds")) {
    auto r = get_int(payload, "retention_seconds");
    if (!r || *r < 1) return invalid("artifact.put retention_seconds must be a positive integer");
    p.retention_seconds = *r;
  }
  auto offset = optional_count(payload, "offset");
  if (!offset) return offset.error();
  p.offset = *offset;
  auto sha = optional_string(payload, "sha256");
  if (!sha) return sha.error();
  if (!sha->empty() && !lower_hex(*sha, 64))
    return invalid("artifact.put sha256 must be 64 lowercase hex digits");
  p.sha256 = std::move(*sha);
  auto decoded = base64_decode(*data);
  if (!decoded) return invalid("artifact.put data is not canonical padded base64");
  p.data = std::move(*decoded);
  return p;
}

json::object ArtifactFetch::to_json() const {
  json::object p{{"artifact_id", artifact_id}};
  if (offset != 0) p["offset"] = offset;
  if (max_bytes) p["max_bytes"] = *max_bytes;
  return p;
}

Result<ArtifactFetch> ArtifactFetch::from_json(const json::object& payload) {
  ArtifactFetch f;
  auto id = target_id(payload, "artifact.fetch");
  if (!id) return id.error();
  f.artifact_id = std::move(*id);
  auto offset = optional_count(payload, "offset");
  if (!offset) return offset.error();
  f.offset = offset->value_or(0);
  auto max = optional_count(payload, "max_bytes");
  if (!max) return max.error();
  if (*max && **max == 0) return invalid("artifact.fetch max_bytes must be positive");
  f.max_bytes = *max;
  return f;
}

json::object ArtifactRelease::to_json() const {
  return {{"artifact_id", artifact_id}};
}

Result<ArtifactRelease> ArtifactRelease::from_json(const json::object& payload) {
  auto id = target_id(payload, "artifact.release");
  if (!id) return id.error();
  return ArtifactRelease{std::move(*id)};
}

json::object ArtifactData::to_json() const {
  json::object p = ref.to_json();
  p["request_id"] = request_id;
  p["offset"] = offset;
  p["data"] = base64_encode(data);
  p["more"] = more;
  return p;
}

Result<ArtifactData> ArtifactData::from_json(const json::object& payload) {
  ArtifactData d;
  auto ref = ArtifactRef::from_json(payload);
  if (!ref) return ref.error();
  d.ref = std::move(*ref);
  d.request_id = str_or(payload, "request_id");
  auto offset = get_int(payload, "offset");
  auto more = get_bool(payload, "more");
  const auto* data = get_string(payload, "data");
  if (!offset || *offset < 0 || !more || !data)
    return invalid("artifact.data needs offset, more and data");
  auto decoded = base64_decode(*data);
  if (!decoded) return invalid("artifact.data data is not canonical padded base64");
  d.offset = static_cast<std::uint64_t>(*offset);
  d.more = *more;
  d.data = std::move(*decoded);
  if (d.offset > d.ref.size || d.data.size() > d.ref.size - d.offset)
    return invalid("artifact.data chunk lies outside the artifact");
  return d;
}

}  // namespace core
}  // namespace arcp
