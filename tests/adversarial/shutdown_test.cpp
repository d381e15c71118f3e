// Graceful shutdown with connections of every transport attached and jobs
// running: each client gets its job's INTERNAL_ERROR, then a session.error
// INTERNAL_ERROR and a close; the runtime is destroyed cleanly (it crashed
// in ~WsConnection when a session outlived its listener's io_context), and
// `arcp serve` exits 0 on SIGTERM and SIGINT.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

json::object slow_job() {
  return json::object{{"agent", "slow"}, {"input", json::object{{"ms", 60000}}}};
}

/// The job's fate, then the session's, then the close.
void expect_graceful_end(RawPeer& peer, const std::string& what) {
  SCOPED_TRACE(what);
  auto job_error = peer.next_of("job.error");
  ASSERT_TRUE(job_error);
  EXPECT_EQ(job_error->payload.at("code").as_string(), "INTERNAL_ERROR");
  auto session_error = peer.next_of("session.error");
  ASSERT_TRUE(session_error);
  EXPECT_EQ(session_error->payload.at("code").as_string(), "INTERNAL_ERROR");
  EXPECT_TRUE(session_error->payload.at("retryable").as_bool());
  EXPECT_TRUE(peer.wait_closed());
}

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
};

TEST(Shutdown, ConformanceT03_MemoryWebSocketAndStdioSessionsWithRunningJobsEndGracefully) {
  auto rt = std::make_unique<TestRuntime>();
  Pipe to_runtime, from_runtime;
  rt->runtime().serve(make_stdio_connection(to_runtime.fds[0], from_runtime.fds[1]));
  auto ws = connect_websocket(rt->websocket_url());
  ASSERT_TRUE(ws);
  std::vector<std::pair<std::string, std::unique_ptr<RawPeer>>> peers;
  peers.emplace_back("memory", std::make_unique<RawPeer>(rt->memory_connection()));
  peers.emplace_back("websocket", std::make_unique<RawPeer>(ws.value()));
  peers.emplace_back("stdio", std::make_unique<RawPeer>(
                                  make_stdio_connection(from_runtime.fds[0], to_runtime.fds[1])));
  for (auto& [name, peer] : peers) {
    ASSERT_TRUE(peer->handshake()) << name;
    peer->send("job.submit", slow_job());
    ASSERT_TRUE(peer->next_of("job.accepted")) << name;
  }
  // A second, unauthenticated connection is closed too.
  RawPeer anonymous(rt->memory_connection());

  rt->runtime().shutdown();
  for (auto& [name, peer] : peers) expect_graceful_end(*peer, name);
  auto unbound = anonymous.next_of("session.error");
  ASSERT_TRUE(unbound);
  EXPECT_EQ(unbound->payload.at("code").as_string(), "INTERNAL_ERROR");
  EXPECT_TRUE(anonymous.wait_closed());
  rt.reset();  // sessions still hold their connections here: no crash, no leak
}

TEST(Shutdown, DestroyingTheRuntimeWithoutShutdownStillClosesEveryConnection) {
  auto rt = std::make_unique<TestRuntime>();
  auto ws = connect_websocket(rt->websocket_url());
  ASSERT_TRUE(ws);
  RawPeer peer(ws.value());
  ASSERT_TRUE(peer.handshake());
  peer.send("job.submit", slow_job());
  ASSERT_TRUE(peer.next_of("job.accepted"));
  rt.reset();
  expect_graceful_end(peer, "websocket");
}

#ifdef ARCP_CLI_PATH
class ServeSignal : public ::testing::TestWithParam<int> {};

TEST_P(ServeSignal, AttachedWebSocketSessionWithARunningJobEndsGracefullyAndTheProcessExitsZero) {
  TempDir dir;
  ServeProcess server("--token t:alice --data-dir " + dir.path());
  auto conn = connect_websocket(server.url());
  ASSERT_TRUE(conn);
  RawPeer peer(conn.value());
  ASSERT_TRUE(peer.handshake("t"));
  peer.send("job.submit", slow_job());
  ASSERT_TRUE(peer.next_of("job.accepted"));
  server.kill(GetParam());
  expect_graceful_end(peer, "websocket");
  EXPECT_EQ(server.wait_exit(), 0);  // was 139: SIGSEGV in ~WsConnection
}

INSTANTIATE_TEST_SUITE_P(SigtermAndSigint, ServeSignal, ::testing::Values(SIGTERM, SIGINT),
                         [](const auto& info) {
                           return std::string(info.param == SIGTERM ? "Sigterm" : "Sigint");
                         });

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Shutdown, ServeStdioEndsItsSessionGracefullyOnSigterm) {
  TempDir dir;
  std::string pid_file = dir.path() + "/pid", exit_file = dir.path() + "/exit";
  // The shell reports arcp's pid and exit status; stdin reaches the
  // background command through fd 3 (sh gives it /dev/null otherwise).
  std::string script =
      "exec 3<&0; " + std::string(ARCP_CLI_PATH) + " serve --stdio --token t:alice --data-dir " +
      dir.path() + "/db <&3 3<&- 2>/dev/null & echo $! > " + pid_file + "; wait $!; echo $? > " +
      exit_file + ".tmp; mv " + exit_file + ".tmp " + exit_file;
  auto conn = spawn_stdio_child({"/bin/sh", "-c", script});
  ASSERT_TRUE(conn);
  RawPeer peer(conn.value());
  ASSERT_TRUE(peer.handshake("t"));
  peer.send("job.submit", slow_job());
  ASSERT_TRUE(peer.next_of("job.accepted"));
  std::string pid;
  ASSERT_TRUE(eventually([&] { return !(pid = read_file(pid_file)).empty(); }));
  ::kill(static_cast<pid_t>(std::stol(pid)), SIGTERM);
  expect_graceful_end(peer, "stdio");
  std::string status;
  ASSERT_TRUE(eventually([&] { return !(status = read_file(exit_file)).empty(); }));
  EXPECT_EQ(std::stoi(status), 0);
}
#endif

}  // namespace
}  // namespace arcp::test
