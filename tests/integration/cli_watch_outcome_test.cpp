// `arcp watch` on a job that has already finished reports the job's real
// terminal status and result, with or without history (§7.6): the runtime
// sends a finished job's outcome to a subscriber whose replay did not carry it.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

class CliWatchOutcome : public ::testing::Test {
 protected:
  std::string watch(const std::string& job_id, const std::string& flags, int& code) {
    return run_command(std::string(ARCP_CLI_PATH) + " watch " + job_id + " --url " + url +
                           " --token alice-token " + flags + " 2>&1",
                       code);
  }
  TestRuntime rt;
  std::string url = rt.websocket_url();
  std::shared_ptr<Client> owner = rt.connect_memory();
};

TEST_F(CliWatchOutcome, NoHistoryOnACancelledJobSaysCancelled) {
  auto job = owner->submit({.agent = "slow", .input = json::object{{"ms", 600000}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->cancel("enough"));
  ASSERT_FALSE(job->result());
  ASSERT_EQ(job->status(), JobStatus::kCancelled);

  int code = -1;
  auto out = watch(job->job_id(), "--no-history", code);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("cancelled: CANCELLED: enough"), std::string::npos) << out;
  EXPECT_EQ(out.find("succeeded"), std::string::npos) << out;
  EXPECT_EQ(out.find("null"), std::string::npos) << out;

  out = watch(job->job_id(), "--no-history --json", code);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("\"type\":\"job.error\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"final_status\":\"cancelled\""), std::string::npos) << out;
}

TEST_F(CliWatchOutcome, NoHistoryOnASucceededJobPrintsItsResult) {
  auto job = owner->submit({.agent = "echo", .input = json::object{{"answer", 42}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->result());
  int code = -1;
  auto out = watch(job->job_id(), "--no-history", code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("succeeded\n{\"answer\":42}"), std::string::npos) << out;

  // With history past the last event, the outcome still comes once.
  out = watch(job->job_id(), "--from-seq 1000 --json", code);
  EXPECT_EQ(code, 0) << out;
  auto first = out.find("\"type\":\"job.result\"");
  EXPECT_NE(first, std::string::npos) << out;
  EXPECT_EQ(out.find("\"type\":\"job.result\"", first + 1), std::string::npos) << out;
}

TEST_F(CliWatchOutcome, FailedJobExitsOneWithItsError) {
  auto job =
      owner->submit({.agent = "failing",
                     .input = json::object{{"code", "BUDGET_EXHAUSTED"}, {"message", "dry"}}});
  ASSERT_TRUE(job);
  ASSERT_FALSE(job->result());
  int code = -1;
  auto out = watch(job->job_id(), "--no-history", code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("error: BUDGET_EXHAUSTED: dry"), std::string::npos) << out;
}

TEST_F(CliWatchOutcome, ClientSubscribeToAFinishedJobGetsItsResult) {
  auto job = owner->submit({.agent = "echo", .input = json::object{{"v", 1}}});
  ASSERT_TRUE(job && job->result());
  ClientOptions co{.token = "alice-token"};
  auto watcher = Client::connect(url, co);
  ASSERT_TRUE(watcher) << watcher.error().describe();
  auto watched = (*watcher)->subscribe(job->job_id());
  ASSERT_TRUE(watched);
  EXPECT_EQ(watched->status(), JobStatus::kSuccess);
  auto r = watched->result(kWait);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r.value(), (json::object{{"v", 1}}));
}

}  // namespace
}  // namespace arcp::test
#endif
