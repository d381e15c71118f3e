// Internal: runs blocking work for an awaiting coroutine on the blocking
// pool; the coroutine resumes on its own executor with the value, or with the
// exception the work threw rethrown there (one escaping into a pool thread
// would std::terminate the process).
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include "runtime/job.hpp"

namespace arcp::runtime {

template <class T>
boost::asio::awaitable<T> offload_to_pool(Job& job, std::function<T()> fn) {
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

}  // namespace arcp::runtime
