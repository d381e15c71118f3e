// Internal: runs blocking work of a coroutine agent on the blocking pool.
#pragma once

#include <arcp/agent.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include "runtime/job.hpp"

namespace arcp::runtime {

/// Runs `fn` on the blocking pool; the awaiting coroutine resumes on its own
/// executor with the value, or with the exception `fn` threw rethrown there
/// (one escaping into the pool's thread would std::terminate the process).
template <class T>
Awaitable<T> offload(Job& job, std::function<T()> fn) {
  using Signature = void(std::exception_ptr, std::optional<T>);
  auto out = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, Signature>(
      [&job, &fn](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        job.spec().services->offload(job.spec().principal, [shared, fn = std::move(fn)] {
          std::exception_ptr error;
          std::optional<T> value;
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
  co_return std::move(*out);
}

/// The error of a blocking helper called on an I/O thread.
inline Error blocking_on_io_thread(std::string_view what) {
  return Error(ErrorCode::kInternalError,
               std::string(what) +
                   " was called in its blocking form on an I/O thread; a coroutine agent "
                   "co_awaits the async_ form");
}

}  // namespace arcp::runtime
