// A connection that never completes session.hello cannot hold a descriptor
// (or its small reply budget) for ever: it is closed after hello_timeout.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

TEST(HalfOpen, AConnectionWithoutHelloIsClosedAfterTheTimeout) {
  RuntimeOptions o = default_runtime_options();
  o.hello_timeout = std::chrono::seconds(1);
  TestRuntime rt(o);
  auto ws = connect_websocket(rt.websocket_url());
  ASSERT_TRUE(ws);
  RawPeer silent(ws.value());
  RawPeer greeted(rt.memory_connection());
  ASSERT_TRUE(greeted.handshake());

  auto error = silent.next_of("session.error");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->payload.at("code").as_string(), "UNAUTHENTICATED");
  EXPECT_TRUE(silent.wait_closed());
  EXPECT_TRUE(eventually([&] { return rt.runtime().stats().connections == 1; }));

  // The session that said hello in time is untouched.
  greeted.send("session.ping", json::object{{"nonce", "still-here"}});
  auto pong = greeted.next_of("session.pong");
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload.at("ping_nonce").as_string(), "still-here");
}

}  // namespace
}  // namespace arcp::test
