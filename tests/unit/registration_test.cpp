// Registering an agent or tool under an identity already taken is refused:
// replacing it silently would hide which body runs.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>

namespace arcp {
namespace {

Result<json::value> first(JobContext&) {
  return json::value("first");
}
Result<json::value> second(JobContext&) {
  return json::value("second");
}

TEST(Registration, SameAgentNameAndVersionTwiceIsAnError) {
  Runtime rt;
  ASSERT_TRUE(rt.register_agent("worker", first, {.version = "1.0.0"}));
  auto again = rt.register_agent("worker", second, {.version = "1.0.0"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(again.error().message.find("worker@1.0.0"), std::string::npos);
  EXPECT_NE(again.error().message.find("already registered"), std::string::npos);
}

TEST(Registration, AnotherVersionOfTheSameAgentIsAccepted) {
  Runtime rt;
  ASSERT_TRUE(rt.register_agent("worker", first, {.version = "1.0.0"}));
  EXPECT_TRUE(rt.register_agent("worker", second, {.version = "2.0.0"}));
}

TEST(Registration, SameToolNameTwiceIsAnError) {
  Runtime rt;
  auto tool = [](JobContext&, const json::value& args) -> Result<json::value> { return args; };
  ASSERT_TRUE(rt.register_tool("math.add", tool));
  auto again = rt.register_tool("math.add", tool);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace arcp
