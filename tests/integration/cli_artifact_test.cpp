// `arcp artifact put|get|release`, each its own process against `arcp serve`:
// the bytes come back exactly, --output is written only once the sha256
// checks out, and an artifact an agent made is fetched by its URI.
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

class CliArtifacts : public ::testing::Test {
 protected:
  std::string arcp(const std::string& args, int& code) {
    return run_command(std::string(ARCP_CLI_PATH) + " artifact " + args, code);
  }
  std::string conn() const { return " --url " + server.url() + " --token alice-token"; }

  TempDir dir;
  ServeProcess server{"--token alice-token:alice --token bob-token:bob"};
};

TEST_F(CliArtifacts, PutThenGetReturnsTheSameBytesThenReleaseRemovesIt) {
  std::string in = dir.path() + "/in.bin";
  std::string bytes;
  for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) bytes.push_back(static_cast<char>((i * 7) & 0xFF));
  std::ofstream(in, std::ios::binary) << bytes;
  int code = -1;
  auto printed =
      arcp("put" + conn() + " " + in + " --media-type application/x-test 2>/dev/null", code);
  ASSERT_EQ(code, 0) << printed;
  auto parsed = parse_json(printed);
  ASSERT_TRUE(parsed && parsed->is_object()) << printed;
  auto ref = ArtifactRef::from_json(parsed->as_object());
  ASSERT_TRUE(ref) << printed;
  EXPECT_EQ(ref->size, bytes.size());
  EXPECT_EQ(ref->media_type, "application/x-test");

  std::string out = dir.path() + "/out.bin";
  arcp("get" + conn() + " " + ref->uri + " --output " + out + " 2>&1", code);
  ASSERT_EQ(code, 0);
  EXPECT_TRUE(read_bytes(out) == bytes);
  // To stdout as well.
  auto to_stdout = arcp("get" + conn() + " " + ref->artifact_id + " 2>/dev/null", code);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(to_stdout == bytes);

  // Another principal: refused, and no output file appears.
  std::string theirs = dir.path() + "/theirs.bin";
  auto refused = run_command(std::string(ARCP_CLI_PATH) + " artifact get --url " + server.url() +
                                 " --token bob-token " + ref->uri + " --output " + theirs + " 2>&1",
                             code);
  EXPECT_NE(code, 0);
  EXPECT_NE(refused.find("artifact not found"), std::string::npos) << refused;
  EXPECT_FALSE(std::filesystem::exists(theirs));
  EXPECT_FALSE(std::filesystem::exists(theirs + ".part"));

  arcp("release" + conn() + " " + ref->artifact_id + " 2>&1", code);
  EXPECT_EQ(code, 0);
  auto gone = arcp("get" + conn() + " " + ref->artifact_id + " 2>&1 >/dev/null", code);
  EXPECT_NE(code, 0);
  EXPECT_NE(gone.find("artifact not found"), std::string::npos) << gone;
}

TEST_F(CliArtifacts, GetFetchesWhatAnAgentMade) {
  auto client = Client::connect(server.url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(client) << client.error().describe();
  auto job = (*client)->submit(
      {.agent = "artifact_maker",
       .input = json::object{{"text", "made by an agent"}, {"media_type", "text/plain"}}});
  ASSERT_TRUE(job);
  auto result = job->result();
  ASSERT_TRUE(result) << result.error().describe();
  std::string uri(result->at("uri").as_string());
  int code = -1;
  std::string out = dir.path() + "/made.txt";
  arcp("get" + conn() + " " + uri + " -o " + out + " 2>&1", code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(read_bytes(out), "made by an agent");
}

TEST(CliArtifactsServe, ServeFlagsSetTheCapsAndTheDeclaredRetention) {
  TempDir dir;
  ServeProcess server(
      "--token alice-token:alice --max-artifact-bytes 100 --artifact-retention-sec 60 "
      "--artifact-retention-max-sec 120");
  std::string in = dir.path() + "/in.bin";
  std::ofstream(in, std::ios::binary) << std::string(200, 'x');
  int code = -1;
  auto refused = run_command(std::string(ARCP_CLI_PATH) + " artifact put --url " + server.url() +
                                 " --token alice-token " + in + " 2>&1",
                             code);
  EXPECT_EQ(code, 2) << refused;
  EXPECT_NE(refused.find("exceeds the cap of 100 bytes"), std::string::npos) << refused;
  auto client = Client::connect(server.url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(client) << client.error().describe();
  ASSERT_TRUE((*client)->welcome().artifacts);
  EXPECT_EQ((*client)->welcome().artifacts->retention.default_seconds, 60);
  EXPECT_EQ((*client)->welcome().artifacts->retention.max_seconds, 120);
  EXPECT_EQ((*client)->welcome().artifacts->max_bytes, 100U);
}

}  // namespace
}  // namespace arcp::test
#endif
