// `arcp serve --config FILE` (JSON; the command line wins over the file) and
// fail-fast configuration: no authentication configured, unknown keys, bad
// JSON and out-of-range values stop serve before it listens.
#include <gtest/gtest.h>

#include <arcp/client.hpp>
#include <fstream>
#include <string>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

std::string write_config(const TempDir& dir, const std::string& json) {
  std::string path = dir.path() + "/serve.json";
  std::ofstream(path) << json;
  return path;
}

/// Runs `arcp serve ARGS` expecting it to refuse to start; returns its output.
std::string serve_refuses(const std::string& args) {
  int code = -1;
  auto out = run_command("timeout 30 " + std::string(ARCP_CLI_PATH) +
                             " serve --listen ws://127.0.0.1:0/arcp " + args + " 2>&1",
                         code);
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(code, 124) << "serve started:\n" << out;
  return out;
}

bool connects(const std::string& url, const std::string& token) {
  ClientOptions o;
  o.token = token;
  o.auto_resume = false;
  auto client = Client::connect(url, o);
  return client.ok();
}

TEST(CliServeConfig, TheFileConfiguresServeAndTheCommandLineWins) {
  TempDir dir;
  auto path = write_config(
      dir, R"({"token": ["file-token:alice"], "max_jobs_per_session": 3, "allow-anonymous": false,
              "idle-session-timeout-sec": 0})");
  {
    ServeProcess server("--config " + path);
    EXPECT_TRUE(connects(server.url(), "file-token"));
    EXPECT_FALSE(connects(server.url(), "flag-token"));
  }
  ServeProcess server("--config " + path + " --token flag-token:bob");
  EXPECT_TRUE(connects(server.url(), "flag-token"));
  EXPECT_FALSE(connects(server.url(), "file-token"));
}

TEST(CliServeConfig, ServeWithoutAnyAuthenticationRefusesToStart) {
  auto out = serve_refuses("");
  EXPECT_NE(out.find("--allow-anonymous"), std::string::npos) << out;
  ServeProcess open("--allow-anonymous");
  EXPECT_TRUE(connects(open.url(), ""));
}

TEST(CliServeConfig, BadConfigurationFailsFastAndSaysWhat) {
  TempDir dir;
  auto out = serve_refuses("--config " + write_config(dir, R"({"tokn": ["a:b"]})"));
  EXPECT_NE(out.find("unknown option 'tokn'"), std::string::npos) << out;
  out = serve_refuses("--config " + write_config(dir, R"({"token": ["a:b"],)"));
  EXPECT_NE(out.find("not valid JSON"), std::string::npos) << out;
  out = serve_refuses("--config " +
                      write_config(dir, R"({"token": ["a:b"], "hello-timeout-sec": 0})"));
  EXPECT_NE(out.find("hello-timeout-sec"), std::string::npos) << out;
  out = serve_refuses("--config " + write_config(dir, R"({"token": ["a:b"], "stdio": "yes"})"));
  EXPECT_NE(out.find("'stdio' is a flag"), std::string::npos) << out;
  out = serve_refuses("--config " + write_config(dir, R"({"token": {"a": "b"}})"));
  EXPECT_NE(out.find("'token' must be"), std::string::npos) << out;
  out = serve_refuses("--config " + dir.path() + "/missing.json");
  EXPECT_NE(out.find("cannot read"), std::string::npos) << out;
}

TEST(CliServeConfig, HelpDocumentsEveryOptionWithItsDefault) {
  int code = -1;
  auto help = run_command(std::string(ARCP_CLI_PATH) + " serve --help", code);
  EXPECT_EQ(code, 0);
  for (const auto* flag : {"--config", "--allow-anonymous", "--idle-session-timeout-sec"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag << " missing from:\n" << help;
  EXPECT_NE(help.find("=3600"), std::string::npos) << help;  // the idle timeout's default
}

}  // namespace
}  // namespace arcp::test
#endif
