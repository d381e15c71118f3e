// JobContext's artifact helpers (the `artifacts` extension, rfc-0001 §16):
// an agent stores output as an artifact of its job's principal and points
// at it with an §8.2 `artifact_ref` event.
#include <arcp/job_context.hpp>

#include "core/thread_role.hpp"
#include "runtime/job.hpp"
#include "runtime/offload.hpp"
#include "store/artifact_store.hpp"

namespace arcp {

Result<ArtifactRef> JobContext::put_artifact(std::string_view data, std::string_view media_type,
                                             PutArtifactOptions options) {
  if (core::on_event_loop_thread()) return runtime::blocking_on_io_thread("put_artifact");
  const auto& store = job_->spec().services->artifacts;
  if (!store) return Error(ErrorCode::kInternalError, "this runtime has no artifact store");
  return store->put(principal(), std::string(data), media_type, options);
}

Awaitable<Result<ArtifactRef>> JobContext::async_put_artifact(std::string data,
                                                              std::string media_type,
                                                              PutArtifactOptions options) {
  auto store = job_->spec().services->artifacts;
  if (!store) co_return Error(ErrorCode::kInternalError, "this runtime has no artifact store");
  // Named first: GCC 12 destroys temporaries inside a co_await expression twice.
  auto storing = runtime::offload<Result<ArtifactRef>>(
      *job_, [store, p = principal(), d = std::move(data), m = std::move(media_type),
              o = std::move(options)]() mutable { return store->put(p, std::move(d), m, o); });
  auto r = co_await std::move(storing);
  co_return r;
}

Result<void> JobContext::artifact_ref(const ArtifactRef& ref) {
  return artifact_ref(ref.uri, ref.media_type, static_cast<std::int64_t>(ref.size), ref.sha256);
}

}  // namespace arcp
