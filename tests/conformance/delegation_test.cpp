// D01–D03 (§10, §9.4, v1.0 §10): a job delegating to a child inside its own
// authority — the delegate event, the child's acceptance, the subset rule
// at delegation time, budgets carved out of the parent's, children ending
// with their parent, and the caps on what one job may grow into.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>
#include <atomic>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

std::string in_one_hour() {
  return format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() + std::chrono::hours(1)));
}

json::object forever_child() {  // `slow` that only ends when stopped
  return json::object{{"ms", 3'600'000}, {"tick_ms", 3'600'000}};
}

std::vector<JobEvent> of_kind(const std::vector<JobEvent>& events, std::string_view kind) {
  std::vector<JobEvent> out;
  for (const auto& e : events)
    if (e.kind == kind) out.push_back(e);
  return out;
}

/// The one child a job delegated to (waits until its job.accepted arrived).
std::optional<JobHandle> only_child(JobHandle& parent) {
  std::optional<JobHandle> child;
  eventually([&] {
    auto c = parent.children();
    if (c.size() == 1) child = c.front();
    return c.size() == 1;
  });
  return child;
}

class Delegation : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<Client> connect(TestRuntime& rt) {
    if (GetParam() == "memory") return rt.connect_memory();
    ClientOptions opts;
    opts.token = "alice-token";
    auto c = Client::connect(rt.websocket_url(), opts);
    EXPECT_TRUE(c) << c.error().describe();
    return c ? *c : nullptr;
  }
};

// The spec's §13.2 flow: delegate event, the child's job.accepted with its
// back-references and the parent's trace, the child's events and result on
// the same session, and the parent returning the child's result.
TEST_P(Delegation, ConformanceD01_DelegateEventCreatesTheChildWithBackReferencesAndTrace) {
  TestRuntime rt;
  auto client = connect(rt);
  ASSERT_TRUE(client);
  std::string expires = in_one_hour();
  json::object child_input{{"greeting", "hi"}};
  auto parent = client->submit(
      {.agent = "delegator",
       .input = json::object{{"child", "echo"},
                             {"child_input", child_input},
                             {"child_lease", json::object{{"fs.read", json::array{"/tmp/a/**"}}}},
                             {"delegate_id", "d1"},
                             {"wait_ms", 0}},
       .lease_request = json::object{{"agent.delegate", json::array{"echo"}},
                                     {"fs.read", json::array{"/tmp/**"}}},
       .lease_constraints = json::object{{"expires_at", expires}}});
  ASSERT_TRUE(parent) << parent.error().describe();
  auto events = drain_events(*parent);
  auto result = parent->result();
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(*result, json::value(child_input));  // the child's result, via the parent

  auto delegates = of_kind(events, "delegate");
  ASSERT_EQ(delegates.size(), 1U);
  const auto& body = delegates[0].body;
  EXPECT_EQ(body.at("delegate_id"), "d1");
  EXPECT_EQ(body.at("agent"), "echo");
  EXPECT_EQ(body.at("input"), json::value(child_input));
  EXPECT_EQ(json::serialize(body.at("lease_request")), R"({"fs.read":["/tmp/a/**"]})");

  auto child = only_child(*parent);
  ASSERT_TRUE(child);
  const auto& acc = child->accepted();
  EXPECT_EQ(acc.parent_job_id, parent->job_id());
  EXPECT_EQ(acc.delegate_id, "d1");
  EXPECT_EQ(acc.trace_id, parent->accepted().trace_id);  // §10.3
  EXPECT_EQ(acc.agent, "echo@1.0.0");
  EXPECT_EQ(json::serialize(acc.lease), R"({"fs.read":["/tmp/a/**"]})");
  ASSERT_TRUE(acc.lease_constraints);  // the parent's expiry, inherited (min)
  EXPECT_EQ(acc.lease_constraints->at("expires_at"), json::value(expires));
  auto child_result = child->result();
  ASSERT_TRUE(child_result) << child_result.error().describe();
  EXPECT_EQ(*child_result, json::value(child_input));

  // list_jobs shows the relation.
  auto page = client->list_jobs_page({});
  ASSERT_TRUE(page) << page.error().describe();
  bool listed = false;
  for (const auto& j : page->jobs)
    if (j.job_id == child->job_id()) {
      listed = true;
      EXPECT_EQ(j.parent_job_id, parent->job_id());
    }
  EXPECT_TRUE(listed);
}

INSTANTIATE_TEST_SUITE_P(Transports, Delegation, ::testing::Values("memory", "websocket"),
                         [](const auto& info) { return info.param; });

// A parent refused once goes on, and its next, valid delegation succeeds.
TEST(DelegationRules, ConformanceD02_SubsetViolationIsAToolResultAndTheParentGoesOn) {
  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("retrying", [](JobContext& ctx) -> Result<json::value> {
    auto wide = ctx.delegate({.agent = "echo",
                              .lease_request = json::object{{"fs.read", json::array{"/**"}}},
                              .delegate_id = "d-wide"});
    if (wide) return Error(ErrorCode::kInternalError, "a wider lease was granted");
    auto narrow = ctx.delegate({.agent = "echo",
                                .input = json::object{{"n", 1}},
                                .lease_request = json::object{{"fs.read", json::array{"/tmp/x"}}},
                                .delegate_id = "d-narrow"});
    if (!narrow) return narrow.error();
    auto r = narrow->wait();
    if (!r) return r.error();
    return json::object{{"first", to_string(wide.error().code)}, {"second", *r}};
  }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "retrying",
                             .lease_request = json::object{{"agent.delegate", json::array{"*"}},
                                                           {"fs.read", json::array{"/tmp/**"}}}});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(json::serialize(*r), R"({"first":"LEASE_SUBSET_VIOLATION","second":{"n":1}})");

  auto results = of_kind(events, "tool_result");
  ASSERT_EQ(results.size(), 1U);  // only the refusal: an accepted delegation has none
  const auto& b = results[0].body;
  EXPECT_EQ(b.at("call_id"), "d-wide");
  EXPECT_EQ(b.at("error").at("code"), "LEASE_SUBSET_VIOLATION");
  EXPECT_EQ(b.at("error").at("retryable"), false);
  EXPECT_EQ(json::serialize(b.at("error").at("details").at("child")), R"({"fs.read":["/**"]})");
  EXPECT_TRUE(b.at("error").at("details").at("parent").as_object().contains("agent.delegate"));
  EXPECT_EQ(of_kind(events, "delegate").size(), 2U);
  EXPECT_EQ(job->children().size(), 1U);  // no child for the refused one
}

// The other ways a child could exceed its parent: a later expiry, a larger
// budget than the parent has left, a capability the parent lacks.
TEST(DelegationRules, ConformanceD02_ExpiryBudgetAndCapabilityBeyondTheParentAreRefused) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  std::string soon = in_one_hour();
  std::string later = format_rfc3339(std::chrono::system_clock::now() + std::chrono::hours(2));
  struct Case {
    std::string name;
    json::object child_lease;
    std::optional<json::object> child_constraints;
  };
  std::vector<Case> cases = {
      {"later expiry", {}, json::object{{"expires_at", later}}},
      {"budget beyond the parent's", json::object{{"cost.budget", json::array{"USD:2.00"}}}, {}},
      {"capability the parent lacks",
       json::object{{"net.fetch", json::array{"https://x.test/**"}}},
       {}},
  };
  for (const auto& c : cases) {
    json::object input{{"child", "echo"}, {"child_lease", c.child_lease}, {"wait_ms", 0}};
    if (c.child_constraints) input["child_constraints"] = *c.child_constraints;
    auto job =
        client->submit({.agent = "delegator",
                        .input = input,
                        .lease_request = json::object{{"agent.delegate", json::array{"echo"}},
                                                      {"cost.budget", json::array{"USD:1.00"}}},
                        .lease_constraints = json::object{{"expires_at", soon}}});
    ASSERT_TRUE(job) << c.name;
    auto r = job->result();
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code, ErrorCode::kLeaseSubsetViolation) << c.name;
    EXPECT_TRUE(job->children().empty()) << c.name;
  }
}

TEST(DelegationRules, ConformanceD03_WithoutAgentDelegateForTheChildItIsPermissionDenied) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  for (auto lease : {json::object{}, json::object{{"agent.delegate", json::array{"reader"}}}}) {
    auto job = client->submit({.agent = "delegator",
                               .input = json::object{{"child", "echo"}, {"wait_ms", 0}},
                               .lease_request = lease});
    ASSERT_TRUE(job);
    auto events = drain_events(*job);
    auto r = job->result();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
    auto results = of_kind(events, "tool_result");
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].body.at("call_id"), "d1");
    EXPECT_EQ(results[0].body.at("error").at("code"), "PERMISSION_DENIED");
    EXPECT_TRUE(job->children().empty());
  }
}

TEST(DelegationRules, AnUnknownChildAgentIsAToolResultError) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "delegator",
                             .input = json::object{{"child", "no-such-agent"}, {"wait_ms", 0}},
                             .lease_request = json::object{{"agent.delegate", json::array{"*"}}}});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAgentNotAvailable);
}

// Cancelling the parent ends the child (with its own job.error) and the
// parent's wait for it.
TEST(DelegationLifecycle, CancellingTheParentCancelsItsChildren) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  auto parent = client->submit(
      {.agent = "delegator",
       .input = json::object{{"child", "slow"}, {"child_input", forever_child()}, {"wait_ms", 0}},
       .lease_request = json::object{{"agent.delegate", json::array{"slow"}}}});
  ASSERT_TRUE(parent);
  auto child = only_child(*parent);
  ASSERT_TRUE(child);
  ASSERT_TRUE(parent->cancel("enough"));
  auto pr = parent->result();
  ASSERT_FALSE(pr);
  EXPECT_EQ(pr.error().code, ErrorCode::kCancelled);
  auto cr = child->result();
  ASSERT_FALSE(cr);
  EXPECT_EQ(cr.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(child->status(), JobStatus::kCancelled);
  EXPECT_EQ(cr.error().details.at("parent_job_id"), json::value(parent->job_id()));
}

// A parent that returns without waiting ends its still-running child: a
// child never outlives its parent.
TEST(DelegationLifecycle, AParentThatEndsEndsItsRunningChildren) {
  TestRuntime rt;
  std::atomic<bool> child_running{false};
  ASSERT_TRUE(rt.runtime().register_agent("quitter", [&](JobContext& ctx) -> Result<json::value> {
    auto child =
        ctx.delegate({.agent = "slow", .input = forever_child(), .lease_request = json::object{}});
    if (!child) return child.error();
    child_running = !child->done();
    return json::object{{"child", child->job_id()}};
  }));
  auto client = rt.connect_memory();
  auto parent = client->submit(
      {.agent = "quitter", .lease_request = json::object{{"agent.delegate", json::array{"*"}}}});
  ASSERT_TRUE(parent);
  ASSERT_TRUE(parent->result());
  EXPECT_TRUE(child_running);
  auto child = only_child(*parent);
  ASSERT_TRUE(child);
  auto cr = child->result();
  ASSERT_FALSE(cr);
  EXPECT_EQ(cr.error().code, ErrorCode::kCancelled);
}

// §10: a running child's budget is carved out of the parent's: a second
// child can have only what is left; what a child did not spend comes back
// when it ends, and what it spent is gone from the parent's too.
TEST(DelegationBudget, TheChildsBudgetIsCarvedFromTheParentsAndTheRestReturns) {
  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("spender", [](JobContext& ctx) -> Result<json::value> {
    auto budgeted = [](const char* amount) {
      return json::object{{"tool.call", json::array{"search.*"}},
                          {"cost.budget", json::array{amount}}};
    };
    auto holder = ctx.delegate(
        {.agent = "slow", .input = forever_child(), .lease_request = budgeted("USD:0.40")});
    if (!holder) return holder.error();
    auto too_much = ctx.delegate(
        {.agent = "slow", .input = forever_child(), .lease_request = budgeted("USD:0.70")});
    auto inherit = ctx.delegate({.agent = "slow", .input = forever_child()});
    if (!inherit) return inherit.error();
    json::value inherited = inherit->lease().at("cost.budget");
    holder->cancel();
    inherit->cancel();
    (void)holder->wait();
    (void)inherit->wait();
    double after_unspent = ctx.budget_remaining("USD").value_or(-1);
    auto spender = ctx.delegate({.agent = "budget",
                                 .input = json::object{{"iterations", 1}, {"per_call", 0.3}},
                                 .lease_request = budgeted("USD:0.40")});
    if (!spender) return spender.error();
    if (auto r = spender->wait(); !r) return r.error();
    return json::object{{"too_much", too_much ? "granted" : to_string(too_much.error().code)},
                        {"inherited", inherited},
                        {"after_unspent", after_unspent},
                        {"after_spent", ctx.budget_remaining("USD").value_or(-1)}};
  }));
  auto client = rt.connect_memory();
  auto job =
      client->submit({.agent = "spender",
                      .lease_request = json::object{{"agent.delegate", json::array{"*"}},
                                                    {"tool.call", json::array{"search.*"}},
                                                    {"cost.budget", json::array{"USD:1.00"}}}});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  const auto& o = r->as_object();
  EXPECT_EQ(o.at("too_much"), "LEASE_SUBSET_VIOLATION");  // 0.6 was free
  EXPECT_EQ(json::serialize(o.at("inherited")), R"(["USD:0.6"])");
  EXPECT_DOUBLE_EQ(o.at("after_unspent").to_number<double>(), 1.0);
  EXPECT_DOUBLE_EQ(o.at("after_spent").to_number<double>(), 0.7);
}

TEST(DelegationContext, ARawDelegateEventIsRefused) {
  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("raw", [](JobContext& ctx) -> Result<json::value> {
    auto r = ctx.emit("delegate", json::object{{"agent", "echo"}, {"delegate_id", "x"}});
    return json::value(r ? "sent" : std::string(to_string(r.error().code)));
  }));
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "raw", .lease_request = json::object{{"agent.delegate", json::array{"*"}}}});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  auto r = job->result();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "INVALID_REQUEST");
  EXPECT_TRUE(of_kind(events, "delegate").empty());
}

// §14: one job cannot grow without bound — running children per job and the
// depth of a delegation chain are capped, each with a coded refusal.
TEST(DelegationCaps, RunningChildrenPerJobAreCapped) {
  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("fanout", [](JobContext& ctx) -> Result<json::value> {
    std::vector<ChildJob> children;
    for (int i = 0; i < 100; ++i) {
      auto c = ctx.delegate({.agent = "slow", .input = forever_child()});
      if (!c)
        return json::object{{"started", children.size()},
                            {"code", to_string(c.error().code)},
                            {"limit", c.error().details.at("limit")}};
      children.push_back(*c);
    }
    return Error(ErrorCode::kInternalError, "no cap");
  }));
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "fanout", .lease_request = json::object{{"agent.delegate", json::array{"*"}}}});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(json::serialize(*r),
            R"({"started":64,"code":"INTERNAL_ERROR","limit":"max_children_per_job"})");
  // Every child ended with its parent.
  ASSERT_TRUE(eventually([&] {
    for (auto& c : job->children())
      if (!c.done()) return false;
    return job->children().size() == 64;
  }));
}

TEST(DelegationCaps, DelegationDepthIsCapped) {
  TestRuntime rt;
  // delegator → delegator → … nine deep; the ninth delegation is refused.
  json::object lease{{"agent.delegate", json::array{"*"}}};
  json::object input{{"child", "echo"}, {"wait_ms", 0}};
  for (int i = 0; i < 9; ++i)
    input = json::object{
        {"child", "delegator"}, {"child_input", input}, {"child_lease", lease}, {"wait_ms", 0}};
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "delegator", .input = input, .lease_request = lease});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_FALSE(r);  // the refusal travels up as each level's error
  EXPECT_EQ(r.error().code, ErrorCode::kInternalError);
  EXPECT_NE(r.error().message.find("depth"), std::string::npos) << r.error().message;
}

// The blocking forms, from a blocking agent.
TEST(DelegationContext, ABlockingAgentDelegatesAndWaits) {
  TestRuntime rt;
  ASSERT_TRUE(
      rt.runtime().register_agent("blocking_parent", [](JobContext& ctx) -> Result<json::value> {
        auto child = ctx.delegate(
            {.agent = "slow_blocking", .input = json::object{{"ms", 1}, {"tick_ms", 1}}});
        if (!child) return child.error();
        auto timed = child->wait(std::chrono::milliseconds(0));
        (void)timed;  // either way: a zero wait never blocks
        return child->wait();
      }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "blocking_parent",
                             .lease_request = json::object{{"agent.delegate", json::array{"*"}}}});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->at("ticks"), 1);
}

}  // namespace
}  // namespace arcp::test
