// What the CLI prints: numbers as people write them (0.6, 1000000; never
// 6E-1 or 1E6) in results, events, --json lines and tables; no line ends in
// a space; --help shows the defaults.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

const std::string kCli = ARCP_CLI_PATH;

std::string cli(const std::string& args, int& code) {
  return run_command(kCli + " " + args + " 2>&1", code);
}

void expect_no_trailing_spaces(const std::string& out) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    EXPECT_TRUE(line.empty() || (line.back() != ' ' && line.back() != '\t')) << "[" << line << "]";
}

// An exponent in a number (6E-1, 1E6, 1e+16) outside strings and ids.
void expect_plain_numbers(const std::string& out) {
  static const std::regex strings(
      R"re("[^"]*"|\b(job|sess|msg|art|cli)_[0-9A-Z]+|\b[0-9a-f]{32}\b)re");
  static const std::regex exponent(R"re([0-9][eE][-+]?[0-9])re");
  std::string numbers = std::regex_replace(out, strings, "_");
  EXPECT_FALSE(std::regex_search(numbers, exponent)) << out;
}

class CliOutputFormat : public ::testing::Test {
 protected:
  TestRuntime rt;
  std::string conn = " --url " + rt.websocket_url() + " --token alice-token";
  TempDir state;
};

TEST_F(CliOutputFormat, ResultsAndEventsPrintNumbersPlainly) {
  int code = -1;
  const std::string input =
      R"('{"ratio":0.6,"big":1000000.0,"sci":1E6,"tiny":0.000125,"n":[2.5,3]}')";
  auto out = cli("submit" + conn + " --state-dir " + state.path() + " echo " + input, code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find(R"({"ratio":0.6,"big":1000000,"sci":1000000,"tiny":0.000125,"n":[2.5,3]})"),
            std::string::npos)
      << out;
  expect_plain_numbers(out);
  expect_no_trailing_spaces(out);

  auto json_out =
      cli("submit" + conn + " --state-dir " + state.path() + " --json echo " + input, code);
  EXPECT_EQ(code, 0) << json_out;
  EXPECT_NE(json_out.find(R"("ratio":0.6)"), std::string::npos) << json_out;
  expect_plain_numbers(json_out);

  // metric and progress events carry doubles.
  auto events =
      cli("submit" + conn + " --state-dir " + state.path() + R"( chatty '{"n":3,"kind":"metric"}')",
          code);
  EXPECT_EQ(code, 0) << events;
  EXPECT_NE(events.find("tick = 3 count"), std::string::npos) << events;
  expect_plain_numbers(events);
  expect_no_trailing_spaces(events);
  auto progress =
      cli("submit" + conn + " --state-dir " + state.path() + R"( progress '{"total":4}')", code);
  EXPECT_EQ(code, 0) << progress;
  EXPECT_NE(progress.find("4/4 steps"), std::string::npos) << progress;
  expect_plain_numbers(progress);
  expect_no_trailing_spaces(progress);
}

TEST_F(CliOutputFormat, TablesAndWatchHaveNoTrailingSpaces) {
  auto owner = rt.connect_memory();
  auto job = owner->submit({.agent = "echo", .input = json::object{{"x", 0.25}}});
  ASSERT_TRUE(job && job->result());
  int code = -1;
  auto table = cli("jobs" + conn, code);
  EXPECT_EQ(code, 0) << table;
  EXPECT_NE(table.find(job->job_id()), std::string::npos) << table;
  expect_no_trailing_spaces(table);
  auto watched = cli("watch " + job->job_id() + conn, code);
  EXPECT_EQ(code, 0) << watched;
  EXPECT_NE(watched.find(R"({"x":0.25})"), std::string::npos) << watched;
  expect_no_trailing_spaces(watched);
  expect_plain_numbers(watched);
}

TEST_F(CliOutputFormat, HelpShowsEveryDefault) {
  int code = -1;
  auto submit = cli("submit --help", code);
  EXPECT_NE(submit.find("TEXT={}"), std::string::npos) << submit;            // INPUT_JSON
  EXPECT_NE(submit.find("INT:SECONDS=60"), std::string::npos) << submit;     // --resume-timeout
  EXPECT_NE(submit.find("--state-dir TEXT="), std::string::npos) << submit;  // --state-dir
  auto watch = cli("watch --help", code);
  EXPECT_NE(watch.find("--from-seq INT=0"), std::string::npos) << watch;  // --from-seq
  EXPECT_NE(watch.find("INT:SECONDS=60"), std::string::npos) << watch;
  auto jobs = cli("jobs --help", code);
  EXPECT_NE(jobs.find("=100"), std::string::npos) << jobs;  // --page-size
  auto put = cli("artifact put --help", code);
  EXPECT_NE(put.find("TEXT=application/octet-stream"), std::string::npos) << put;
  auto bench = cli("bench --help", code);
  EXPECT_NE(bench.find("=100000"), std::string::npos) << bench;  // --events
  for (const auto* help : {&submit, &watch, &jobs, &put, &bench}) expect_no_trailing_spaces(*help);
}

}  // namespace
}  // namespace arcp::test
#endif
