// `arcp submit` with a streamed result (§8.4), each command its own process
// against `arcp serve`: --output writes the assembled bytes to a file as they
// arrive (raw bytes for a base64 stream); without it the assembled text is
// shown as the result. And `arcp serve` offers the lease and result flags.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class CliResultOutput : public ::testing::Test {
 protected:
  /// `arcp submit … chunked INPUT EXTRA` against the server; its stdout and stderr.
  std::string submit(const std::string& input, const std::string& extra, int& code) {
    return run_command(std::string(ARCP_CLI_PATH) + " submit --url " + server.url() +
                           " --token alice-token --state-dir " + state.path() + " chunked '" +
                           input + "' " + extra + " 2>&1",
                       code);
  }

  TempDir state;
  TempDir out;
  ServeProcess server{"--token alice-token:alice"};
};

const std::string kText =
    std::string(10, 'a') + std::string(10, 'b') + std::string(10, 'c') + std::string(10, 'd');

TEST_F(CliResultOutput, OutputFileHoldsExactlyTheAssembledText) {
  std::string file = out.path() + "/result.txt";
  int code = -1;
  auto printed = submit(R"({"chunks":4,"chunk_bytes":10})", "--output " + file, code);
  EXPECT_EQ(code, 0) << printed;
  EXPECT_EQ(read_bytes(file), kText);
  EXPECT_EQ(std::filesystem::file_size(file), 40U);
  // The result shown is the reference; the bytes went to the file only.
  EXPECT_NE(printed.find("succeeded"), std::string::npos) << printed;
  EXPECT_NE(printed.find("\"result_size\":40"), std::string::npos) << printed;
  EXPECT_EQ(printed.find(kText), std::string::npos) << printed;
}

TEST_F(CliResultOutput, Base64StreamIsWrittenAsRawBytes) {
  std::string file = out.path() + "/result.bin";
  int code = -1;
  auto printed =
      submit(R"({"chunks":4,"chunk_bytes":10,"encoding":"base64"})", "--output " + file, code);
  EXPECT_EQ(code, 0) << printed;
  // The `chunked` agent's bytes: (chunk * 31 + offset) mod 256.
  std::string want;
  for (int c = 0; c < 4; ++c)
    for (int b = 0; b < 10; ++b) want.push_back(static_cast<char>((c * 31 + b) & 0xFF));
  EXPECT_EQ(read_bytes(file), want);
}

TEST_F(CliResultOutput, WithoutOutputTheAssembledTextIsTheResult) {
  int code = -1;
  auto printed = submit(R"({"chunks":4,"chunk_bytes":10})", "", code);
  EXPECT_EQ(code, 0) << printed;
  EXPECT_NE(printed.find("succeeded\n\"" + kText + "\"\n"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("result_id"), std::string::npos) << printed;
}

TEST(CliResultOutputServe, MaxResultBytesEndsALargerStream) {
  TempDir state;
  ServeProcess server("--token alice-token:alice --max-result-bytes 30");
  int code = -1;
  auto printed = run_command(std::string(ARCP_CLI_PATH) + " submit --url " + server.url() +
                                 " --token alice-token --state-dir " + state.path() +
                                 R"( chunked '{"chunks":4,"chunk_bytes":10}' 2>&1)",
                             code);
  EXPECT_NE(code, 0) << printed;
  EXPECT_NE(printed.find("INTERNAL_ERROR: streamed result exceeds the cap of 30 bytes"),
            std::string::npos)
      << printed;
}

TEST(CliResultOutputServe, HelpListsTheLeaseAndResultFlags) {
  int code = -1;
  auto help = run_command(std::string(ARCP_CLI_PATH) + " serve --help", code);
  EXPECT_EQ(code, 0);
  for (const auto* flag : {"--max-result-bytes", "--allow-models-without-lease", "--fs-base-dir"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag << " missing from:\n" << help;
}

}  // namespace
}  // namespace arcp::test
#endif
