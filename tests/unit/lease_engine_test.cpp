// §9.2–9.4 enforcement: compiled leases check canonical targets (P01, P02)
// and decide subsets (P05); an adversarial corpus must yield no bypass.
#include <gtest/gtest.h>

#include <arcp/lease.hpp>
#include <string>
#include <string_view>

namespace arcp {
namespace {

CompiledLease compiled(json::object lease, std::string_view base = "/") {
  auto c = CompiledLease::compile(lease, base);
  EXPECT_TRUE(c.ok()) << json::serialize(lease) << ": " << (c.ok() ? "" : c.error().describe());
  return c.ok() ? std::move(c.value()) : CompiledLease::compile(json::object{}).value();
}

bool allowed(const CompiledLease& lease, std::string_view capability, std::string_view target) {
  return lease.check(capability, target).ok();
}

TEST(LeaseEngine, GlobKindOfCapabilities) {
  EXPECT_EQ(glob_kind_of("fs.read"), GlobKind::kPath);
  EXPECT_EQ(glob_kind_of("fs.write"), GlobKind::kPath);
  EXPECT_EQ(glob_kind_of("net.fetch"), GlobKind::kUrl);
  EXPECT_EQ(glob_kind_of("model.use"), GlobKind::kModel);
  EXPECT_EQ(glob_kind_of("tool.call"), GlobKind::kName);
  EXPECT_EQ(glob_kind_of("agent.delegate"), GlobKind::kName);
  EXPECT_EQ(glob_kind_of("x-vendor.acme.gpu"), GlobKind::kName);
  EXPECT_EQ(glob_kind_of("cost.budget"), std::nullopt);
}

TEST(LeaseEngine, CompileRefusesInvalidLeasesAndPatterns) {
  auto bad = CompiledLease::compile(json::object{{"fs.read", json::array{"/a/**b"}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(*get_string(bad.error().details, "capability"), "fs.read");
  EXPECT_NE(bad.error().message.find("fs.read"), std::string::npos);

  auto nul = CompiledLease::compile(json::object{{"fs.read", json::array{"/a/%00"}}});
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(*get_string(nul.error().details, "capability"), "fs.read");

  auto ctl = CompiledLease::compile(json::object{{"tool.call", json::array{"a\nb"}}});
  ASSERT_FALSE(ctl.ok());
  EXPECT_EQ(*get_string(ctl.error().details, "capability"), "tool.call");

  EXPECT_FALSE(CompiledLease::compile(json::object{{"shell.exec", json::array{"*"}}}).ok());
  EXPECT_FALSE(CompiledLease::compile(json::object{}, "relative").ok());
}

TEST(LeaseEngine, ConformanceP01_SpecExampleLease) {
  auto lease = compiled(json::object{{"fs.read", json::array{"/workspace/myapp/**"}},
                                     {"fs.write", json::array{"/workspace/myapp/src/**"}},
                                     {"net.fetch", json::array{"https://api.example.com/**"}},
                                     {"tool.call", json::array{"search", "git.*"}},
                                     {"agent.delegate", json::array{"test-runner"}},
                                     {"cost.budget", json::array{"USD:5.00"}},
                                     {"model.use", json::array{"tier-fast/*"}}});
  EXPECT_TRUE(lease.grants("fs.read"));
  EXPECT_TRUE(lease.grants("cost.budget"));
  EXPECT_FALSE(lease.grants("x-vendor.gpu"));
  EXPECT_TRUE(allowed(lease, "fs.read", "/workspace/myapp/README.md"));
  EXPECT_TRUE(allowed(lease, "fs.read", "/workspace/myapp"));
  EXPECT_FALSE(allowed(lease, "fs.read", "/workspace/myapp2/x"));
  EXPECT_TRUE(allowed(lease, "fs.write", "/workspace/myapp/src/main.cpp"));
  EXPECT_FALSE(allowed(lease, "fs.write", "/workspace/myapp/README.md"));
  EXPECT_TRUE(allowed(lease, "net.fetch", "https://api.example.com/v1/users?page=2"));
  EXPECT_FALSE(allowed(lease, "net.fetch", "https://example.com/"));
  EXPECT_TRUE(allowed(lease, "tool.call", "search"));
  EXPECT_TRUE(allowed(lease, "tool.call", "git.status"));
  EXPECT_FALSE(allowed(lease, "tool.call", "git.remote.add"));
  EXPECT_FALSE(allowed(lease, "tool.call", "searchx"));
  EXPECT_TRUE(allowed(lease, "agent.delegate", "test-runner"));
  EXPECT_TRUE(allowed(lease, "model.use", "tier-fast/gpt-4.1"));
  EXPECT_FALSE(allowed(lease, "model.use", "tier-slow/gpt-4.1"));
}

TEST(LeaseEngine, CheckReturnsTheCanonicalTarget) {
  auto lease =
      compiled(json::object{{"fs.read", json::array{"allowed/**"}},
                            {"net.fetch", json::array{"HTTPS://API.Example.com:443/v1/**"}}},
               "/srv");
  auto r = lease.check("fs.read", "allowed/./a//b/");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.value(), "/srv/allowed/a/b");
  auto u = lease.check("net.fetch", "https://api.example.com/v1/x/../y");
  ASSERT_TRUE(u.ok()) << u.error().describe();
  EXPECT_EQ(u.value(), "https://api.example.com/v1/y");
  EXPECT_TRUE(lease.check_canonical("fs.read", "/srv/allowed/real").ok());
  EXPECT_FALSE(lease.check_canonical("fs.read", "/srv/secret").ok());
}

TEST(LeaseEngine, DeniedDetailsNameCapabilityTargetAndReason) {
  auto lease = compiled(json::object{{"fs.read", json::array{"/srv/allowed/**"}}});
  auto no_match = lease.check("fs.read", "/srv/secret/../other");
  ASSERT_FALSE(no_match.ok());
  EXPECT_EQ(no_match.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(*get_string(no_match.error().details, "capability"), "fs.read");
  EXPECT_EQ(*get_string(no_match.error().details, "target"), "/srv/other");
  EXPECT_NE(get_string(no_match.error().details, "reason"), nullptr);

  auto absent = lease.check("fs.write", "/srv/allowed/x");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(*get_string(absent.error().details, "capability"), "fs.write");

  auto uncanonical = lease.check("fs.read", "/srv/allowed/%zz");
  ASSERT_FALSE(uncanonical.ok());
  EXPECT_EQ(uncanonical.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(get_string(uncanonical.error().details, "target"), nullptr);
  EXPECT_NE(get_string(uncanonical.error().details, "reason"), nullptr);

  auto budget = lease.check("cost.budget", "USD:1");
  ASSERT_FALSE(budget.ok());
  EXPECT_EQ(budget.error().code, ErrorCode::kPermissionDenied);
}

TEST(LeaseEngine, EchoedTargetsAreCapped) {
  auto lease = compiled(json::object{{"fs.read", json::array{"/srv/allowed/**"}}});
  std::string huge = "/srv/other/" + std::string(1 << 20, 'x');
  auto r = lease.check("fs.read", huge);
  ASSERT_FALSE(r.ok());
  EXPECT_LE(get_string(r.error().details, "target")->size(), 256u);
  EXPECT_LE(r.error().message.size(), 1024u);
  // Cut on a character boundary: no half of a multi-byte character.
  std::string wide = "/srv/other/";
  for (int i = 0; i < 200; ++i) wide += "\xC3\xA9";
  auto w = lease.check("fs.read", wide);
  ASSERT_FALSE(w.ok());
  std::string echoed(*get_string(w.error().details, "target"));
  EXPECT_LE(echoed.size(), 256u);
  EXPECT_NO_THROW(json::parse(json::serialize(w.error().to_json())));
}

// The adversarial corpus: every entry's expected answer, and above all no
// allowed target whose canonical form is outside /srv/allowed.
TEST(LeaseEngine, ConformanceP02_AdversarialFsCorpusHasNoBypass) {
  auto lease = compiled(json::object{{"fs.read", json::array{"/srv/allowed/**"}}}, "/srv");
  struct Case {
    std::string_view target;
    bool allow;
  };
  const Case corpus[] = {
      {"allowed/x", true},
      {"/srv/allowed", true},
      {"/srv/allowed/", true},
      {"/srv/allowed/...", true},  // a legal name inside allowed
      {"/srv/allowed/.../x", true},
      {"/srv/allowed/%252e%252e/secret", true},  // decoded once: the name `%2e%2e`
      {"allowed/../secret", false},
      {"/srv/allowed//..//secret", false},
      {"/srv/allowed/%2e%2e/secret", false},
      {"/srv/allowed/%2E%2e/secret", false},
      {"/srv/allowed/%2e%2E/secret", false},
      {"/srv/allowed/./../secret", false},
      {"/srv/allowed/..%2fsecret", false},
      {"/srv/allowed/..%2Fsecret", false},
      {"/srv/allowed%2f..%2fsecret", false},
      {"/srv/allowed/../secret/", false},
      {"/srv/allowed/../secret/.", false},
      {"/srv/allowed/x/../../secret", false},
      {"/srv/allowed/%00", false},
      {std::string_view("/srv/allowed/x\0/../../secret", 28), false},
      {std::string_view("/srv/allowed\0", 13), false},
      {"/srv/allowed/x%00", false},
      {"/SRV/allowed/x", false},
      {"/srv/ALLOWED/x", false},
      {"/srv/allowedx", false},
      {"/srv/allowed..", false},
      {"/srv/allowed\xEF\xBC\x8F..\xEF\xBC\x8Fsecret", false},  // fullwidth ／
      {"/srv/\xEF\xBC\x8E\xEF\xBC\x8E/allowed/x", false},       // fullwidth ．．
      {"/srv/allowed/\xEF\xBC\x8E\xEF\xBC\x8E/x", true},        // a name, not `..`
      {"secret", false},
      {"../srv/allowed/../secret", false},
      {"/srv/allowed/%", false},
      {"/srv/allowed/%2", false},
      {"/srv/allowed/%g0", false},
      {"", false},
  };
  int bypasses = 0;
  for (const auto& c : corpus) {
    auto r = lease.check("fs.read", c.target);
    EXPECT_EQ(r.ok(), c.allow) << "target: " << std::string(c.target);
    if (r.ok()) {
      bool inside = r.value() == "/srv/allowed" || r.value().rfind("/srv/allowed/", 0) == 0;
      if (!inside) ++bypasses;
      EXPECT_TRUE(inside) << std::string(c.target) << " -> " << r.value();
    }
  }
  EXPECT_EQ(bypasses, 0);
}

TEST(LeaseEngine, ConformanceP02_AdversarialUrlCorpusHasNoBypass) {
  auto lease = compiled(json::object{{"net.fetch", json::array{"https://api.example.com/v1/**"}}});
  struct Case {
    std::string_view target;
    bool allow;
  };
  const Case corpus[] = {
      {"https://api.example.com/v1/x", true},
      {"https://api.example.com/v1", true},
      {"HTTPS://API.EXAMPLE.COM/v1/x", true},
      {"https://api.example.com:443/v1/x", true},
      {"https://api.example.com/v1/x?next=/admin", true},
      {"https://api.example.com/v1/a%2Fb", true},
      {"https://api.example.com/v1/x/../y", true},
      {"https://api.example.com/v1/x#/../../admin", true},
      {"https://api.example.com/V1/x", false},  // paths are case-sensitive
      {"https://api.example.com/v1/../admin", false},
      {"https://api.example.com/v1/%2e%2e/admin", false},
      {"https://api.example.com/v1/%2E%2E/admin", false},
      {"https://api.example.com/v1/..%2Fadmin", false},
      {"https://api.example.com/v1/..%2fadmin", false},
      {"https://api.example.com/v1/..;/admin", false},
      {"https://api.example.com/v1%2F..%2Fadmin", false},
      {"https://api.example.com/v1/..%5Cadmin", false},
      {"https://api.example.com/v1x/y", false},
      {"https://api.example.com/v1?x=/v1/", false},
      {"https://api.example.com//v1/x", false},
      {"https://api.example.com@evil.com/v1/x", false},
      {"https://user:pw@api.example.com/v1/x", false},
      {"https://evil.com/api.example.com/v1/x", false},
      {"https://api.example.com.evil.com/v1/x", false},
      {"https://api.example.com./v1/x", false},
      {"https://\xD0\xB0pi.example.com/v1/x", false},  // Cyrillic а
      {"https://%D0%B0pi.example.com/v1/x", false},
      {"https://xn--pi-7ld.example.com/v1/x", false},
      {"http://api.example.com/v1/x", false},
      {"https://api.example.com:8443/v1/x", false},
      {"ftp://api.example.com/v1/x", false},
      {"wss://api.example.com/v1/x", false},
      {"//api.example.com/v1/x", false},
      {"https://api.example.com/v1/x%00", false},
      {std::string_view("https://api.example.com/v1/x\0", 29), false},
      {"https:api.example.com/v1/x", false},
      {"https://api.example.com\\@evil.com/v1/x", false},
  };
  int bypasses = 0;
  for (const auto& c : corpus) {
    auto r = lease.check("net.fetch", c.target);
    EXPECT_EQ(r.ok(), c.allow) << "target: " << std::string(c.target);
    if (r.ok()) {
      bool inside = r.value() == "https://api.example.com/v1" ||
                    r.value().rfind("https://api.example.com/v1/", 0) == 0;
      if (!inside) ++bypasses;
      EXPECT_TRUE(inside) << std::string(c.target) << " -> " << r.value();
    }
  }
  EXPECT_EQ(bypasses, 0);
}

TEST(LeaseEngine, UrlPatternsAreCanonicalisedKeepingGlobs) {
  auto lease = compiled(json::object{
      {"net.fetch", json::array{"HTTPS://*.Example.COM:443/a/%7e/**", "http://h.example:80"}}});
  EXPECT_TRUE(allowed(lease, "net.fetch", "https://x.example.com/a/~/b"));
  EXPECT_TRUE(allowed(lease, "net.fetch", "https://x.example.com/a/%7E"));
  EXPECT_FALSE(allowed(lease, "net.fetch", "https://x.example.com:8443/a/~/b"));
  EXPECT_TRUE(allowed(lease, "net.fetch", "http://h.example"));
  EXPECT_TRUE(allowed(lease, "net.fetch", "http://h.example/"));
  EXPECT_FALSE(allowed(lease, "net.fetch", "http://h.example/x"));
}

TEST(LeaseEngine, FsPatternsResolveAgainstBaseDir) {
  auto lease =
      compiled(json::object{{"fs.write", json::array{"out/**", "./tmp/*.log"}}}, "/work/job");
  EXPECT_TRUE(allowed(lease, "fs.write", "/work/job/out/a/b"));
  EXPECT_TRUE(allowed(lease, "fs.write", "out/a"));
  EXPECT_TRUE(allowed(lease, "fs.write", "tmp/x.log"));
  EXPECT_FALSE(allowed(lease, "fs.write", "tmp/a/x.log"));
  EXPECT_FALSE(allowed(lease, "fs.write", "/out/a"));
}

TEST(LeaseEngine, ConformanceP05_NarrowingIsAccepted) {
  auto parent = compiled(json::object{{"fs.read", json::array{"/workspace/**"}},
                                      {"net.fetch", json::array{"https://api.example.com/**"}},
                                      {"tool.call", json::array{"git.*", "search"}},
                                      {"cost.budget", json::array{"USD:5.00", "credits:100"}}});
  auto child = compiled(json::object{{"fs.read", json::array{"/workspace/src/**", "/workspace"}},
                                     {"net.fetch", json::array{"https://api.example.com/v1/*"}},
                                     {"tool.call", json::array{"git.status"}},
                                     {"cost.budget", json::array{"USD:1.25"}}});
  auto r = parent.covers(child);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(parent.covers(parent).ok());
  EXPECT_TRUE(parent.covers(compiled(json::object{})).ok());
  auto equal_budget = compiled(json::object{{"cost.budget", json::array{"USD:5"}}});
  EXPECT_TRUE(parent.covers(equal_budget).ok());
  // Two amounts in one currency: the smaller wins, so USD:1 is what counts.
  auto two = compiled(json::object{{"cost.budget", json::array{"USD:9", "USD:1"}}});
  EXPECT_TRUE(parent.covers(two).ok());
}

void expect_violation(const Result<void>& r, std::string_view capability,
                      std::string_view pattern) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLeaseSubsetViolation);
  EXPECT_EQ(*get_string(r.error().details, "capability"), capability);
  EXPECT_EQ(*get_string(r.error().details, "pattern"), pattern);
}

TEST(LeaseEngine, ConformanceP05_WideningIsRejected) {
  auto parent = compiled(json::object{{"fs.read", json::array{"/workspace/src/**"}},
                                      {"net.fetch", json::array{"https://api.example.com/v1/**"}},
                                      {"tool.call", json::array{"git.*"}},
                                      {"cost.budget", json::array{"USD:5"}}});
  expect_violation(parent.covers(compiled(json::object{{"fs.read", json::array{"/workspace/**"}}})),
                   "fs.read", "/workspace/**");
  expect_violation(
      parent.covers(compiled(json::object{{"fs.read", json::array{"/workspace/src/../**"}}})),
      "fs.read", "/workspace/src/../**");
  expect_violation(parent.covers(compiled(json::object{
                       {"fs.read", json::array{"/workspace/src/a", "/workspace/srcx"}}})),
                   "fs.read", "/workspace/srcx");
  expect_violation(
      parent.covers(compiled(json::object{{"fs.write", json::array{"/workspace/src/a"}}})),
      "fs.write", "/workspace/src/a");
  expect_violation(parent.covers(compiled(
                       json::object{{"net.fetch", json::array{"https://api.example.com/**"}}})),
                   "net.fetch", "https://api.example.com/**");
  expect_violation(parent.covers(compiled(json::object{{"tool.call", json::array{"git.**"}}})),
                   "tool.call", "git.**");
  expect_violation(
      parent.covers(compiled(json::object{{"cost.budget", json::array{"USD:5.000000001"}}})),
      "cost.budget", "USD:5.000000001");
  expect_violation(parent.covers(compiled(json::object{{"cost.budget", json::array{"EUR:1"}}})),
                   "cost.budget", "EUR:1");
  auto no_budget = compiled(json::object{{"fs.read", json::array{"/**"}}});
  expect_violation(
      no_budget.covers(compiled(json::object{{"cost.budget", json::array{"USD:0.01"}}})),
      "cost.budget", "USD:0.01");
}

TEST(LeaseEngine, ConformanceP05_SubsetRelativePatternsUseEachBaseDir) {
  auto parent = compiled(json::object{{"fs.read", json::array{"**"}}}, "/work/parent");
  auto inside = compiled(json::object{{"fs.read", json::array{"sub/**"}}}, "/work/parent");
  auto outside = compiled(json::object{{"fs.read", json::array{"sub/**"}}}, "/work/other");
  EXPECT_TRUE(parent.covers(inside).ok());
  expect_violation(parent.covers(outside), "fs.read", "sub/**");
}

TEST(LeaseEngine, ADeniedUrlIsNamedWithoutItsQuery) {
  auto lease =
      CompiledLease::compile(json::object{{"net.fetch", json::array{"https://api.example.com/**"}}})
          .value();
  auto r = lease.check("net.fetch", "https://evil.example/steal?api_key=SECRET123#frag");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().details.at("target"), "https://evil.example/steal");
  EXPECT_EQ(json::serialize(r.error().to_json()).find("SECRET123"), std::string::npos);
}

TEST(LeaseEngine, NarrowKeepsWhatTheCeilingCoversAndLowersBudgets) {
  auto ceiling = CompiledLease::compile(json::object{{"fs.read", json::array{"/srv/**"}},
                                                     {"cost.budget", json::array{"USD:2.5"}}})
                     .value();
  auto asked = CompiledLease::compile(
                   json::object{{"fs.read", json::array{"/srv/a/*", "/etc/**", "/srv/**"}},
                                {"net.fetch", json::array{"https://x.example/**"}},
                                {"cost.budget", json::array{"USD:9", "EUR:1"}}})
                   .value();
  EXPECT_EQ(json::serialize(ceiling.narrow(asked)),
            R"({"fs.read":["/srv/a/*","/srv/**"],"cost.budget":["USD:2.5"]})");
  auto none = CompiledLease::compile(json::object{{"tool.call", json::array{"*"}}}).value();
  EXPECT_EQ(json::serialize(none.narrow(asked)), R"({"cost.budget":["EUR:1","USD:9"]})");
  EXPECT_TRUE(ceiling.covers(CompiledLease::compile(ceiling.narrow(asked)).value()));
}

}  // namespace
}  // namespace arcp
