// The coroutine/completion-token client API over a real WebSocket.
#include <gtest/gtest.h>

#include <arcp/async.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

namespace asio = boost::asio;

TEST(AsyncClient, CoroutineSubmitStreamsEventsAndResult) {
  TestRuntime rt;
  std::string url = rt.websocket_url();
  asio::io_context io;
  std::vector<std::int64_t> seqs;
  std::optional<Result<json::value>> result;
  std::optional<Error> failure;
  std::optional<ErrorCode> rejection;
  // GCC 12 rejects string literals inside coroutine bodies ("array used as
  // initializer"), so every literal is prepared out here.
  ClientOptions options{.token = "alice-token"};
  SubmitOptions chatty{.agent = "chatty", .input = json::object{{"n", 7}}};
  SubmitOptions missing{.agent = "missing"};
  // Outlives run(): closed below, so that the client's transport thread is
  // done posting into `io` before `io` is destroyed.
  std::shared_ptr<Client> kept;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto client = co_await async_connect(url, options, asio::use_awaitable);
        if (!client) {
          failure = client.error();
          co_return;
        }
        kept = *client;
        auto job = co_await async_submit(**client, chatty, asio::use_awaitable);
        if (!job) {
          failure = job.error();
          co_return;
        }
        while (auto ev = co_await async_next_event(*job, asio::use_awaitable))
          seqs.push_back(ev->event_seq);
        result = co_await async_result(*job, asio::use_awaitable);
        auto rejected = co_await async_submit(**client, missing, asio::use_awaitable);
        if (!rejected) rejection = rejected.error().code;
      },
      asio::detached);
  io.run();
  if (kept) (void)kept->close();
  ASSERT_FALSE(failure) << failure->describe();
  ASSERT_TRUE(result && *result);
  EXPECT_EQ(result->value().at("emitted"), 7);
  EXPECT_EQ(rejection, ErrorCode::kAgentNotAvailable);
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(AsyncClient, FutureTokenAndAsyncResultWhileEventsQueue) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  auto job =
      async_submit(*client, {.agent = "chatty", .input = json::object{{"n", 3}}}, asio::use_future)
          .get();
  ASSERT_TRUE(job);
  auto result = async_result(*job, asio::use_future).get();
  ASSERT_TRUE(result);
  EXPECT_EQ(result.value().at("emitted"), 3);
  // async_result leaves events queued for the consumer.
  EXPECT_EQ(drain_events(*job).size(), 3U);
}

}  // namespace
}  // namespace arcp::test
