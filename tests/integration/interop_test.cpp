// The client against runtimes that behave unlike ours (found against the
// TypeScript reference runtime): a fake runtime on the memory transport
// plays each behaviour frame by frame.
#include <gtest/gtest.h>

#include <arcp/client.hpp>
#include <arcp/session_messages.hpp>
#include <atomic>
#include <future>
#include <thread>

#include "support/test_support.hpp"

namespace arcp {
namespace {

using test::kWait;
using test::RawPeer;

// A fake runtime: answers the client's hello with a welcome.
struct FakeRuntime {
  std::shared_ptr<Connection> client_end;
  std::unique_ptr<RawPeer> peer;

  FakeRuntime() {
    auto [c, r] = make_memory_pair();
    client_end = c;
    peer = std::make_unique<RawPeer>(r);
  }

  /// Connects a client (on another thread) and completes its handshake.
  std::shared_ptr<Client> connect(ClientOptions options) {
    auto pending = std::async(std::launch::async,
                              [this, options] { return Client::connect(client_end, options); });
    auto hello = peer->next_of(msg::kHello);
    EXPECT_TRUE(hello);
    peer->session_id = "sess_fake";
    Welcome w;
    w.runtime_name = "fake";
    w.runtime_version = "0";
    w.resume_token = "resume-secret";
    w.features = FeatureSet{};
    peer->send(std::string(msg::kWelcome), w.to_json());
    auto client = pending.get();
    EXPECT_TRUE(client) << (client ? "" : client.error().describe());
    return client ? client.value() : nullptr;
  }
};

TEST(Interop, CloseCompletesWhenTheRuntimeAnswersSessionCloseWithAnError) {
  FakeRuntime fake;
  ClientOptions options;
  options.token = "t";
  options.close_timeout = std::chrono::hours(1);  // only the error reply can end close()
  auto client = fake.connect(options);
  ASSERT_TRUE(client);
  auto closing = std::async(std::launch::async, [&] { return client->close(); });
  auto close = fake.peer->next_of(msg::kClose);
  ASSERT_TRUE(close);
  fake.peer->send(
      std::string(msg::kSessionError),
      Error(ErrorCode::kInvalidRequest, "unknown message type session.close").to_json());
  ASSERT_EQ(closing.wait_for(kWait), std::future_status::ready)
      << "close() still waits after the runtime answered with session.error";
  EXPECT_TRUE(closing.get());
  EXPECT_TRUE(fake.peer->wait_closed());  // and the transport is closed
}

TEST(Interop, CloseCompletesWhenTheRuntimeNeverAnswersSessionClose) {
  FakeRuntime fake;
  ClientOptions options;
  options.token = "t";
  options.close_timeout = std::chrono::milliseconds(50);
  auto client = fake.connect(options);
  ASSERT_TRUE(client);
  auto closing = std::async(std::launch::async, [&] { return client->close(); });
  ASSERT_TRUE(fake.peer->next_of(msg::kClose));  // and no answer
  ASSERT_EQ(closing.wait_for(kWait), std::future_status::ready);
  EXPECT_TRUE(closing.get());
  EXPECT_TRUE(fake.peer->wait_closed());
}

TEST(Interop, SessionByeIsFinalAndNotResumed) {
  FakeRuntime fake;
  auto reconnects = std::make_shared<std::atomic<int>>(0);
  ClientOptions options;
  options.token = "t";
  options.reconnect = [reconnects]() -> Result<std::shared_ptr<Connection>> {
    ++*reconnects;
    return Error(ErrorCode::kInternalError, "no second transport in this test");
  };
  auto client = fake.connect(options);
  ASSERT_TRUE(client);
  fake.peer->send(std::string(msg::kBye), json::object{{"reason", "idle_timeout"}});
  fake.peer.reset();  // then closes its end, as ours does: the client sees the drop
  auto error = client->next_session_error(kWait);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("session.bye: idle_timeout"), std::string::npos) << error->message;
  EXPECT_FALSE(client->connected());
  EXPECT_EQ(reconnects->load(), 0);  // the drop after a bye is not resumed
}

// A stale resume token: RESUME_WINDOW_EXPIRED from other runtimes,
// UNAUTHENTICATED from ours. The client gives up on either at once and says
// how long it tried.
class StaleResume : public ::testing::TestWithParam<ErrorCode> {};

TEST_P(StaleResume, EndsTheSessionAfterOneAttempt) {
  FakeRuntime fake;
  auto second = std::make_shared<std::unique_ptr<RawPeer>>();
  auto answered = std::make_shared<std::promise<void>>();
  const ErrorCode refusal = GetParam();
  ClientOptions options;
  options.token = "t";
  options.reconnect = [second, refusal, answered]() -> Result<std::shared_ptr<Connection>> {
    auto [c, r] = make_memory_pair();
    *second = std::make_unique<RawPeer>(r);
    // The second "runtime" refuses the resume hello once it arrives.
    std::thread([peer = second->get(), refusal, answered] {
      if (peer->next_of(msg::kHello))
        peer->send(std::string(msg::kSessionError), Error(refusal, "stale resume token").to_json());
      answered->set_value();
    }).detach();
    return c;
  };
  auto client = fake.connect(options);
  ASSERT_TRUE(client);
  fake.peer.reset();  // the first transport drops: the client resumes
  auto error = client->next_session_error(kWait);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, refusal);
  EXPECT_NE(error->message.find("resume failed after 1 attempt over"), std::string::npos)
      << error->message;
  EXPECT_EQ(answered->get_future().wait_for(kWait), std::future_status::ready);
}

INSTANTIATE_TEST_SUITE_P(Codes, StaleResume,
                         ::testing::Values(ErrorCode::kResumeWindowExpired,
                                           ErrorCode::kUnauthenticated),
                         [](const auto& info) {
                           return info.param == ErrorCode::kUnauthenticated ? "Unauthenticated"
                                                                            : "ResumeWindowExpired";
                         });

}  // namespace
}  // namespace arcp
