// The `artifacts` extension on the wire (rfc-0001 §16.2): put (whole or
// chunked), fetch (one chunk per request: the client pulls, so nothing
// queues up), release. Every reply carries `request_id`; every refusal is a
// session.error with `details.request_id`.
#include <arcp/artifact.hpp>

#include "auth/sha256_hasher.hpp"
#include "core/artifact_messages.hpp"
#include "runtime/connection_handler.hpp"

namespace arcp::runtime {

void ConnectionHandler::handle_artifact(Runtime::Impl& rt, Envelope& env) {
  if (!session_->features().has(feature::kArtifacts))
    return session_->send_error(Error(ErrorCode::kInvalidRequest,
                                      "the 'artifacts' feature was not negotiated on this session"),
                                env.id);
  const std::string& me = session_->principal();
  auto& store = *rt.artifacts;

  if (env.type == msg::kArtifactPut) {
    auto put = core::ArtifactPut::from_json(env.payload, rt.opts.max_artifact_bytes);
    if (!put) return session_->send_error(put.error(), env.id);
    if (put->upload_id.empty()) {
      if (!put->sha256.empty()) {  // a whole put is checked like a chunked one's end
        auth::Sha256Hasher hasher;
        hasher.update(put->data);
        if (hasher.hex_final() != put->sha256)
          return session_->send_error(
              Error(ErrorCode::kInvalidRequest, "the bytes do not match the sha256 given"), env.id);
      }
      auto ref = store.put(me, std::move(put->data), put->media_type,
                           PutArtifactOptions{put->name, put->retention_seconds});
      if (!ref) return session_->send_error(ref.error(), env.id);
      return session_->send_control(
          msg::kArtifactStored, json::object{{"request_id", env.id}, {"artifact", ref->to_json()}});
    }
    std::string upload_id = put->upload_id;
    auto step = store.put_chunk(me, session_->id(), std::move(put.value()));
    if (!step) return session_->send_error(step.error(), env.id);
    if (step->stored)
      return session_->send_control(
          msg::kArtifactStored,
          json::object{{"request_id", env.id}, {"artifact", step->stored->to_json()}});
    return session_->send_control(
        msg::kArtifactUploading,
        json::object{
            {"request_id", env.id}, {"upload_id", upload_id}, {"received", step->received}});
  }

  if (env.type == msg::kArtifactFetch) {
    auto fetch = core::ArtifactFetch::from_json(env.payload);
    if (!fetch) return session_->send_error(fetch.error(), env.id);
    std::size_t max = rt.artifact_chunk_bytes;
    if (fetch->max_bytes && *fetch->max_bytes < max)
      max = static_cast<std::size_t>(*fetch->max_bytes);
    auto chunk = store.read(me, fetch->artifact_id, fetch->offset, max);
    if (!chunk) return session_->send_error(chunk.error(), env.id);
    core::ArtifactData data{env.id, std::move(chunk->ref), chunk->offset, std::move(chunk->data),
                            chunk->more};
    return session_->send_control(msg::kArtifactData, data.to_json());
  }

  auto release = core::ArtifactRelease::from_json(env.payload);
  if (!release) return session_->send_error(release.error(), env.id);
  if (auto r = store.release(me, release->artifact_id); !r)
    return session_->send_error(r.error(), env.id);
  session_->send_control(
      msg::kArtifactReleased,
      json::object{{"request_id", env.id}, {"artifact_id", release->artifact_id}});
}

}  // namespace arcp::runtime
