// §10 delegation on the runtime side: a parent's `delegate` checked against
// its authority, and the child created, accepted and started.
#include <arcp/agent_ref.hpp>
#include <arcp/delegated_lease.hpp>
#include <arcp/ids.hpp>
#include <arcp/job_messages.hpp>

#include "runtime/credential_manager.hpp"
#include "runtime/job_credentials.hpp"
#include "runtime/job_span.hpp"
#include "runtime/runtime_impl.hpp"

namespace arcp {
namespace {

using runtime::Job;

// Bounds on what one submitted job may grow into (§14).
constexpr std::size_t kMaxDelegationDepth = 8;
constexpr std::size_t kMaxLiveChildrenPerJob = 64;

Error subset_violation(Error e, const json::object& child, const json::object& parent) {
  // The TypeScript reference shape: both leases, for the parent to decide.
  e.details["child"] = child;
  e.details["parent"] = parent;
  return e;
}

// Each budget the child holds is reserved out of the parent's remaining
// counters until the child ends (Job::settle_carved_budget_locked).
Result<std::vector<runtime::JobSpec::CarvedBudget>> carve_budget(Job& parent,
                                                                 const json::object& child_lease) {
  std::vector<runtime::JobSpec::CarvedBudget> carved;
  auto child_budget = BudgetCounters::from_lease(child_lease);
  for (const auto& [currency, amount] : child_budget.to_json()) {
    auto nano = child_budget.remaining(currency).value_or(0);
    auto hold = parent.budget().reserve(currency, nano);
    if (!hold) {
      for (const auto& c : carved) parent.budget().release(c.hold);
      return hold.error();
    }
    carved.push_back({std::string(currency), *hold, nano});
  }
  return carved;
}

}  // namespace

Result<std::shared_ptr<Job>> Runtime::Impl::delegate(const std::shared_ptr<Job>& parent,
                                                     const DelegateRequest& request) {
  const auto& ps = parent->spec();
  if (auto ok = parent->may_act(); !ok) return ok.error();
  // As for a submit: no job starts whose events cannot be persisted, nor
  // during shutdown.
  if (auto failure = store->failure())
    return Error(ErrorCode::kInternalError, failure->message + "; no new jobs are accepted");
  {
    std::lock_guard lock(mu);
    if (shutting_down) return Error(ErrorCode::kInternalError, "the runtime is shutting down");
  }
  auto ref = parse_agent_ref(request.agent);
  if (!ref) return ref.error();
  // §9.1: agent.delegate patterns are agent names.
  if (auto allowed = ps.compiled_lease.check("agent.delegate", ref->name); !allowed)
    return allowed.error();
  if (auto b = parent->budget().check(); !b) return b.error();
  if (ps.depth + 1 > kMaxDelegationDepth)
    return Error(ErrorCode::kInternalError,
                 "delegation depth limit reached (" + std::to_string(kMaxDelegationDepth) + ")",
                 json::object{{"limit", "max_delegation_depth"}, {"cap", kMaxDelegationDepth}});
  if (!ref->version.empty() && !ps.features.has(feature::kAgentVersions))
    return Error(ErrorCode::kInvalidRequest,
                 "pinned agent versions need the 'agent_versions' feature");
  auto agent = agents.resolve(*ref);
  if (!agent) return agent.error();
  if (auto room = parent->room_for_child(kMaxLiveChildrenPerJob); !room) return room.error();

  // §9.4 at delegation time: covered patterns, budgets within what the
  // parent has left, expiry no later than the parent's.
  auto requested = CompiledLease::compile(request.lease_request, services->fs_base_dir);
  if (!requested) return requested.error();
  std::optional<SystemTime> child_expires;
  if (request.lease_constraints) {
    if (const auto* exp = get_string(*request.lease_constraints, "expires_at")) {
      child_expires = parse_rfc3339(*exp);
      if (!child_expires)
        return Error(ErrorCode::kInvalidRequest,
                     "lease_constraints.expires_at is not an RFC 3339 time");
    }
  }
  auto derived =
      delegate_lease(ps.compiled_lease, parent->budget(), ps.expires_at, *requested, child_expires);
  if (!derived) return subset_violation(derived.error(), request.lease_request, ps.lease);
  auto compiled = CompiledLease::compile(derived->lease, services->fs_base_dir);
  if (!compiled) return compiled.error();

  auto session = parent->submitter();
  if (!session) return Error(ErrorCode::kInternalError, "the parent's session is gone");
  // A child is a job like any other under the caps (§14).
  if (!session->try_reserve_job_slot(opts.max_concurrent_jobs_per_session))
    return Error(ErrorCode::kInternalError,
                 "concurrent job limit reached (" +
                     std::to_string(opts.max_concurrent_jobs_per_session) + " per session)",
                 json::object{{"limit", "max_concurrent_jobs_per_session"},
                              {"cap", opts.max_concurrent_jobs_per_session}});
  if (!quotas.try_start_job(ps.principal)) {
    session->release_job_slot();
    return Error(
        ErrorCode::kInternalError,
        "concurrent job limit reached (" + std::to_string(quotas.max_jobs()) +
            " per principal, across its sessions)",
        json::object{{"limit", "max_concurrent_jobs_per_principal"}, {"cap", quotas.max_jobs()}});
  }
  auto carved = carve_budget(*parent, derived->lease);
  if (!carved) {
    session->release_job_slot();
    quotas.end_job(ps.principal);
    return carved.error();
  }

  runtime::JobSpec spec;
  spec.id = new_id("job");
  spec.agent_ref = agent->ref();
  spec.agent = std::move(agent.value());
  spec.principal = ps.principal;
  spec.input = request.input;
  spec.lease = compiled->json();
  spec.compiled_lease = std::move(compiled.value());
  spec.services = services;
  spec.expires_at = derived->expires_at;
  if (request.lease_constraints || derived->expires_at) {
    json::object constraints = request.lease_constraints.value_or(json::object());
    if (derived->expires_at) constraints["expires_at"] = format_rfc3339(*derived->expires_at);
    spec.lease_constraints = std::move(constraints);
  }
  spec.trace_id = ps.trace_id;  // §10.3: one trace across the delegation tree
  runtime::stamp_created(spec);
  spec.max_runtime = request.max_runtime;
  spec.features = ps.features;
  spec.cancel_grace = opts.cancel_grace;
  spec.parent_job_id = ps.id;
  spec.delegate_id = request.delegate_id;
  spec.depth = ps.depth + 1;
  spec.parent = parent;
  spec.carved_budget = std::move(carved.value());
  // §11: the child's span is a child of the parent job's, in its trace.
  spec.span = runtime::start_job_span(spec, session->id(), ps.span.traceparent());

  // §9.8.2 (X06): a parent that holds a credential gets its child one of its
  // own, minted from the child's (narrower) lease and budget; the child's
  // ending revokes it like any job's. Issued here, on the delegating
  // agent's thread or the blocking pool, never an I/O thread.
  if (credentials && !parent->credentials().empty()) {
    auto issued = credentials->issue(runtime::credential_request(
        spec, new_id("cred"), runtime::budget_amounts(BudgetCounters::from_lease(spec.lease))));
    if (!issued) {
      for (const auto& c : spec.carved_budget) parent->budget().release(c.hold);
      session->release_job_slot();
      quotas.end_job(ps.principal);
      return issued.error();
    }
    spec.credentials.push_back(std::move(issued.value()));
  }

  auto child = make_job(std::move(spec), session);
  // The value goes to the submitting session only (§9.8.2); this is it.
  session->send_control(msg::kAccepted, child->accepted_payload_for(*session), child->spec().id,
                        child->spec().trace_id);
  if (auto adopted = parent->adopt_child(child, kMaxLiveChildrenPerJob); !adopted) {
    // The parent stopped meanwhile (or has too many children): the child
    // ends before it starts, its outcome recorded like any job's.
    child->end_for_parent(ps.id, adopted.error().message);
    return adopted.error();
  }
  child->arm_timers();
  start_job(child);
  return child;
}

}  // namespace arcp
