// CLI errors that say what to do: the agents on offer, the ARCP path, the
// valid statuses, the unknown command, where the JSON broke, the trace id
// format, the --max-runtime range. Bad arguments fail before connecting.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

const std::string kCli = ARCP_CLI_PATH;
// Nothing listens here: a command that tried to connect would exit 5, not 2.
const std::string kNowhere = " --url ws://127.0.0.1:1/arcp --token alice-token";

std::string cli(const std::string& args, int& code) {
  return run_command(kCli + " " + args + " 2>&1", code);
}

TEST(CliErrorMessages, UnknownAgentListsTheAvailableOnes) {
  TestRuntime rt;
  TempDir state;
  int code = -1;
  auto out = cli("submit --url " + rt.websocket_url() + " --token alice-token --state-dir " +
                     state.path() + " no-such-agent",
                 code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("AGENT_NOT_AVAILABLE"), std::string::npos) << out;
  EXPECT_NE(out.find("available agents:"), std::string::npos) << out;
  EXPECT_NE(out.find("\n  echo"), std::string::npos) << out;
  EXPECT_NE(out.find("\n  versioned (1.0.0, 2.0.0 default)"), std::string::npos) << out;
}

TEST(CliErrorMessages, WrongWebSocketPathSaysWhereArcpIs) {
  TestRuntime rt;
  std::string url = rt.websocket_url();
  std::string wrong = url.substr(0, url.rfind('/')) + "/wrong";
  int code = -1;
  auto out = cli("jobs --url " + wrong + " --token alice-token", code);
  EXPECT_EQ(code, 5) << out;
  EXPECT_NE(out.find("HTTP 404"), std::string::npos) << out;
  EXPECT_NE(out.find("the arcp runtime serves ARCP at /arcp, e.g. ws://host:7777/arcp"),
            std::string::npos)
      << out;
}

TEST(CliErrorMessages, BogusStatusIsAUsageErrorListingTheValidOnes) {
  int code = -1;
  auto out = cli("jobs" + kNowhere + " --status bogus", code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("'bogus' is not a job status; valid: pending, running, success, error, "
                     "cancelled, timed_out"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("JOB "), std::string::npos) << out;  // no table header
}

TEST(CliErrorMessages, UnknownCommandPointsAtHelp) {
  int code = -1;
  auto out = cli("sumbit echo", code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_EQ(out, "arcp: unknown command 'sumbit'; see arcp --help\n");
}

TEST(CliErrorMessages, InvalidJsonSaysWhereItBroke) {
  int code = -1;
  auto out = cli("submit" + kNowhere + " echo '{\"a\":1,}'", code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("INPUT_JSON is not valid JSON: syntax error at line 1, column 8 (byte 7)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\n  {\"a\":1,}\n         ^"), std::string::npos) << out;
  out = cli("submit" + kNowhere + R"sh( echo "$(printf '{\n  "a": tru\n}')")sh", code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("at line 2, column 8"), std::string::npos) << out;
  out = cli("submit" + kNowhere + " echo '{\"a\":'", code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("at line 1, column 6 (byte 5)"), std::string::npos) << out;
  out = cli("submit" + kNowhere + " --lease '[1' echo", code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("--lease is not valid JSON"), std::string::npos) << out;
}

TEST(CliErrorMessages, BadTraceIdIsRefusedWithTheFormat) {
  int code = -1;
  for (const char* bad :
       {"xyz", "4BF92F3577B34DA6A3CE929D0E0E4736", "00000000000000000000000000000000",
        "4bf92f3577b34da6a3ce929d0e0e473"}) {
    SCOPED_TRACE(bad);
    auto out = cli("submit" + kNowhere + " --trace-id " + bad + " echo", code);
    EXPECT_EQ(code, 2) << out;
    EXPECT_NE(out.find("expected 32 lowercase hex digits, not all zero"), std::string::npos) << out;
  }
}

TEST(CliErrorMessages, MaxRuntimeOutOfRangeSaysTheRange) {
  int code = -1;
  for (const char* bad : {"0", "-5", "1.5", "abc"}) {
    SCOPED_TRACE(bad);
    auto out = cli("submit" + kNowhere + " --max-runtime=" + bad + " echo", code);
    EXPECT_EQ(code, 2) << out;
    EXPECT_NE(out.find("must be a whole number of seconds from 1 to 31536000"), std::string::npos)
        << out;
  }
}

}  // namespace
}  // namespace arcp::test
#endif
