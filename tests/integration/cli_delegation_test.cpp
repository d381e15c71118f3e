// `arcp submit` of a delegating job against `arcp serve` in its own process:
// the child's acceptance, its events and its end are shown with the
// parent's, and `arcp jobs` names the child's parent (§10).
#include <gtest/gtest.h>

#include <string>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

TEST(CliDelegation, SubmitShowsTheChildAndJobsNamesItsParent) {
  TempDir state;
  ServeProcess server("--token alice-token:alice");
  const std::string common = " --url " + server.url() + " --token alice-token";
  int code = -1;
  auto printed = run_command(
      std::string(ARCP_CLI_PATH) + " submit" + common + " --state-dir " + state.path() +
          R"( delegator '{"child":"slow","child_input":{"ms":2,"tick_ms":1},"delegate_id":"d-cli","wait_ms":0}')" +
          R"( --lease '{"agent.delegate":["slow"]}' 2>&1)",
      code);
  EXPECT_EQ(code, 0) << printed;
  EXPECT_NE(printed.find("→ child job job_"), std::string::npos) << printed;
  EXPECT_NE(printed.find("(delegate d-cli)"), std::string::npos) << printed;
  EXPECT_NE(printed.find("] log "), std::string::npos) << printed;    // a child's labelled event
  EXPECT_NE(printed.find(" success"), std::string::npos) << printed;  // the child's end
  EXPECT_NE(printed.find("\"ticks\":2"), std::string::npos)
      << printed;  // its result, via the parent

  auto listed = run_command(std::string(ARCP_CLI_PATH) + " jobs" + common + " 2>&1", code);
  EXPECT_EQ(code, 0) << listed;
  // Two jobs: the child's line ends with its parent's id.
  auto parent_at = listed.find("delegator@");
  ASSERT_NE(parent_at, std::string::npos) << listed;
  auto parent_id = listed.substr(listed.rfind('\n', parent_at) + 1, 30);
  EXPECT_NE(listed.find("  " + parent_id.substr(0, parent_id.find(' '))), std::string::npos)
      << listed;
  EXPECT_NE(listed.find("2 job(s)"), std::string::npos) << listed;
}

}  // namespace
}  // namespace arcp::test
#endif
