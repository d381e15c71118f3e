// The CLI over durable sessions, each command its own process: submit (which
// records its session), jobs, watch, cancel (which resumes the submitting
// session and hands the rotated token back), and tail on the data directory.
#include <gtest/gtest.h>

#include <cstdio>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = 0; (pos = text.find(what, pos)) != std::string::npos; pos += what.size())
    ++n;
  return n;
}

TEST(CliSessions, SubmitJobsWatchCancelAndTail) {
  TempDir data;
  TempDir state;
  ServeProcess server("--token alice-token:alice --data-dir " + data.path());
  const std::string cli = ARCP_CLI_PATH;
  const std::string conn = " --url " + server.url() + " --token alice-token";

  // A long job, submitted by a process that stays attached and streaming.
  FILE* submit = ::popen((cli + " submit" + conn + " --state-dir " + state.path() +
                          " slow '{\"ms\":600000,\"tick_ms\":20}' ; echo exit=$?")
                             .c_str(),
                         "r");
  ASSERT_NE(submit, nullptr);
  char line[1024];
  ASSERT_TRUE(std::fgets(line, sizeof line, submit));
  std::string accepted(line);
  auto at = accepted.find("job_");
  ASSERT_NE(at, std::string::npos) << accepted;
  std::string job_id = accepted.substr(at, accepted.find(' ', at) - at);

  int code = -1;
  std::string listed = run_command(cli + " jobs" + conn + " --json", code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(listed.find("\"job_id\":\"" + job_id + "\""), std::string::npos) << listed;
  EXPECT_NE(listed.find("\"status\":\"running\""), std::string::npos);
  std::string table = run_command(cli + " jobs" + conn + " --status running", code);
  EXPECT_NE(table.find(job_id), std::string::npos);
  EXPECT_NE(table.find("1 job(s)"), std::string::npos);

  // Cancel from another process: it must act as the submitting session.
  std::string cancelled = run_command(
      cli + " cancel " + job_id + " --token alice-token --state-dir " + state.path(), code);
  EXPECT_EQ(code, 0) << cancelled;
  EXPECT_NE(cancelled.find("cancel requested"), std::string::npos);

  // The submitter was displaced, resumed with the token `cancel` handed back,
  // and saw its job end as cancelled (exit code 3).
  std::string rest;
  while (std::fgets(line, sizeof line, submit)) rest += line;
  ::pclose(submit);
  EXPECT_NE(rest.find("exit=3"), std::string::npos) << rest;

  // watch: subscribe with history to the finished job.
  std::string watched = run_command(cli + " watch " + job_id + conn + " --json", code);
  EXPECT_EQ(code, 3);  // the job's outcome, as `submit` exits (docs/cli.md)
  EXPECT_NE(watched.find("\"type\":\"job.subscribed\""), std::string::npos);
  EXPECT_NE(watched.find("\"code\":\"CANCELLED\""), std::string::npos);

  // tail: the same events, read straight from the data directory.
  std::string tailed =
      run_command(cli + " tail --data-dir " + data.path() + " --job " + job_id, code);
  EXPECT_EQ(code, 0);
  EXPECT_GE(count_of(tailed, " log "), 1U);
  EXPECT_NE(tailed.find("CANCELLED"), std::string::npos);
  std::string as_json =
      run_command(cli + " tail --json --data-dir " + data.path() + " --job " + job_id, code);
  // Once in the submitter's log, once in the watcher's (its own seq space).
  EXPECT_EQ(count_of(as_json, "\"type\":\"job.error\""), 2U);

  // Without the submitter's record, cancel is refused with a clear reason.
  std::string refused = run_command(cli + " cancel job_01JUNKNOWN000000000000000" + conn +
                                        " --state-dir " + state.path() + " 2>&1",
                                    code);
  EXPECT_NE(code, 0);
  EXPECT_NE(refused.find("JOB_NOT_FOUND"), std::string::npos) << refused;
}

}  // namespace
}  // namespace arcp::test
#endif
