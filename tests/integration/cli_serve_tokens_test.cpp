// Tokens for `arcp serve` that never show in `ps`: --token-file and the
// ARCP_TOKENS environment variable; a bad source stops serve and never
// echoes a token. SIGTERM ends serve gracefully with exit 0.
#include <gtest/gtest.h>

#include <arcp/client.hpp>
#include <csignal>
#include <fstream>
#include <string>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

bool connects(const std::string& url, const std::string& token) {
  ClientOptions o;
  o.token = token;
  o.auto_resume = false;
  return Client::connect(url, o).ok();
}

std::string serve_refuses(const std::string& args, const std::string& env = {}) {
  int code = -1;
  auto out = run_command(env + " timeout 30 " + std::string(ARCP_CLI_PATH) +
                             " serve --listen ws://127.0.0.1:0/arcp " + args + " 2>&1",
                         code);
  EXPECT_EQ(code, 2) << out;
  return out;
}

TEST(CliServeTokens, ATokenFileAuthenticatesItsPrincipals) {
  TempDir dir;
  auto path = write_file(dir, "tokens", "# operators\n\nfile-token:alice\n  second-token:bob  \n");
  ServeProcess server("--token-file " + path);
  EXPECT_TRUE(connects(server.url(), "file-token"));
  EXPECT_TRUE(connects(server.url(), "second-token"));
  EXPECT_FALSE(connects(server.url(), "# operators"));
}

TEST(CliServeTokens, TheArcpTokensVariableAuthenticatesItsPrincipals) {
  ServeProcess server("", "ARCP_TOKENS='env-token:alice, other-token:bob'");
  EXPECT_TRUE(connects(server.url(), "env-token"));
  EXPECT_TRUE(connects(server.url(), "other-token"));
  EXPECT_FALSE(connects(server.url(), "env-token:alice"));
}

TEST(CliServeTokens, ABadTokenSourceStopsServeWithoutEchoingTheToken) {
  TempDir dir;
  auto out = serve_refuses("--token-file " + write_file(dir, "bad", "ok:alice\nsupersecret\n"));
  EXPECT_NE(out.find("line 2: expected TOKEN:PRINCIPAL"), std::string::npos) << out;
  EXPECT_EQ(out.find("supersecret"), std::string::npos) << out;
  out = serve_refuses("--token-file " + dir.path() + "/missing");
  EXPECT_NE(out.find("cannot read"), std::string::npos) << out;
  out = serve_refuses("--token-file " + write_file(dir, "empty", "# nothing\n"));
  EXPECT_NE(out.find("no TOKEN:PRINCIPAL line"), std::string::npos) << out;
  out = serve_refuses("", "ARCP_TOKENS='fine:alice,hiddenvalue'");
  EXPECT_NE(out.find("ARCP_TOKENS entry 2"), std::string::npos) << out;
  EXPECT_EQ(out.find("hiddenvalue"), std::string::npos) << out;
}

TEST(CliServeTokens, SigtermShutsServeDownGracefully) {
  ServeProcess server("--token t:alice");
  ASSERT_TRUE(connects(server.url(), "t"));
  server.kill(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0);
}

}  // namespace
}  // namespace arcp::test
#endif
