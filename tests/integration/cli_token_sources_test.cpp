// Tokens off the command line: --token-file FILE (first line, trimmed) and
// ARCP_TOKEN on every command that connects; precedence --token, then
// --token-file, then ARCP_TOKEN; a missing or empty file is a usage error
// naming the file, never showing what it holds.
#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

const std::string kCli = ARCP_CLI_PATH;

class CliTokenSources : public ::testing::Test {
 protected:
  std::string jobs(const std::string& env, const std::string& flags, int& code) {
    return run_command(env + " " + kCli + " jobs --url " + url + " " + flags + " 2>&1", code);
  }
  std::string file_with(const std::string& name, const std::string& text) {
    std::string path = dir.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  TestRuntime rt;
  std::string url = rt.websocket_url();
  TempDir dir;
};

TEST_F(CliTokenSources, FileThenEnvironmentAndTheirPrecedence) {
  std::string good = file_with("good", "  alice-token  \nsecond line ignored\n");
  std::string bad = file_with("bad", "wrong-token\n");
  int code = -1;
  auto out = jobs("env -u ARCP_TOKEN", "--token-file " + good, code);
  EXPECT_EQ(code, 0) << out;
  out = jobs("ARCP_TOKEN=alice-token", "", code);
  EXPECT_EQ(code, 0) << out;
  out = jobs("env -u ARCP_TOKEN", "", code);  // no token at all
  EXPECT_EQ(code, 6) << out;
  // --token beats --token-file, which beats ARCP_TOKEN.
  out = jobs("env -u ARCP_TOKEN", "--token wrong-token --token-file " + good, code);
  EXPECT_EQ(code, 6) << out;
  out = jobs("env -u ARCP_TOKEN", "--token alice-token --token-file " + bad, code);
  EXPECT_EQ(code, 0) << out;
  out = jobs("ARCP_TOKEN=alice-token", "--token-file " + bad, code);
  EXPECT_EQ(code, 6) << out;
  out = jobs("ARCP_TOKEN=wrong-token", "--token-file " + good, code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out.find("alice-token"), std::string::npos) << out;
}

TEST_F(CliTokenSources, MissingOrEmptyFileIsAUsageErrorNamingIt) {
  std::string missing = dir.path() + "/missing";
  std::string empty = file_with("empty", "   \nsecret-on-line-two\n");
  int code = -1;
  auto out = jobs("", "--token-file " + missing, code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("--token-file " + missing + ": cannot read the file"), std::string::npos)
      << out;
  out = jobs("", "--token-file " + empty, code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("--token-file " + empty + ": the first line is empty"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("secret-on-line-two"), std::string::npos) << out;
}

TEST_F(CliTokenSources, EveryCommandThatConnectsTakesThem) {
  int code = -1;
  for (const std::string& cmd : {"submit", "watch", "cancel", "jobs", "artifact get",
                                 "artifact put", "artifact release", "bench"}) {
    SCOPED_TRACE(cmd);
    auto help = run_command(kCli + " " + cmd + " --help", code);
    EXPECT_EQ(code, 0) << help;
    EXPECT_NE(help.find("--token-file"), std::string::npos) << help;
    EXPECT_NE(help.find("ARCP_TOKEN"), std::string::npos) << help;
    EXPECT_NE(help.find("`ps`"), std::string::npos) << help;
    EXPECT_NE(help.find("--ca-file"), std::string::npos) << help;
  }
  // submit and watch end to end with the file.
  std::string good = file_with("good", "alice-token\n");
  TempDir state;
  auto out = run_command(kCli + " submit --url " + url + " --token-file " + good + " --state-dir " +
                             state.path() + " echo '{\"k\":1}' 2>&1",
                         code);
  EXPECT_EQ(code, 0) << out;
  auto at = out.find("job_");
  ASSERT_NE(at, std::string::npos) << out;
  std::string job_id = out.substr(at, out.find(' ', at) - at);
  out = run_command("env -u ARCP_TOKEN ARCP_TOKEN=alice-token " + kCli + " watch " + job_id +
                        " --url " + url + " 2>&1",
                    code);
  EXPECT_EQ(code, 0) << out;
}

}  // namespace
}  // namespace arcp::test
#endif
