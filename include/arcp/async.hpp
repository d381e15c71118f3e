// The asynchronous client API: Asio completion-token initiators over Client
// and JobHandle. Works with callbacks, std::future (use_future) and C++20
// coroutines (use_awaitable):
//
//   auto client = co_await arcp::async_connect(url, opts, asio::use_awaitable);
//   auto job = co_await arcp::async_submit(**client, {.agent = "chatty"}, asio::use_awaitable);
//   while (auto ev = co_await arcp::async_next_event(*job, asio::use_awaitable)) …
//   auto result = co_await arcp::async_result(*job, asio::use_awaitable);
//
// Completions run on the handler's associated executor (the coroutine's).
#pragma once

#include <arcp/client.hpp>
#include <arcp/job_handle.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace arcp {

namespace detail {
/// Wraps a move-only handler so it can ride in a std::function, and completes
/// it on its associated executor.
template <class Handler, class... Args>
std::function<void(Args...)> post_to_handler(Handler&& handler) {
  auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
  return [h](Args... args) {
    auto ex = boost::asio::get_associated_executor(*h);
    // Work held until post() has returned: the handler may run, and its
    // io_context finish and be destroyed, before post() is done waking it
    // from this (foreign) thread.
    auto work = boost::asio::make_work_guard(ex);
    boost::asio::post(ex, [h, tup = std::make_tuple(std::move(args)...)]() mutable {
      std::apply([&](auto&&... a) { std::move (*h)(std::move(a)...); }, std::move(tup));
    });
  };
}
}  // namespace detail

/// Opens a session: completes with `Result<std::shared_ptr<Client>>`.
template <class CompletionToken>
auto async_connect(std::string url, ClientOptions options, CompletionToken&& token) {
  using Sig = void(Result<std::shared_ptr<Client>>);
  return boost::asio::async_initiate<CompletionToken, Sig>(
      [](auto handler, std::string u, ClientOptions o) {
        Client::connect(u, std::move(o),
                        detail::post_to_handler<decltype(handler), Result<std::shared_ptr<Client>>>(
                            std::move(handler)));
      },
      token, std::move(url), std::move(options));
}

/// Submits a job: completes with `Result<JobHandle>` once accepted or rejected.
template <class CompletionToken>
auto async_submit(Client& client, SubmitOptions options, CompletionToken&& token) {
  using Sig = void(Result<JobHandle>);
  return boost::asio::async_initiate<CompletionToken, Sig>(
      [&client](auto handler, SubmitOptions o) {
        client.submit(
            o, detail::post_to_handler<decltype(handler), Result<JobHandle>>(std::move(handler)));
      },
      token, std::move(options));
}

/// Next event of the job, or nullopt once the job has ended and every event
/// was consumed.
template <class CompletionToken>
auto async_next_event(JobHandle& job, CompletionToken&& token) {
  using Sig = void(std::optional<JobEvent>);
  return boost::asio::async_initiate<CompletionToken, Sig>(
      [&job](auto handler) {
        auto complete =
            detail::post_to_handler<decltype(handler), std::optional<JobEvent>>(std::move(handler));
        job.when_ready([&job, complete] { complete(job.try_next_event()); });
      },
      token);
}

/// The job's outcome: its inline result, or its error.
template <class CompletionToken>
auto async_result(JobHandle& job, CompletionToken&& token) {
  using Sig = void(Result<json::value>);
  return boost::asio::async_initiate<CompletionToken, Sig>(
      [&job](auto handler) {
        auto complete =
            detail::post_to_handler<decltype(handler), Result<json::value>>(std::move(handler));
        job.when_done([&job, complete] { complete(*job.try_result()); });
      },
      token);
}

/// Stores an artifact: completes with `Result<ArtifactRef>`.
template <class CompletionToken>
auto async_put_artifact(Client& client, std::string bytes, std::string media_type,
                        PutArtifactOptions options, CompletionToken&& token) {
  using Sig = void(Result<ArtifactRef>);
  return boost::asio::async_initiate<CompletionToken, Sig>(
      [&client](auto handler, std::string b, std::string m, PutArtifactOptions o) {
        client.put_artifact(
            std::move(b), std::move(m), std::move(o),
            detail::post_to_handler<decltype(handler), Result<ArtifactRef>>(std::move(handler)));
      },
      token, std::move(bytes), std::move(media_type), std::move(options));
}

/// Fetches a whole artifact (at most `max_bytes`): completes with `Result<std::string>`.
template <class CompletionToken>
auto async_fetch_artifact(Client& client, std::string ref, std::size_t max_bytes,
                          CompletionToken&& token) {
  using Sig = void(Result<std::string>);
  return boost::asio::async_initiate<CompletionToken, Sig>(
      [&client](auto handler, std::string r, std::size_t max) {
        client.fetch_artifact(
            std::move(r), max,
            detail::post_to_handler<decltype(handler), Result<std::string>>(std::move(handler)));
      },
      token, std::move(ref), max_bytes);
}

/// Releases an artifact: completes with `Result<void>`.
template <class CompletionToken>
auto async_release_artifact(Client& client, std::string ref, CompletionToken&& token) {
  using Sig = void(Result<void>);
  return boost::asio::async_initiate<CompletionToken, Sig>(
      [&client](auto handler, std::string r) {
        client.release_artifact(
            std::move(r),
            detail::post_to_handler<decltype(handler), Result<void>>(std::move(handler)));
      },
      token, std::move(ref));
}

}  // namespace arcp
