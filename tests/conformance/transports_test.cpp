// T01, T03 and the CLI end to end: the same behaviour over memory, WebSocket
// and stdio, and graceful shutdown.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

/// What one scripted session observes, transport-independently.
struct Observed {
  std::vector<std::string> kinds;
  std::vector<std::int64_t> seqs;
  std::string result;
  std::string rejection;
  std::size_t big_echo_size = 0;
};

Observed run_script(Client& client) {
  Observed o;
  auto job =
      client.submit({.agent = "chatty", .input = json::object{{"n", 20}, {"kind", "mixed"}}});
  if (!job) return o;
  for (const auto& e : drain_events(*job)) {
    o.kinds.push_back(e.kind);
    o.seqs.push_back(e.event_seq);
  }
  auto r = job->result();
  o.result = r ? json::serialize(r.value()) : r.error().describe();
  auto bad = client.submit({.agent = "nope"});
  o.rejection = bad ? "accepted?!" : std::string(to_string(bad.error().code));
  // A 1.5 MiB input: stdio lines and WebSocket messages over 1 MiB must work.
  std::string big(1536 * 1024, 'z');
  auto echo = client.submit({.agent = "echo", .input = json::object{{"blob", big}}});
  if (echo)
    if (auto er = echo->result(); er) o.big_echo_size = er.value().at("blob").as_string().size();
  return o;
}

void expect_same(const Observed& a, const Observed& b) {
  EXPECT_EQ(a.kinds, b.kinds);
  EXPECT_EQ(a.seqs, b.seqs);
  EXPECT_EQ(a.result, b.result);
  EXPECT_EQ(a.rejection, b.rejection);
  EXPECT_EQ(a.big_echo_size, b.big_echo_size);
}

TEST(Transports, ConformanceT01_MemoryWebSocketAndStdioBehaveTheSame) {
  TestRuntime rt;
  auto memory = rt.connect_memory();
  Observed via_memory = run_script(*memory);
  EXPECT_EQ(via_memory.kinds.size(), 20U);
  EXPECT_EQ(via_memory.result, R"({"emitted":20})");
  EXPECT_EQ(via_memory.rejection, "AGENT_NOT_AVAILABLE");
  EXPECT_EQ(via_memory.big_echo_size, 1536U * 1024U);

  auto ws = Client::connect(rt.websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(ws) << ws.error().describe();
  expect_same(via_memory, run_script(**ws));

#ifdef ARCP_CLI_PATH
  auto stdio =
      Client::connect(std::string("stdio:") + ARCP_CLI_PATH + " serve --stdio --token t:alice",
                      ClientOptions{.token = "t"});
  ASSERT_TRUE(stdio) << stdio.error().describe();
  expect_same(via_memory, run_script(**stdio));
#endif
}

TEST(Transports, WebSocketRejectsWrongPathAndForeignHost) {
  TestRuntime rt;
  std::string url = rt.websocket_url();
  auto wrong_path = connect_websocket(url.substr(0, url.rfind('/')) + "/not-arcp");
  EXPECT_FALSE(wrong_path);
  // 127.0.0.2 reaches the same loopback listener, but "127.0.0.2" is not an allowed Host.
  std::string port = url.substr(url.rfind(':') + 1);
  port = port.substr(0, port.find('/'));
  auto foreign = connect_websocket("ws://127.0.0.2:" + port + "/arcp");
  EXPECT_FALSE(foreign);
  EXPECT_TRUE(connect_websocket(url));
}

TEST(Transports, ConformanceT03_GracefulShutdownDrainsSessions) {
  auto rt = std::make_unique<TestRuntime>();
  auto client = Client::connect(rt->websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(client);
  auto job = (*client)->submit({.agent = "slow", .input = json::object{{"ms", 60000}}});
  ASSERT_TRUE(job);
  rt->runtime().shutdown();
  // The running job's fate reaches the client before the socket closes.
  auto r = job->result(std::chrono::seconds(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternalError);
  EXPECT_TRUE(r.error().retryable);
  rt.reset();
  // The close reaches the client's own I/O thread after the runtime is gone.
  EXPECT_TRUE(eventually([&] { return !(*client)->connected(); }));
}

#ifdef ARCP_CLI_PATH
TEST(Cli, ServeAndSubmitOverWebSocketWithExitCodes) {
  // `arcp serve` in its own process, URL read from its first line.
  FILE* server =
      ::popen((std::string(ARCP_CLI_PATH) +
               " serve --listen ws://127.0.0.1:0/arcp --token secret:carol & echo $! ; wait")
                  .c_str(),
              "r");
  ASSERT_NE(server, nullptr);
  char line[512];
  ASSERT_TRUE(std::fgets(line, sizeof line, server));
  std::string pid = std::string(line).substr(0, std::string(line).find('\n'));
  ASSERT_TRUE(std::fgets(line, sizeof line, server));
  std::string url = std::string(line).substr(std::string("listening on ").size());
  url = url.substr(0, url.find('\n'));

  int code = -1;
  std::string base = std::string(ARCP_CLI_PATH) + " submit --url " + url + " --token secret ";
  std::string json_out = run_command(base + "chatty '{\"n\":3}' --json", code);
  EXPECT_EQ(code, 0);
  int lines = 0, events = 0;
  for (std::size_t pos = 0; (pos = json_out.find('\n', pos)) != std::string::npos; ++pos) ++lines;
  for (std::size_t pos = 0;
       (pos = json_out.find("\"type\":\"job.event\"", pos)) != std::string::npos; ++pos)
    ++events;
  EXPECT_EQ(events, 3);
  EXPECT_GE(lines, 6);  // welcome, accepted, 3 events, result (+ closed)
  EXPECT_NE(json_out.find("\"type\":\"job.result\""), std::string::npos);

  std::string human = run_command(base + "progress '{\"total\":3}'", code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(human.find("3/3"), std::string::npos);
  EXPECT_NE(human.find("succeeded"), std::string::npos);

  run_command(base + "failing '{\"message\":\"boom\"}'", code);
  EXPECT_EQ(code, 1);
  run_command(base + "slow '{\"ms\":10000}' --max-runtime 1", code);
  EXPECT_EQ(code, 4);
  run_command(std::string(ARCP_CLI_PATH) + " submit --url " + url + " --token wrong echo", code);
  EXPECT_EQ(code, 6);  // authentication (docs/cli.md)

  std::system(("kill -TERM " + pid).c_str());
  ::pclose(server);
}
#endif

}  // namespace
}  // namespace arcp::test

namespace arcp::test {
namespace {

TEST(Transports, ConformanceT02_SecureWebSocketWithTlsAndHostAllowList) {
  TestRuntime rt;
  WebSocketServerOptions wo;
  wo.listen_url = "wss://127.0.0.1:0/arcp";
  wo.tls_cert_file = ARCP_TEST_DATA_DIR "/test-cert.pem";
  wo.tls_key_file = ARCP_TEST_DATA_DIR "/test-key.pem";
  auto url = rt.runtime().listen(wo);
  ASSERT_TRUE(url) << url.error().describe();
  ASSERT_EQ(url.value().rfind("wss://127.0.0.1:", 0), 0U);

  ClientOptions trusted{.token = "alice-token"};
  trusted.websocket.ca_file = ARCP_TEST_DATA_DIR "/test-cert.pem";
  auto client = Client::connect(url.value(), trusted);
  ASSERT_TRUE(client) << client.error().describe();
  auto job = (*client)->submit({.agent = "echo", .input = "over tls"});
  ASSERT_TRUE(job);
  EXPECT_EQ(job->result().value(), "over tls");

  // An untrusted certificate is refused by default.
  auto untrusted = Client::connect(url.value(), ClientOptions{.token = "alice-token"});
  EXPECT_FALSE(untrusted);

  // The Host allow-list applies over TLS too.
  WebSocketServerOptions strict = wo;
  strict.listen_url = "wss://127.0.0.1:0/arcp";
  strict.allowed_hosts = {"arcp.example.com"};
  auto strict_url = rt.runtime().listen(strict);
  ASSERT_TRUE(strict_url);
  WebSocketClientOptions insecure;
  insecure.insecure_skip_verify = true;
  EXPECT_FALSE(connect_websocket(strict_url.value(), insecure));
  EXPECT_TRUE(connect_websocket(url.value(), insecure));
}

}  // namespace
}  // namespace arcp::test
