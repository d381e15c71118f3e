// The exit codes of docs/cli.md, the same for submit, watch, cancel and jobs:
// 0 success, 1 job failed, 2 usage, 3 cancelled, 4 timed out, 5 connection,
// 6 authentication, 7 job not found, 8 already finished; a connection lost
// mid-job that cannot be resumed says how long the resume tried.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

const std::string kCli = ARCP_CLI_PATH;

class CliExitCodes : public ::testing::Test {
 protected:
  std::string cli(const std::string& args, int& code) {
    return run_command(kCli + " " + args + " 2>&1", code);
  }
  TestRuntime rt;
  std::string conn = " --url " + rt.websocket_url() + " --token alice-token";
  TempDir state;
};

TEST_F(CliExitCodes, SubmitAndWatchAgreeOnEveryOutcome) {
  struct Case {
    std::string agent_and_input;
    int code;
  };
  for (const Case& c : {Case{"echo '{\"x\":1}'", 0}, Case{"failing '{\"message\":\"no\"}'", 1},
                        Case{"slow '{\"ms\":600000}' --max-runtime 1", 4}}) {
    SCOPED_TRACE(c.agent_and_input);
    int code = -1;
    auto out =
        cli("submit" + conn + " --state-dir " + state.path() + " " + c.agent_and_input, code);
    EXPECT_EQ(code, c.code) << out;
    auto at = out.find("job_");
    ASSERT_NE(at, std::string::npos) << out;
    std::string job_id = out.substr(at, out.find(' ', at) - at);
    auto watched = cli("watch " + job_id + conn, code);
    EXPECT_EQ(code, c.code) << watched;
    watched = cli("watch " + job_id + conn + " --json", code);
    EXPECT_EQ(code, c.code) << watched;
  }
}

TEST_F(CliExitCodes, CancelledIsThreeAndCancellingAFinishedJobIsEight) {
  auto owner = rt.connect_memory();
  auto job = owner->submit({.agent = "slow", .input = json::object{{"ms", 600000}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->cancel());
  ASSERT_FALSE(job->result());
  int code = -1;
  auto out = cli("watch " + job->job_id() + conn, code);
  EXPECT_EQ(code, 3) << out;

  out = cli("cancel " + job->job_id() + conn + " --state-dir " + state.path(), code);
  EXPECT_EQ(code, 8) << out;
  EXPECT_NE(out.find("already finished (cancelled)"), std::string::npos) << out;

  auto done = owner->submit({.agent = "echo"});
  ASSERT_TRUE(done && done->result());
  out = cli("cancel " + done->job_id() + conn + " --state-dir " + state.path(), code);
  EXPECT_EQ(code, 8) << out;
  EXPECT_NE(out.find("already finished (success)"), std::string::npos) << out;
}

TEST_F(CliExitCodes, UnknownJobIsSevenWrongTokenSixNoRuntimeFive) {
  int code = -1;
  std::string unknown = "job_01JUNKNOWN000000000000000";
  auto out = cli("watch " + unknown + conn, code);
  EXPECT_EQ(code, 7) << out;
  out = cli("cancel " + unknown + conn + " --state-dir " + state.path(), code);
  EXPECT_EQ(code, 7) << out;

  std::string bad = " --url " + rt.websocket_url() + " --token wrong-token";
  for (const std::string& cmd : {"jobs" + bad, "watch " + unknown + bad, "submit echo" + bad,
                                 "cancel " + unknown + bad + " --state-dir " + state.path()}) {
    out = cli(cmd, code);
    EXPECT_EQ(code, 6) << cmd << "\n" << out;
    EXPECT_NE(out.find("UNAUTHENTICATED"), std::string::npos) << out;
  }

  // A port nobody listens on (the runtime's, after it is gone).
  std::string url;
  {
    TestRuntime gone;
    url = gone.websocket_url();
  }
  std::string nowhere = " --url " + url + " --token alice-token";
  std::string state_dir = " --state-dir " + state.path();
  for (const std::string& cmd :
       {"jobs" + nowhere, "watch " + unknown + nowhere, "submit echo" + nowhere + state_dir,
        "cancel " + unknown + nowhere + state_dir}) {
    out = cli(cmd, code);
    EXPECT_EQ(code, 5) << cmd << "\n" << out;
  }
}

TEST_F(CliExitCodes, UsageIsTwoAndEveryHelpNamesTheExitCodes) {
  int code = -1;
  for (const std::string& cmd : {"submit", "watch", "cancel", "jobs"}) {
    auto help = cli(cmd + " --help", code);
    EXPECT_EQ(code, 0);
    EXPECT_NE(help.find("Exit codes: 0 success"), std::string::npos) << help;
    EXPECT_NE(help.find("docs/cli.md"), std::string::npos) << help;
    auto out = cli(cmd + " --no-such-flag", code);
    EXPECT_EQ(code, 2) << out;
  }
}

TEST(CliConnectionLost, SubmitSaysHowLongTheResumeTried) {
  TempDir state;
  ServeProcess server("--token alice-token:alice");
  FILE* submit = ::popen((kCli + " submit --url " + server.url() +
                          " --token alice-token --resume-timeout 1 --state-dir " + state.path() +
                          " slow '{\"ms\":600000,\"tick_ms\":20}' 2>&1; echo exit=$?")
                             .c_str(),
                         "r");
  ASSERT_NE(submit, nullptr);
  char line[1024];
  ASSERT_TRUE(std::fgets(line, sizeof line, submit));
  ASSERT_NE(std::string(line).find("accepted"), std::string::npos) << line;
  server.kill(SIGKILL);
  std::string rest;
  while (std::fgets(line, sizeof line, submit)) rest += line;
  ::pclose(submit);
  EXPECT_NE(rest.find("exit=5"), std::string::npos) << rest;
  EXPECT_NE(rest.find("connection lost; resume failed after "), std::string::npos) << rest;
  EXPECT_NE(rest.find(" s (last error: "), std::string::npos) << rest;
}

}  // namespace
}  // namespace arcp::test
#endif
