// B01–B07 and U03 (§9.6, §9.7, §7.6): budget counters, their enforcement
// at the operation boundary, reservations, and model.use policy.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>
#include <atomic>
#include <thread>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

json::object budget_lease(std::string amount = "USD:1.00") {
  return json::object{{"tool.call", json::array{"search.*"}},
                      {"cost.budget", json::array{json::string(amount)}}};
}

std::vector<JobEvent> metrics_named(const std::vector<JobEvent>& events, std::string_view name) {
  std::vector<JobEvent> out;
  for (const auto& e : events)
    if (e.kind == "metric" && e.body.at("name") == name.data()) out.push_back(e);
  return out;
}

TEST(Budget, ConformanceB01_CountersAreEchoedInJobAccepted) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "echo",
       .lease_request = json::object{{"cost.budget", json::array{"USD:5.00", "credits:1000"}}}});
  ASSERT_TRUE(job) << job.error().describe();
  ASSERT_TRUE(job->accepted().budget);
  EXPECT_EQ(json::serialize(*job->accepted().budget), R"({"USD":5,"credits":1000})");
  auto plain = client->submit({.agent = "echo"});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->accepted().budget);  // no cost.budget, no counters
}

// The spec's §13.5 flow with the conformance `budget` agent: 0.3 per call on
// USD 1.00 — the fifth call is refused; the metric itself never kills the job.
TEST(Budget, ConformanceB02_B03_B04_CostMetricsDecrementAndExhaustionIsAToolResult) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "budget",
                             .input = json::object{{"iterations", 8}, {"per_call", 0.3}},
                             .lease_request = budget_lease()});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBudgetExhausted);  // the agent's choice (on_exhausted=fail)
  EXPECT_FALSE(r.error().retryable);

  std::vector<std::string> trail;
  for (const auto& e : events) {
    if (e.kind == "tool_call") trail.push_back("call");
    if (e.kind == "tool_result")
      trail.push_back(e.body.contains("error")
                          ? std::string(e.body.at("error").at("code").as_string())
                          : "result");
    if (e.kind == "metric") trail.push_back(std::string(e.body.at("name").as_string()));
  }
  std::vector<std::string> want;
  for (int i = 0; i < 4; ++i)
    for (auto s : {"call", "result", "cost.search", "cost.budget.remaining"}) want.push_back(s);
  want.push_back("call");
  want.push_back("BUDGET_EXHAUSTED");
  EXPECT_EQ(trail, want);
  auto remaining = metrics_named(events, "cost.budget.remaining");
  ASSERT_EQ(remaining.size(), 4U);
  // Fixed point: exactly 0.7, 0.4, 0.1, -0.2 — no float drift.
  EXPECT_EQ(json::serialize(remaining[0].body.at("value")), "7E-1");
  std::vector<double> values;
  for (const auto& m : remaining) {
    values.push_back(m.body.at("value").to_number<double>());
    EXPECT_EQ(m.body.at("unit"), "USD");
  }
  EXPECT_EQ(values, (std::vector<double>{0.7, 0.4, 0.1, -0.2}));
}

TEST(Budget, ConformanceB03_TheAgentDecidesAfterExhaustion) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "budget",
                             .input = json::object{{"per_call", 0.3}, {"on_exhausted", "return"}},
                             .lease_request = budget_lease()});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(json::serialize(*r), R"({"calls":4,"exhausted":true})");
}

TEST(Budget, ConformanceB02_NegativeAndForgedCostMetricsAreRefused) {
  TestRuntime rt;
  std::vector<std::string> outcomes;
  ASSERT_TRUE(rt.runtime().register_agent("reports", [&](JobContext& ctx) -> Result<json::value> {
    for (auto r : {ctx.metric("cost.inference", -0.5, "USD"),
                   ctx.metric("cost.budget.remaining", 100, "USD"),
                   ctx.metric("cost.inference", 0.25, "EUR"),  // not budgeted: just a metric
                   ctx.metric("latency", 12, "ms"), ctx.metric("cost.inference", 0.25, "USD")})
      outcomes.emplace_back(r ? "ok" : to_string(r.error().code));
    return json::object{{"left", ctx.budget_remaining("USD").value_or(-1)}};
  }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "reports", .lease_request = budget_lease()});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  EXPECT_EQ(outcomes,
            (std::vector<std::string>{"INVALID_REQUEST", "INVALID_REQUEST", "ok", "ok", "ok"}));
  auto remaining = metrics_named(events, "cost.budget.remaining");
  ASSERT_EQ(remaining.size(), 1U);  // only the USD cost moved a counter
  EXPECT_EQ(remaining[0].body.at("value").to_number<double>(), 0.75);
  EXPECT_EQ(json::serialize(job->result().value()), R"({"left":7.5E-1})");
}

TEST(Budget, ConformanceB05_TenDimesSpendExactlyOneDollar) {
  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("dimes", [](JobContext& ctx) -> Result<json::value> {
    for (int i = 0; i < 10; ++i) (void)ctx.metric("cost.call", 0.1, "USD");
    auto next = ctx.call_tool("search.web", json::object{});
    return json::object{{"left", ctx.budget_remaining("USD").value_or(-1)},
                        {"next", next ? "ok" : to_string(next.error().code)}};
  }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "dimes", .lease_request = budget_lease()});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  // 1.00 − 10 × 0.1 is exactly zero, and zero is exhausted (≤ 0).
  EXPECT_EQ(json::serialize(job->result().value()), R"({"left":0E0,"next":"BUDGET_EXHAUSTED"})");
  auto remaining = metrics_named(events, "cost.budget.remaining");
  ASSERT_EQ(remaining.size(), 10U);
  EXPECT_EQ(json::serialize(remaining.back().body.at("value")), "0");
}

TEST(Budget, ConformanceB06_ConcurrentReservationsNeverOverspend) {
  TestRuntime rt;
  std::atomic<int> held{0};
  std::atomic<int> refused{0};
  ASSERT_TRUE(rt.runtime().register_agent("spender", [&](JobContext& ctx) -> Result<json::value> {
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          auto hold = ctx.reserve_budget("USD", 0.07);
          if (!hold) {
            ++refused;
            continue;
          }
          ++held;
          if (i % 3 == 0) {
            hold->release();  // some operations do not happen
            --held;
            continue;
          }
          (void)hold->commit(0.07, "cost.call");
        }
      });
    for (auto& t : threads) t.join();
    return json::object{{"left", ctx.budget_remaining("USD").value_or(-1)}};
  }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "spender", .lease_request = budget_lease()});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  // 1.00 / 0.07: at most 14 commits ever fit; the counter never goes below 0.
  EXPECT_EQ(held.load(), 14);
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(metrics_named(events, "cost.call").size(), 14U);
  for (const auto& m : metrics_named(events, "cost.budget.remaining"))
    EXPECT_GE(m.body.at("value").to_number<double>(), 0.0);
  EXPECT_NEAR(job->result()->at("left").to_number<double>(), 0.02, 1e-12);
}

TEST(Budget, ConformanceB07_ModelUseMatchesAndItsAbsenceFollowsPolicy) {
  auto run = [](TestRuntime& rt, json::object lease) {
    auto client = rt.connect_memory();
    auto job = client->submit({.agent = "models", .lease_request = std::move(lease)});
    EXPECT_TRUE(job);
    return json::serialize(job->result().value());
  };
  auto models = [](JobContext& ctx) -> Result<json::value> {
    json::object out;
    for (auto m : {"tier-fast/small", "anthropic/claude-3-haiku-20240307", "gpt-4.1"}) {
      auto r = ctx.use_model(m);
      out[m] = r ? "ok" : to_string(r.error().code);
    }
    return out;
  };
  TestRuntime strict;  // default: no model.use, no model
  ASSERT_TRUE(strict.runtime().register_agent("models", models));
  EXPECT_EQ(
      run(strict,
          json::object{{"model.use", json::array{"tier-fast/*", "anthropic/claude-3-haiku-*"}}}),
      R"({"tier-fast/small":"ok","anthropic/claude-3-haiku-20240307":"ok","gpt-4.1":"PERMISSION_DENIED"})");
  EXPECT_EQ(
      run(strict, json::object{}),
      R"({"tier-fast/small":"PERMISSION_DENIED","anthropic/claude-3-haiku-20240307":"PERMISSION_DENIED","gpt-4.1":"PERMISSION_DENIED"})");
  RuntimeOptions o = default_runtime_options();
  o.allow_models_without_lease = true;
  TestRuntime lenient(o);
  ASSERT_TRUE(lenient.runtime().register_agent("models", models));
  EXPECT_EQ(run(lenient, json::object{}),
            R"({"tier-fast/small":"ok","anthropic/claude-3-haiku-20240307":"ok","gpt-4.1":"ok"})");
  // A lease that names model.use is enforced even where the default is lenient.
  EXPECT_EQ(
      run(lenient, json::object{{"model.use", json::array{"gpt-*"}}}),
      R"({"tier-fast/small":"PERMISSION_DENIED","anthropic/claude-3-haiku-20240307":"PERMISSION_DENIED","gpt-4.1":"ok"})");
}

TEST(Budget, ConformanceU03_SubscribersAndListingsSeeTheLiveCounters) {
  TestRuntime rt;
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("spend-then-wait",
                                          [&latch](JobContext& ctx) -> Result<json::value> {
                                            (void)ctx.metric("cost.inference", 0.25, "USD");
                                            return latch.blocking_agent()(ctx);
                                          }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "spend-then-wait", .lease_request = budget_lease()});
  ASSERT_TRUE(job);
  ASSERT_TRUE(latch.wait_for_waiting(1));
  auto watcher = rt.connect_memory();
  auto sub = watcher->subscribe(job->job_id());
  ASSERT_TRUE(sub) << sub.error().describe();
  ASSERT_TRUE(sub->accepted().budget);
  EXPECT_EQ(json::serialize(*sub->accepted().budget), R"({"USD":7.5E-1})");
  auto pages = watcher->list_jobs();
  auto page = pages.next();
  ASSERT_TRUE(page && *page);
  bool seen = false;
  for (const auto& j : (*page)->jobs)
    if (j.job_id == job->job_id()) {
      seen = true;
      ASSERT_TRUE(j.budget);
      EXPECT_EQ(json::serialize(*j.budget), R"({"USD":7.5E-1})");
    }
  EXPECT_TRUE(seen);
  latch.open();
  EXPECT_TRUE(job->result());
}

}  // namespace
}  // namespace arcp::test
