// §9 leases: capability grammar (P04), expires_at constraints (P06), budget amounts (B05).
#include <gtest/gtest.h>

#include <arcp/lease.hpp>
#include <string>
#include <string_view>

namespace arcp {
namespace {

SystemTime at(std::string_view rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(SystemTime{});
}

json::object lease_with(std::string_view key, json::array patterns) {
  json::object o;
  o[key] = std::move(patterns);
  return o;
}

void expect_invalid_capability(const Result<void>& r, std::string_view capability) {
  ASSERT_FALSE(r.ok()) << capability;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  const auto* cap = get_string(r.error().details, "capability");
  ASSERT_NE(cap, nullptr) << r.error().describe();
  EXPECT_EQ(*cap, capability);
  EXPECT_NE(r.error().message.find(capability), std::string::npos) << r.error().message;
}

std::int64_t nanos(std::string_view amount) {
  auto a = parse_budget_amount(amount);
  EXPECT_TRUE(a.has_value()) << amount;
  return a ? a->nano_units : -1;
}

TEST(Lease, SevenReservedCapabilities) {
  for (std::string_view c : {"fs.read", "fs.write", "net.fetch", "tool.call", "agent.delegate",
                             "cost.budget", "model.use"})
    EXPECT_TRUE(is_reserved_capability(c)) << c;
  for (std::string_view c : {"fs", "fs.delete", "net", "FS.READ", "fs.read ", "x-vendor.gpu", ""})
    EXPECT_FALSE(is_reserved_capability(c)) << c;
}

TEST(Lease, SpecExampleLeaseValidates) {
  json::object lease{{"fs.read", json::array{"/workspace/myapp/**"}},
                     {"fs.write", json::array{"/workspace/myapp/src/**"}},
                     {"net.fetch", json::array{"https://api.example.com/**"}},
                     {"tool.call", json::array{"search", "git.*"}},
                     {"agent.delegate", json::array{"test-runner"}},
                     {"cost.budget", json::array{"USD:5.00", "credits:1000"}},
                     {"model.use", json::array{"tier-fast/*"}}};
  auto r = validate_lease(lease);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(validate_lease(json::object{}).ok());
}

TEST(Lease, ConformanceP04_UnknownBareCapabilityIsInvalidRequest) {
  for (std::string_view cap :
       {"fs.delete", "shell.exec", "net", "FS.READ", "x-vendor.", "vendor.gpu", "x-vendorgpu"})
    expect_invalid_capability(validate_lease(lease_with(cap, json::array{"*"})), cap);
}

TEST(Lease, ConformanceP04_VendorCapabilityIsAllowed) {
  auto r = validate_lease(json::object{{"x-vendor.acme.gpu", json::array{"a100/*"}},
                                       {"fs.read", json::array{"/tmp/**"}}});
  EXPECT_TRUE(r.ok()) << r.error().describe();
}

TEST(Lease, CapabilityValuesMustBeArraysOfNonEmptyStrings) {
  expect_invalid_capability(validate_lease(json::object{{"fs.read", "/tmp/**"}}), "fs.read");
  expect_invalid_capability(validate_lease(json::object{{"fs.read", nullptr}}), "fs.read");
  expect_invalid_capability(validate_lease(json::object{{"fs.read", json::object{}}}), "fs.read");
  expect_invalid_capability(validate_lease(lease_with("fs.write", json::array{"/a", 5})),
                            "fs.write");
  expect_invalid_capability(validate_lease(lease_with("tool.call", json::array{""})), "tool.call");
  expect_invalid_capability(validate_lease(lease_with("x-vendor.q", json::array{nullptr})),
                            "x-vendor.q");
}

TEST(Lease, CostBudgetEntriesMustBeAmounts) {
  EXPECT_TRUE(validate_lease(lease_with("cost.budget", json::array{"USD:5.00"})).ok());
  for (std::string_view bad : {"5.00", "USD", "USD:", "USD:-1", "USD:abc", "$:5"})
    expect_invalid_capability(validate_lease(lease_with("cost.budget", json::array{bad})),
                              "cost.budget");
}

TEST(Lease, ConformanceP06_FutureZuluExpiryIsAccepted) {
  SystemTime now = at("2026-05-13T19:30:00Z");
  auto r = validate_lease_constraints(json::object{{"expires_at", "2026-05-13T23:42:00Z"}}, now);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(
      validate_lease_constraints(json::object{{"expires_at", "2026-05-13T19:30:00.001Z"}}, now)
          .ok());
  EXPECT_TRUE(validate_lease_constraints(json::object{}, now).ok());
  EXPECT_TRUE(validate_lease_constraints(json::object{{"x-vendor.note", 1}}, now).ok());
}

TEST(Lease, ConformanceP06_PastOrCurrentExpiryIsInvalidRequest) {
  SystemTime now = at("2026-05-13T19:30:00Z");
  for (std::string_view t :
       {"2026-05-13T19:29:59Z", "2026-05-13T19:30:00Z", "2026-05-13T19:30:00.000Z",
        "1970-01-01T00:00:00Z", "2000-01-01T00:00:00Z"}) {
    auto r = validate_lease_constraints(json::object{{"expires_at", t}}, now);
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(Lease, ConformanceP06_NonZuluExpiryIsInvalidRequestEvenIfFuture) {
  SystemTime now = at("2026-05-13T19:30:00Z");
  for (std::string_view t :
       {"2026-05-14T00:00:00+00:00", "2026-05-14T00:00:00-00:00", "2026-05-14T02:00:00+02:00"}) {
    auto r = validate_lease_constraints(json::object{{"expires_at", t}}, now);
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(Lease, ConformanceP06_InvalidExpiryIsInvalidRequest) {
  SystemTime now = at("2026-05-13T19:30:00Z");
  for (json::value v : {json::value("tomorrow"), json::value("2026-05-14"), json::value("Z"),
                        json::value("2026-02-30T00:00:00Z"), json::value(""),
                        json::value(1778701333), json::value(json::object{})}) {
    auto r = validate_lease_constraints(json::object{{"expires_at", v}}, now);
    ASSERT_FALSE(r.ok()) << json::serialize(v);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
}

// Timestamps beyond the clock's 64-bit nanosecond range (1677-2262) saturate
// instead of wrapping: a past expiry before 1677 must still read as past.
TEST(Lease, ConformanceP06_ExpiryOutsideClockRangeIsNotMisjudged) {
  SystemTime now = at("2026-05-13T19:30:00Z");
  EXPECT_FALSE(
      validate_lease_constraints(json::object{{"expires_at", "1600-01-01T00:00:00Z"}}, now).ok())
      << "an expires_at in 1600 is in the past and must be rejected";
  EXPECT_FALSE(
      validate_lease_constraints(json::object{{"expires_at", "0001-01-01T00:00:00Z"}}, now).ok());
}

TEST(Lease, ConformanceB05_ParsesCurrencyAndFixedPointAmount) {
  auto a = parse_budget_amount("USD:5.00");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->currency, "USD");
  EXPECT_EQ(a->nano_units, 5'000'000'000LL);
  EXPECT_DOUBLE_EQ(a->as_double(), 5.0);

  EXPECT_EQ(nanos("credits:1000"), 1000'000'000'000LL);
  EXPECT_EQ(nanos("EUR:0.000000001"), 1);
  EXPECT_EQ(nanos("USD:0"), 0);
  EXPECT_EQ(nanos("USD:0.5"), 500'000'000LL);
  EXPECT_EQ(nanos("USD:00.10"), 100'000'000LL);
  EXPECT_EQ(nanos("USD:123456789.123456789"), 123456789'123456789LL);
  EXPECT_EQ(nanos("USD:999999999.999999999"), 999999999'999999999LL);
  EXPECT_EQ(parse_budget_amount("my_credits-2:7")->currency, "my_credits-2");
}

TEST(Lease, ConformanceB05_FixedPointSumsHaveNoFloatDrift) {
  std::int64_t sum = nanos("USD:0.1") + nanos("USD:0.2");
  EXPECT_EQ(sum, nanos("USD:0.3"));
  EXPECT_EQ(sum, 300'000'000LL);
  // The float equivalent drifts; the fixed-point one must not.
  ASSERT_NE(0.1 + 0.2, 0.3);
  std::int64_t total = 0;
  for (int i = 0; i < 10; ++i) total += nanos("USD:0.1");
  EXPECT_EQ(total, nanos("USD:1"));
  EXPECT_EQ(nanos("USD:5.00") - nanos("USD:3.00"), nanos("USD:2.00"));
}

TEST(Lease, ConformanceB05_MalformedAmountsAreRejected) {
  for (std::string_view bad : {
           "",
           "USD",
           ":5",
           "USD:",
           "USD:-1",
           "USD:+1",
           "USD:1.",
           "USD:.5",
           "USD:1e3",
           "USD:1,5",
           "USD: 1",
           "USD:1 ",
           "USD:0x10",
           "USD:1.2.3",
           "USD:5:00",
           "1USD:5",
           "_USD:5",
           "U SD:5",
           "USD:1.0000000001",
           "USD:1000000000",
           "USD:NaN",
           "USD:inf",
           "€:5",
           "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG:1",  // 33-char currency
       }) {
    EXPECT_FALSE(parse_budget_amount(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(Lease, CapabilitiesPatternsAndPatternBytesAreCapped) {
  json::object many_caps;
  for (std::size_t i = 0; i <= kMaxLeaseCapabilities; ++i)
    many_caps["x-vendor.acme.c" + std::to_string(i)] = json::array{"a"};
  auto r1 = validate_lease(many_caps);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().details.at("max"), kMaxLeaseCapabilities);

  json::array patterns;
  for (std::size_t i = 0; i <= kMaxLeasePatterns; ++i)
    patterns.emplace_back("/p" + std::to_string(i));
  auto r2 = validate_lease(json::object{{"fs.read", patterns}});
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().details.at("max"), kMaxLeasePatterns);
  patterns.pop_back();
  EXPECT_TRUE(validate_lease(json::object{{"fs.read", patterns}}));

  std::string huge = "/" + std::string(kMaxLeasePatternBytes, 'a');
  auto r3 = validate_lease(json::object{{"fs.read", json::array{json::string(huge)}}});
  ASSERT_FALSE(r3);
  EXPECT_EQ(r3.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(r3.error().message.find("aaaa"), std::string::npos);  // never echoed
}

}  // namespace
}  // namespace arcp
