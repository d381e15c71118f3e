// P05 (§9.4): a delegated lease against its parent's — patterns, the
// parent's remaining budget, expiry and what the child inherits.
#include <gtest/gtest.h>

#include <arcp/delegated_lease.hpp>

namespace arcp {
namespace {

CompiledLease compiled(json::object lease) {
  return CompiledLease::compile(lease).value();
}

struct Parent {
  CompiledLease lease = compiled(json::object{{"fs.read", json::array{"/workspace/**"}},
                                              {"tool.call", json::array{"search.*"}},
                                              {"cost.budget", json::array{"USD:5.00"}}});
  BudgetCounters budget = BudgetCounters::from_lease(lease.json());
  Parent() { EXPECT_TRUE(budget.spend("USD", 3'000'000'000)); }  // $3.00 spent
};

void expect_violation(const Result<DelegatedLease>& r, std::string_view key,
                      std::string_view value) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kLeaseSubsetViolation);
  EXPECT_EQ(r.error().details.at(key), value.data()) << r.error().message;
}

TEST(DelegatedLease, ConformanceP05_WideningIsRejectedNarrowingAccepted) {
  Parent p;
  expect_violation(
      delegate_lease(p.lease, p.budget, std::nullopt,
                     compiled(json::object{{"fs.read", json::array{"/etc/**"}}}), std::nullopt),
      "pattern", "/etc/**");
  expect_violation(
      delegate_lease(p.lease, p.budget, std::nullopt,
                     compiled(json::object{{"net.fetch", json::array{"https://x/**"}}}),
                     std::nullopt),
      "capability", "net.fetch");
  auto ok = delegate_lease(p.lease, p.budget, std::nullopt,
                           compiled(json::object{{"fs.read", json::array{"/workspace/src/*"}},
                                                 {"tool.call", json::array{"search.web"}}}),
                           std::nullopt);
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(
      json::serialize(ok->lease),
      R"({"fs.read":["/workspace/src/*"],"tool.call":["search.web"],"cost.budget":["USD:2"]})");
}

TEST(DelegatedLease, ConformanceP05_BudgetIsCheckedAgainstTheParentsRemaining) {
  Parent p;  // USD 5.00 with 3.00 spent: 2.00 left
  EXPECT_TRUE(delegate_lease(p.lease, p.budget, std::nullopt,
                             compiled(json::object{{"cost.budget", json::array{"USD:2.00"}}}),
                             std::nullopt));
  expect_violation(delegate_lease(p.lease, p.budget, std::nullopt,
                                  compiled(json::object{{"cost.budget", json::array{"USD:2.01"}}}),
                                  std::nullopt),
                   "pattern", "USD:2.01");
  // Unbudgeted under a budgeted parent: the child inherits what is left.
  auto inherited =
      delegate_lease(p.lease, p.budget, std::nullopt, compiled(json::object{}), std::nullopt);
  ASSERT_TRUE(inherited);
  EXPECT_EQ(json::serialize(inherited->lease), R"({"cost.budget":["USD:2"]})");
  // A parent that has spent everything leaves its child nothing to spend.
  ASSERT_TRUE(p.budget.spend("USD", 2'500'000'000));
  auto broke =
      delegate_lease(p.lease, p.budget, std::nullopt, compiled(json::object{}), std::nullopt);
  ASSERT_TRUE(broke);
  EXPECT_EQ(json::serialize(broke->lease), R"({"cost.budget":["USD:0"]})");
  EXPECT_FALSE(BudgetCounters::from_lease(broke->lease).check());
}

TEST(DelegatedLease, ConformanceP05_ChildExpiryIsNoLaterThanTheParentsAndInheritsIt) {
  Parent p;
  auto parent_exp = *parse_rfc3339("2030-01-01T12:00:00Z");
  auto earlier = *parse_rfc3339("2030-01-01T11:00:00Z");
  auto later = *parse_rfc3339("2030-01-01T13:00:00Z");
  auto child = compiled(json::object{});
  expect_violation(delegate_lease(p.lease, p.budget, parent_exp, child, later), "constraint",
                   "expires_at");
  EXPECT_EQ(delegate_lease(p.lease, p.budget, parent_exp, child, earlier)->expires_at, earlier);
  EXPECT_EQ(delegate_lease(p.lease, p.budget, parent_exp, child, std::nullopt)->expires_at,
            parent_exp);
  EXPECT_EQ(delegate_lease(p.lease, p.budget, std::nullopt, child, later)->expires_at, later);
  EXPECT_FALSE(delegate_lease(p.lease, p.budget, std::nullopt, child, std::nullopt)->expires_at);
}

}  // namespace
}  // namespace arcp
