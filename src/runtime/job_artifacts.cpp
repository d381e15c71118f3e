// JobContext's artifact helpers (the `artifacts` extension, rfc-0001 §16):
// an agent stores output as an artifact of its job's principal and points
// at it with an §8.2 `artifact_ref` event.
#include <arcp/job_context.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>

#include "core/thread_role.hpp"
#include "runtime/job.hpp"
#include "store/artifact_store.hpp"

namespace arcp {
namespace {

using Stored = Result<ArtifactRef>;

// Runs `fn` on the blocking pool and resumes the coroutine on its own
// executor (an exception is rethrown there, never in the pool's thread).
Awaitable<Stored> offload_put(runtime::Job& job, std::function<Stored()> fn) {
  using Signature = void(std::exception_ptr, std::optional<Stored>);
  auto out = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, Signature>(
      [&job, &fn](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        job.spec().services->offload(job.spec().principal, [shared, fn = std::move(fn)] {
          std::exception_ptr error;
          std::optional<Stored> value;
          try {
            value.emplace(fn());
          } catch (...) {
            error = std::current_exception();
          }
          auto ex = boost::asio::get_associated_executor(*shared);
          boost::asio::post(ex, [shared, error, value = std::move(value)]() mutable {
            std::move (*shared)(error, std::move(value));
          });
        });
      },
      boost::asio::use_awaitable);
  if (!out) co_return Error(ErrorCode::kInternalError, "the runtime is shutting down");
  co_return std::move(*out);
}

}  // namespace

Result<ArtifactRef> JobContext::put_artifact(std::string_view data, std::string_view media_type,
                                             PutArtifactOptions options) {
  if (core::on_event_loop_thread())
    return Error(ErrorCode::kInternalError,
                 "put_artifact was called in its blocking form on an I/O thread; a coroutine "
                 "agent co_awaits async_put_artifact");
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
  auto storing = offload_put(
      *job_, [store, p = principal(), d = std::move(data), m = std::move(media_type),
              o = std::move(options)]() mutable { return store->put(p, std::move(d), m, o); });
  auto r = co_await std::move(storing);
  co_return r;
}

Result<void> JobContext::artifact_ref(const ArtifactRef& ref) {
  return artifact_ref(ref.uri, ref.media_type, static_cast<std::int64_t>(ref.size), ref.sha256);
}

}  // namespace arcp
