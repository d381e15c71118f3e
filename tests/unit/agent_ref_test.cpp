// §7.5 agent references: `name` | `name@version`.
#include <gtest/gtest.h>

#include <arcp/agent_ref.hpp>
#include <string>
#include <string_view>

namespace arcp {
namespace {

TEST(AgentRef, ParsesBareName) {
  auto r = parse_agent_ref("code-refactor");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->name, "code-refactor");
  EXPECT_EQ(r->version, "");
  EXPECT_EQ(r->to_string(), "code-refactor");
}

TEST(AgentRef, ParsesPinnedVersion) {
  auto r = parse_agent_ref("code-refactor@2.0.0");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->name, "code-refactor");
  EXPECT_EQ(r->version, "2.0.0");
  EXPECT_EQ(r->to_string(), "code-refactor@2.0.0");
}

TEST(AgentRef, AcceptsEveryCharacterOfTheNameGrammar) {
  for (std::string_view name :
       {"a", "0", "9agent", "a.b", "a_b", "a-b", "abc.def_ghi-123", "a--", "z...", "0_"}) {
    auto r = parse_agent_ref(name);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().describe();
    EXPECT_EQ(r->name, name);
  }
}

TEST(AgentRef, AcceptsEveryCharacterOfTheVersionGrammar) {
  for (std::string_view version :
       {"1", "1.0.0", "2.0.0-rc.1", "1.0.0+build.5", "V2", "latest", "A_b-C.d+E", "-", "+", "."}) {
    auto r = parse_agent_ref("agent@" + std::string(version));
    ASSERT_TRUE(r.ok()) << version << ": " << r.error().describe();
    EXPECT_EQ(r->version, version);
  }
}

TEST(AgentRef, RejectsNamesOutsideTheGrammar) {
  for (std::string_view bad : {"", "Agent", "agEnt", ".agent", "_agent", "-agent", "age nt",
                               "agent/x", "agent:1", "agënt", "@1.0", "agent\n", "x-Vendor"}) {
    auto r = parse_agent_ref(bad);
    ASSERT_FALSE(r.ok()) << "'" << bad << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(AgentRef, RejectsVersionsOutsideTheGrammar) {
  for (std::string_view bad : {"agent@", "agent@1.0 beta", "agent@1/0", "agent@1@2", "agent@v:1",
                               "agent@1.0\t", "agent@ü"}) {
    auto r = parse_agent_ref(bad);
    ASSERT_FALSE(r.ok()) << "'" << bad << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(AgentRef, RejectsEmbeddedNul) {
  std::string with_nul("agent\0x", 7);
  EXPECT_FALSE(parse_agent_ref(with_nul).ok());
  std::string version_nul("agent@1\0", 8);
  EXPECT_FALSE(parse_agent_ref(version_nul).ok());
}

TEST(AgentRef, BoundsLengthAt256Characters) {
  EXPECT_TRUE(parse_agent_ref(std::string(256, 'a')).ok());
  EXPECT_FALSE(parse_agent_ref(std::string(257, 'a')).ok());
  EXPECT_TRUE(parse_agent_ref(std::string(200, 'a') + "@" + std::string(55, '1')).ok());
  EXPECT_FALSE(parse_agent_ref(std::string(200, 'a') + "@" + std::string(56, '1')).ok());
}

}  // namespace
}  // namespace arcp
