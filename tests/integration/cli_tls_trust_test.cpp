// wss:// from the CLI: a runtime with a self-signed certificate is refused
// unless the client trusts its CA (--ca-file, or SSL_CERT_FILE); there is no
// way to skip verification from the command line.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

#ifdef ARCP_CLI_PATH
namespace arcp::test {
namespace {

const std::string kCli = ARCP_CLI_PATH;
const std::string kCert = ARCP_TEST_DATA_DIR "/test-cert.pem";

TEST(CliTlsTrust, SelfSignedRuntimeNeedsItsCaToBeTrusted) {
  TestRuntime rt;
  WebSocketServerOptions wo;
  wo.listen_url = "wss://127.0.0.1:0/arcp";
  wo.tls_cert_file = kCert;
  wo.tls_key_file = ARCP_TEST_DATA_DIR "/test-key.pem";
  auto url = rt.runtime().listen(wo);
  ASSERT_TRUE(url) << url.error().describe();
  const std::string conn = " --url " + url.value() + " --token alice-token";
  int code = -1;

  auto refused = run_command("env -u SSL_CERT_FILE " + kCli + " jobs" + conn + " 2>&1", code);
  EXPECT_EQ(code, 5) << refused;
  EXPECT_NE(refused.find("certificate verify failed"), std::string::npos) << refused;
  EXPECT_NE(refused.find("pass --ca-file FILE"), std::string::npos) << refused;
  EXPECT_NE(refused.find("SSL_CERT_FILE"), std::string::npos) << refused;

  auto trusted = run_command(kCli + " jobs" + conn + " --ca-file " + kCert + " 2>&1", code);
  EXPECT_EQ(code, 0) << trusted;
  EXPECT_NE(trusted.find("job(s)"), std::string::npos) << trusted;

  auto by_env = run_command("SSL_CERT_FILE=" + kCert + " " + kCli + " jobs" + conn + " 2>&1", code);
  EXPECT_EQ(code, 0) << by_env;

  // The help offers no switch that turns verification off.
  auto help = run_command(kCli + " jobs --help", code);
  EXPECT_EQ(help.find("insecure"), std::string::npos) << help;
  EXPECT_EQ(help.find("no-verify"), std::string::npos) << help;
}

}  // namespace
}  // namespace arcp::test
#endif
