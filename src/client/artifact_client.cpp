// The `artifacts` extension from the client (rfc-0001 §16): put (chunked
// when large), fetch by pulling one chunk per request (so the runtime never
// queues more than one chunk for us), release.
#include <arcp/client.hpp>
#include <arcp/ids.hpp>
#include <thread>

#include "auth/sha256_hasher.hpp"
#include "client/client_core.hpp"
#include "core/artifact_messages.hpp"
#include "transport/thread_reaper.hpp"

namespace arcp {
namespace {

// Used when the welcome names no chunk size (a runtime of another make).
constexpr std::size_t kDefaultChunkBytes = 512U << 10U;

std::size_t chunk_bytes(Client::Core& core) {
  std::lock_guard lock(core.mu);
  if (core.welcome.artifacts && core.welcome.artifacts->max_chunk_bytes > 0)
    return static_cast<std::size_t>(core.welcome.artifacts->max_chunk_bytes);
  return kDefaultChunkBytes;
}

Result<std::string> id_of(std::string_view ref) {
  std::string id = artifact_id_from_ref(ref);
  if (id.empty())
    return Error(ErrorCode::kInvalidRequest,
                 "not an artifact reference: expected art_… or arcp://artifact/art_…");
  return id;
}

Result<Envelope> call(Client::Core& core, std::string_view type, json::object payload) {
  Envelope env;
  env.type = std::string(type);
  env.payload = std::move(payload);
  return core.request(std::move(env));
}

Result<ArtifactRef> stored_ref(const Envelope& reply) {
  if (reply.type != msg::kArtifactStored)
    return Error(ErrorCode::kInternalError, "unexpected reply " + reply.type);
  const auto* art = get_object(reply.payload, "artifact");
  if (!art) return Error(ErrorCode::kInternalError, "artifact.stored lacks the artifact");
  return ArtifactRef::from_json(*art);
}

Result<ArtifactRef> put(Client::Core& core, std::string_view bytes, std::string_view media_type,
                        const PutArtifactOptions& options) {
  std::size_t chunk = chunk_bytes(core);
  core::ArtifactPut p;
  p.media_type = std::string(media_type);
  p.name = options.name;
  p.retention_seconds = options.retention_seconds;
  if (bytes.size() <= chunk) {
    p.data = std::string(bytes);
    auto reply = call(core, msg::kArtifactPut, p.to_json());
    if (!reply) return reply.error();
    return stored_ref(*reply);
  }
  // Chunked: one chunk in flight at a time; the last carries the sha256 so
  // the runtime refuses a corrupted assembly.
  auth::Sha256Hasher hasher;
  hasher.update(bytes);
  std::string sha = hasher.hex_final();
  p.upload_id = new_id("upl");
  for (std::size_t off = 0; off < bytes.size(); off += chunk) {
    p.data = std::string(bytes.substr(off, chunk));
    p.offset = off;
    p.more = off + chunk < bytes.size();
    if (!p.more) p.sha256 = sha;
    auto reply = call(core, msg::kArtifactPut, p.to_json());
    if (!reply) return reply.error();
    if (!p.more) return stored_ref(*reply);
    if (reply->type != msg::kArtifactUploading)
      return Error(ErrorCode::kInternalError, "unexpected reply " + reply->type);
    // Only the first chunk describes the artifact.
    p.media_type.clear();
    p.name.clear();
    p.retention_seconds.reset();
  }
  return Error(ErrorCode::kInternalError, "unreachable");
}

Result<ArtifactRef> fetch_to(Client::Core& core, std::string_view ref,
                             const std::function<Result<void>(const ArtifactRef&)>& on_first,
                             const std::function<Result<void>(std::string_view)>& sink) {
  auto id = id_of(ref);
  if (!id) return id.error();
  std::size_t chunk = chunk_bytes(core);
  auth::Sha256Hasher hasher;
  std::optional<ArtifactRef> first;
  std::uint64_t offset = 0;
  for (;;) {
    core::ArtifactFetch f{*id, offset, chunk};
    auto reply = call(core, msg::kArtifactFetch, f.to_json());
    if (!reply) return reply.error();
    if (reply->type != msg::kArtifactData)
      return Error(ErrorCode::kInternalError, "unexpected reply " + reply->type);
    auto d = core::ArtifactData::from_json(reply->payload);
    if (!d) return d.error();
    if (!first) {
      first = d->ref;
      if (auto r = on_first(*first); !r) return r.error();
    } else if (d->ref.size != first->size || d->ref.sha256 != first->sha256) {
      return Error(ErrorCode::kInternalError, "the artifact changed while it was fetched");
    }
    if (d->offset != offset)
      return Error(ErrorCode::kInternalError, "artifact.data answered another offset");
    if (d->more && d->data.empty())
      return Error(ErrorCode::kInternalError, "artifact.data made no progress");
    hasher.update(d->data);
    if (auto r = sink(d->data); !r) return r.error();
    offset += d->data.size();
    if (!d->more) break;
  }
  if (offset != first->size || hasher.hex_final() != first->sha256)
    return Error(ErrorCode::kInternalError,
                 "fetched artifact does not match its size and sha256; discard it");
  return *first;
}

Result<std::string> fetch_all(Client::Core& core, std::string_view ref, std::size_t max_bytes) {
  std::string out;
  auto r = fetch_to(
      core, ref,
      [&](const ArtifactRef& a) -> Result<void> {
        if (a.size > max_bytes)
          return Error(ErrorCode::kInvalidRequest,
                       "artifact of " + std::to_string(a.size) + " bytes exceeds the cap of " +
                           std::to_string(max_bytes) + " bytes; stream it with fetch_artifact_to",
                       json::object{{"limit", "max_bytes"}, {"cap", max_bytes}});
        out.reserve(static_cast<std::size_t>(a.size));
        return {};
      },
      [&](std::string_view chunk) -> Result<void> {
        out.append(chunk);
        return {};
      });
  if (!r) return r.error();
  return out;
}

Result<void> release(Client::Core& core, std::string_view ref) {
  auto id = id_of(ref);
  if (!id) return id.error();
  auto reply = call(core, msg::kArtifactRelease, core::ArtifactRelease{*id}.to_json());
  if (!reply) return reply.error();
  if (reply->type != msg::kArtifactReleased)
    return Error(ErrorCode::kInternalError, "unexpected reply " + reply->type);
  return {};
}

// The non-blocking forms: a helper thread, joined by the reaper once done.
template <class Fn>
void on_helper_thread(Fn fn) {
  transport::reap_thread(std::thread(std::move(fn)));
}

}  // namespace

Result<ArtifactRef> Client::put_artifact(std::string_view bytes, std::string_view media_type,
                                         PutArtifactOptions options) {
  return put(*core_, bytes, media_type, options);
}

Result<std::string> Client::fetch_artifact(std::string_view ref, std::size_t max_bytes) {
  return fetch_all(*core_, ref, max_bytes);
}

Result<std::string> Client::fetch_artifact(const ArtifactRef& ref, std::size_t max_bytes) {
  return fetch_all(*core_, ref.artifact_id, max_bytes);
}

Result<ArtifactRef> Client::fetch_artifact_to(
    std::string_view ref, const std::function<Result<void>(std::string_view)>& sink) {
  return fetch_to(
      *core_, ref, [](const ArtifactRef&) -> Result<void> { return {}; }, sink);
}

Result<void> Client::release_artifact(std::string_view ref) {
  return release(*core_, ref);
}

void Client::put_artifact(std::string bytes, std::string media_type, PutArtifactOptions options,
                          std::function<void(Result<ArtifactRef>)> done) {
  on_helper_thread([core = core_, b = std::move(bytes), m = std::move(media_type),
                    o = std::move(options), done = std::move(done)] { done(put(*core, b, m, o)); });
}

void Client::fetch_artifact(std::string ref, std::size_t max_bytes,
                            std::function<void(Result<std::string>)> done) {
  on_helper_thread([core = core_, r = std::move(ref), max_bytes, done = std::move(done)] {
    done(fetch_all(*core, r, max_bytes));
  });
}

void Client::release_artifact(std::string ref, std::function<void(Result<void>)> done) {
  on_helper_thread(
      [core = core_, r = std::move(ref), done = std::move(done)] { done(release(*core, r)); });
}

}  // namespace arcp
