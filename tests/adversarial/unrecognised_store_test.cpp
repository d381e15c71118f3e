// A data directory whose arcp.db is not an arcp store (here: a zero-byte
// file) is refused at startup, loudly, instead of being taken for a new store
// that silently forgets every session and idempotency key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

TEST(UnrecognisedStore, RuntimeRefusesAZeroByteDatabase) {
  TempDir data;
  const std::string db = data.path() + "/arcp.db";
  { std::ofstream touch(db); }
  RuntimeOptions o = default_runtime_options();
  o.data_dir = data.path();
  try {
    Runtime rt(o);
    FAIL() << "the runtime started on a zero-byte store";
  } catch (const std::runtime_error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find(db + " is empty (0 bytes)"), std::string::npos) << m;
  }
  EXPECT_EQ(std::filesystem::file_size(db), 0U);
}

#ifdef ARCP_CLI_PATH
TEST(UnrecognisedStore, ServeExitsNonZeroNamingTheFileAndTheRemedy) {
  TempDir data;
  const std::string db = data.path() + "/arcp.db";
  { std::ofstream touch(db); }
  int code = 0;
  // `timeout` bounds the run should serve start anyway (exit 124).
  std::string out =
      run_command("timeout 30 " + std::string(ARCP_CLI_PATH) +
                      " serve --listen ws://127.0.0.1:0/arcp --token t:alice --data-dir " +
                      data.path() + " 2>&1",
                  code);
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(code, 124) << "arcp serve started on a zero-byte store:\n" << out;
  EXPECT_NE(out.find("cannot open the store"), std::string::npos) << out;
  EXPECT_NE(out.find(db + " is empty (0 bytes)"), std::string::npos) << out;
  EXPECT_NE(out.find("move it aside"), std::string::npos) << out;
  EXPECT_EQ(out.find("ws://127.0.0.1:"), std::string::npos) << "it listened:\n" << out;
  EXPECT_EQ(std::filesystem::file_size(db), 0U);
}
#endif

}  // namespace
}  // namespace arcp::test
