// Runtime::run_until_signal(): SIGINT/SIGTERM or request_stop() end the
// wait and shut the runtime down; the previous signal handlers come back.
#include <gtest/gtest.h>

#include <arcp/runtime.hpp>
#include <csignal>
#include <thread>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

bool handler_installed(int sig) {
  struct sigaction current {};
  sigaction(sig, nullptr, &current);
  return current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
}

TEST(RunUntilSignal, SigtermEndsTheWaitShutsDownAndRestoresTheHandler) {
  ASSERT_FALSE(handler_installed(SIGTERM));
  Runtime rt(default_runtime_options());
  ASSERT_TRUE(rt.listen({.listen_url = "ws://127.0.0.1:0/arcp"}));
  std::thread signaller([] {
    // Only once the wait handles SIGTERM may it come (else it kills the test).
    if (eventually([] { return handler_installed(SIGTERM); })) ::kill(::getpid(), SIGTERM);
  });
  EXPECT_EQ(rt.run_until_signal(), SIGTERM);
  signaller.join();
  EXPECT_FALSE(rt.ready());                  // shut down
  EXPECT_FALSE(handler_installed(SIGTERM));  // the default is back
}

TEST(RunUntilSignal, SigintEndsTheWaitToo) {
  Runtime rt(default_runtime_options());
  std::thread signaller([] {
    if (eventually([] { return handler_installed(SIGINT); })) ::kill(::getpid(), SIGINT);
  });
  EXPECT_EQ(rt.run_until_signal(), SIGINT);
  signaller.join();
  EXPECT_FALSE(rt.ready());
}

TEST(RunUntilSignal, RequestStopFromAnotherThreadEndsTheWaitWithZero) {
  Runtime rt(default_runtime_options());
  std::thread stopper([&] {
    if (eventually([] { return handler_installed(SIGTERM); })) rt.request_stop();
  });
  EXPECT_EQ(rt.run_until_signal(), 0);
  stopper.join();
  EXPECT_FALSE(rt.ready());
}

TEST(RunUntilSignal, AStopRequestedBeforeTheWaitEndsItAtOnce) {
  Runtime rt(default_runtime_options());
  rt.request_stop();
  EXPECT_EQ(rt.run_until_signal(), 0);
  EXPECT_FALSE(rt.ready());
}

}  // namespace
}  // namespace arcp::test
