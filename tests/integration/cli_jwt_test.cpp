// `arcp serve --jwt-jwks …` end to end: `arcp submit --token <jwt>` runs with
// the token's lease claim narrowing its lease; a bad token is refused without
// being echoed; a bad JWKS stops serve before it listens.
#include <gtest/gtest.h>

#include <fstream>

#include "support/jwt_signer.hpp"
#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

std::int64_t now_sec() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(CliJwt, SubmitWithAJwtAgainstServeWithAJwks) {
  TempDir dir;
  JwtSigner keys;
  std::string jwks = dir.path() + "/jwks.json";
  std::ofstream(jwks) << json::serialize(keys.jwks());
  std::string log = dir.path() + "/serve.log";
  ServeProcess server("--jwt-jwks " + jwks +
                      " --jwt-audience arcp --jwt-lease-claim arcp_lease --token t:alice 2>" + log);
  auto token = keys.sign(
      "ES256", json::object{{"sub", "carol"},
                            {"aud", "arcp"},
                            {"exp", now_sec() + 600},
                            {"arcp_lease", json::object{{"fs.read", json::array{"/srv/**"}}}}});
  const std::string cli = ARCP_CLI_PATH;
  int code = -1;
  auto out = run_command(
      cli + " submit --url " + server.url() + " --token " + token +
          " --json echo '{\"x\":1}' --lease '{\"fs.read\":[\"/srv/a\",\"/etc/passwd\"]}' 2>&1",
      code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find(R"("lease":{"fs.read":["/srv/a"]})"), std::string::npos) << out;

  auto wrong = keys.sign(
      "ES256", json::object{{"sub", "carol"}, {"aud", "elsewhere"}, {"exp", now_sec() + 600}});
  auto refused =
      run_command(cli + " submit --url " + server.url() + " --token " + wrong + " echo 2>&1", code);
  EXPECT_NE(code, 0);
  EXPECT_NE(refused.find("UNAUTHENTICATED"), std::string::npos) << refused;
  for (std::size_t start = 0; start < wrong.size();) {
    auto end = std::min(wrong.find('.', start), wrong.size());
    EXPECT_EQ(refused.find(wrong.substr(start, end - start)), std::string::npos);
    start = end + 1;
  }
  std::ifstream in(log);
  std::string serve_log((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(serve_log.find("anonymous"), std::string::npos) << serve_log;
}

TEST(CliJwt, ServeRefusesABadJwksBeforeListening) {
  TempDir dir;
  std::string jwks = dir.path() + "/jwks.json";
  std::ofstream(jwks) << R"({"keys":[{"kty":"oct","k":"c2hvcnQ"}]})";
  const std::string cli = ARCP_CLI_PATH;
  int code = -1;
  auto out =
      run_command(cli + " serve --listen ws://127.0.0.1:0/arcp --jwt-jwks " + jwks + " 2>&1", code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("shorter than 32 bytes"), std::string::npos) << out;
  EXPECT_NE(out.find(jwks), std::string::npos) << out;
  out = run_command(
      cli + " serve --listen ws://127.0.0.1:0/arcp --jwt-jwks " + dir.path() + "/missing.json 2>&1",
      code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("cannot read"), std::string::npos) << out;
  out = run_command(cli + " serve --listen ws://127.0.0.1:0/arcp --jwt-audience a 2>&1", code);
  EXPECT_EQ(code, 2) << out;
}

}  // namespace
}  // namespace arcp::test
#endif
