// §9.6 cost.budget: fixed-point amounts (B05) and counters with atomic
// reservations (B06).
#include <gtest/gtest.h>

#include <arcp/budget.hpp>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace arcp {
namespace {

constexpr std::int64_t kUnit = 1'000'000'000;

BudgetCounters counters(json::array amounts) {
  return BudgetCounters::from_lease(json::object{{"cost.budget", std::move(amounts)}});
}

TEST(Budget, ConformanceB05_MalformedAmountsAreRejected) {
  for (std::string_view bad :
       {"USD", "USD:", ":5", "USD:-1", "USD:+1", "USD:1e3", "USD:0x10", "USD:1.", "USD:.5",
        "USD:1.0000000001", "USD:1,5", " USD:1", "USD:1 ", "USD:1000000000", "1USD:1", "US D:1",
        "USD:1..2", "USD:NaN", "USD:inf"})
    EXPECT_FALSE(parse_budget_amount(bad).has_value()) << bad;
  auto a = parse_budget_amount("USD:0.000000001");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->nano_units, 1);
  EXPECT_EQ(parse_budget_amount("credits:999999999.999999999")->nano_units,
            999'999'999 * kUnit + 999'999'999);
}

TEST(Budget, ConformanceB05_FixedPointHasNoDrift) {
  auto b = counters(json::array{"USD:0.3"});
  auto tenth = to_nano_units(0.1);
  ASSERT_EQ(tenth, 100'000'000);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b.spend("USD", *tenth).ok());
  EXPECT_EQ(b.remaining("USD"), 0);
  EXPECT_EQ(json::serialize(b.to_json()), R"({"USD":0})");
  EXPECT_FALSE(b.check().ok());

  // A thousand spends of 0.001 from 1 leave exactly 0, too.
  auto c = counters(json::array{"credits:1"});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(c.spend("credits", *to_nano_units(0.001)).ok());
  EXPECT_EQ(c.remaining("credits"), 0);
}

TEST(Budget, ToNanoUnitsRoundsAndRefusesNonFinite) {
  EXPECT_EQ(to_nano_units(0.0), 0);
  EXPECT_EQ(to_nano_units(1.0), kUnit);
  EXPECT_EQ(to_nano_units(0.7), 700'000'000);
  EXPECT_EQ(to_nano_units(1e-9), 1);
  EXPECT_EQ(to_nano_units(4e-10), 0);
  EXPECT_EQ(to_nano_units(-0.25), -250'000'000);
  EXPECT_EQ(to_nano_units(123456.789), 123456 * kUnit + 789'000'000);
  EXPECT_FALSE(to_nano_units(std::nan("")).has_value());
  EXPECT_FALSE(to_nano_units(std::numeric_limits<double>::infinity()).has_value());
  EXPECT_FALSE(to_nano_units(-std::numeric_limits<double>::infinity()).has_value());
  EXPECT_FALSE(to_nano_units(1e10).has_value());
  EXPECT_FALSE(to_nano_units(-1e300).has_value());
}

TEST(Budget, NanoUnitsToJsonLooksExact) {
  EXPECT_EQ(json::serialize(nano_units_to_json(kUnit)), "1");
  EXPECT_TRUE(nano_units_to_json(kUnit).is_int64());
  EXPECT_EQ(json::serialize(nano_units_to_json(0)), "0");
  EXPECT_EQ(json::serialize(nano_units_to_json(-3 * kUnit)), "-3");
  EXPECT_EQ(nano_units_to_json(700'000'000).as_double(), 0.7);
  EXPECT_EQ(nano_units_to_json(-250'000'000).as_double(), -0.25);
  EXPECT_EQ(nano_units_to_json(5 * kUnit + 1).as_double(), 5.000000001);
  EXPECT_EQ(nano_units_to_json(1).as_double(), 1e-9);
  auto big = nano_units_to_json(std::numeric_limits<std::int64_t>::min());
  EXPECT_LT(big.as_double(), -9.2e9);
}

TEST(Budget, FromLeaseSmallerAmountWins) {
  auto b = counters(json::array{"USD:5", "credits:10", "USD:2.5"});
  EXPECT_FALSE(b.empty());
  EXPECT_TRUE(b.has("USD"));
  EXPECT_FALSE(b.has("EUR"));
  EXPECT_EQ(b.remaining("USD"), 2'500'000'000);
  EXPECT_EQ(b.remaining("credits"), 10 * kUnit);
  EXPECT_EQ(b.remaining("EUR"), std::nullopt);
  EXPECT_TRUE(b.check().ok());
  EXPECT_TRUE(BudgetCounters::from_lease(json::object{}).empty());
  EXPECT_TRUE(BudgetCounters().empty());
}

TEST(Budget, SpendCountsCostsAlreadyIncurred) {
  auto b = counters(json::array{"USD:1"});
  auto r = b.spend("USD", 400'000'000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r.value(), 600'000'000);
  r = b.spend("USD", kUnit);  // may go below zero
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r.value(), -400'000'000);
  auto exhausted = b.check();
  ASSERT_FALSE(exhausted.ok());
  EXPECT_EQ(exhausted.error().code, ErrorCode::kBudgetExhausted);
  EXPECT_EQ(*get_string(exhausted.error().details, "currency"), "USD");
  EXPECT_EQ(get_number(exhausted.error().details, "remaining"), -0.4);

  auto unbudgeted = b.spend("EUR", 5);
  ASSERT_TRUE(unbudgeted.ok());
  EXPECT_FALSE(unbudgeted.value().has_value());

  auto negative = b.spend("USD", -1);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(b.remaining("USD"), -400'000'000);

  ASSERT_TRUE(b.spend("USD", std::numeric_limits<std::int64_t>::max()).ok());
  ASSERT_TRUE(b.spend("USD", std::numeric_limits<std::int64_t>::max()).ok());
  EXPECT_EQ(b.remaining("USD"), std::numeric_limits<std::int64_t>::min());  // saturates
}

TEST(Budget, ReserveHoldsAndCommitSettles) {
  auto b = counters(json::array{"USD:1"});
  auto r1 = b.reserve("USD", 600'000'000);
  ASSERT_TRUE(r1.ok());
  auto r2 = b.reserve("USD", 500'000'000);  // 0.4 left after the hold
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kBudgetExhausted);
  EXPECT_EQ(get_number(r2.error().details, "remaining"), 0.4);
  EXPECT_EQ(b.remaining("USD"), kUnit);  // holds are not spent

  auto left = b.commit(*r1, 550'000'000);  // actual cost differs from the hold
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left.value(), 450'000'000);
  EXPECT_FALSE(b.commit(*r1, 1).ok());  // settled once
  EXPECT_TRUE(b.reserve("USD", 450'000'000).ok());
}

TEST(Budget, ReleaseFreesAHold) {
  auto b = counters(json::array{"USD:1"});
  auto r = b.reserve("USD", kUnit);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(b.reserve("USD", 1).ok());
  b.release(*r);
  b.release(*r);  // twice is harmless
  EXPECT_TRUE(b.reserve("USD", kUnit).ok());
  EXPECT_EQ(b.remaining("USD"), kUnit);
}

TEST(Budget, ReserveRefusesNegativeAndUnbudgeted) {
  auto b = counters(json::array{"USD:1"});
  EXPECT_EQ(b.reserve("USD", -1).error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(b.reserve("EUR", 1).error().code, ErrorCode::kInvalidRequest);
  auto r = b.reserve("USD", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(b.commit(*r, -1).error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(b.commit(12345, 1).error().code, ErrorCode::kInvalidRequest);
}

TEST(Budget, ToJsonAndMove) {
  auto b = counters(json::array{"USD:0.7", "credits:3"});
  EXPECT_EQ(json::serialize(b.to_json()), R"({"USD":7E-1,"credits":3})");
  BudgetCounters moved(std::move(b));
  EXPECT_EQ(moved.remaining("credits"), 3 * kUnit);
  BudgetCounters assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.remaining("USD"), 700'000'000);
}

TEST(Budget, ConformanceB06_ConcurrentReservationsNeverOverspend) {
  auto b = counters(json::array{"USD:100"});
  constexpr std::int64_t kCost = 370'000'000;  // 0.37: 270 fit in 100
  constexpr int kThreads = 8;
  constexpr int kAttempts = 2000;
  std::atomic<std::int64_t> committed{0};
  std::atomic<int> successes{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kAttempts; ++i) {
        auto r = b.reserve("USD", kCost);
        if (!r.ok()) {
          EXPECT_EQ(r.error().code, ErrorCode::kBudgetExhausted);
          continue;
        }
        ASSERT_TRUE(b.commit(*r, kCost).ok());
        committed += kCost;
        ++successes;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_LE(committed.load(), 100 * kUnit);
  EXPECT_EQ(successes.load(), 270);
  EXPECT_EQ(b.remaining("USD"), 100 * kUnit - 270 * kCost);
  EXPECT_GE(*b.remaining("USD"), 0);
}

TEST(Budget, ConformanceB06_ConcurrentReserveReleaseAndCheaperCommits) {
  auto b = counters(json::array{"USD:10"});
  constexpr int kThreads = 8;
  std::atomic<std::int64_t> committed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        auto r = b.reserve("USD", 10'000'000);
        if (!r.ok()) continue;
        if ((i + t) % 3 == 0) {
          b.release(*r);
        } else {
          std::int64_t actual = (i % 2) ? 10'000'000 : 4'000'000;  // never more than held
          ASSERT_TRUE(b.commit(*r, actual).ok());
          committed += actual;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(committed.load(), 10 * kUnit);
  EXPECT_EQ(*b.remaining("USD"), 10 * kUnit - committed.load());
  EXPECT_GE(*b.remaining("USD"), 0);
}

}  // namespace
}  // namespace arcp
