// Conformance agent `delegator` (§10), with the contract the other SDKs'
// test agents share.
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>

#include "runtime/agent_input.hpp"

namespace arcp::runtime {
namespace {

// delegator {child="echo", child_input, child_lease={}, child_constraints?,
// delegate_id="d1", wait_ms=200}: emits `delegate`, waits up to wait_ms for
// the child (0: until it ends) and returns its result. A refused delegation
// is returned as the job's error; a child still running when the wait ends
// is reported, and ends with this job.
Awaitable<Result<json::value>> delegator(JobContext& ctx) {
  const auto& in = input_object(ctx);
  DelegateRequest request;
  request.agent = string_param(in, "child", "echo");
  if (auto it = in.find("child_input"); it != in.end()) request.input = it->value();
  if (const auto* lease = get_object(in, "child_lease")) request.lease_request = *lease;
  if (const auto* c = get_object(in, "child_constraints")) request.lease_constraints = *c;
  request.delegate_id = string_param(in, "delegate_id", "d1");
  auto wait_ms = int_param(in, "wait_ms", 200, 3'600'000);
  if (!wait_ms) co_return wait_ms.error();

  // Named first: GCC 12 destroys temporaries inside a co_await expression twice.
  auto delegating = ctx.async_delegate(std::move(request));
  auto child = co_await std::move(delegating);
  if (!child) co_return child.error();
  auto timeout = *wait_ms > 0 ? std::chrono::milliseconds(*wait_ms) : ChildJob::kForever;
  auto waiting = child->async_wait(timeout);
  auto outcome = co_await std::move(waiting);
  if (!outcome && !child->done() && !ctx.cancelled())
    co_return json::object{{"child_job_id", child->job_id()},
                           {"delegate_id", child->delegate_id()},
                           {"status", "running"}};
  co_return outcome;
}

}  // namespace

Result<void> register_delegator_agent(Runtime& rt) {
  return rt.register_agent("delegator", delegator);
}

}  // namespace arcp::runtime
