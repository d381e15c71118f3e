// job.submit (§7.1, §7.2 idempotency) and job.cancel (§7.4).
#include <arcp/agent_ref.hpp>
#include <arcp/ids.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/lease.hpp>

#include "runtime/connection_handler.hpp"
#include "runtime/job_span.hpp"
#include "runtime/job_view.hpp"

namespace arcp::runtime {
namespace {

/// Canonical text of the parameters that define "the same submission" (§7.2).
std::string submit_fingerprint(const SubmitRequest& s) {
  json::object o{{"agent", s.agent}, {"input", s.input}, {"lease_request", s.lease_request}};
  if (s.lease_constraints) o["lease_constraints"] = *s.lease_constraints;
  if (s.max_runtime_sec) o["max_runtime_sec"] = *s.max_runtime_sec;
  return json::serialize(o);
}

/// `requested` narrowed to `ceiling_json` (v1.0 §7.1: never widened).
Result<CompiledLease> narrow_to(Runtime::Impl& rt, const json::object& ceiling_json,
                                const CompiledLease& requested, std::string_view whose) {
  auto ceiling = CompiledLease::compile(ceiling_json, rt.services->fs_base_dir);
  if (!ceiling)
    return Error(ErrorCode::kInternalError,
                 std::string(whose) + " lease ceiling is invalid: " + ceiling.error().message);
  return CompiledLease::compile(ceiling->narrow(requested), rt.services->fs_base_dir);
}

/// The requested lease narrowed to the principal's ceiling (runtime policy)
/// and to the authenticated identity's own (e.g. a JWT claim), if any.
Result<std::optional<CompiledLease>> narrow_to_ceiling(
    Runtime::Impl& rt, const std::string& principal,
    const std::optional<json::object>& identity_ceiling, const CompiledLease& requested) {
  std::optional<CompiledLease> effective;
  if (rt.opts.lease_ceiling)
    if (auto policy = rt.opts.lease_ceiling(principal)) {
      auto narrowed = narrow_to(rt, *policy, requested, "the runtime's");
      if (!narrowed) return narrowed.error();
      effective = std::move(narrowed.value());
    }
  if (identity_ceiling) {
    auto narrowed =
        narrow_to(rt, *identity_ceiling, effective ? *effective : requested, "the token's");
    if (!narrowed) return narrowed.error();
    effective = std::move(narrowed.value());
  }
  return effective;
}

}  // namespace

void ConnectionHandler::handle_submit(Runtime::Impl& rt, Envelope& env) {
  // A job whose events cannot be persisted must not start (persist before send).
  if (auto failure = rt.store->failure())
    return session_->send_error(
        Error(ErrorCode::kInternalError, failure->message + "; no new jobs are accepted"), env.id);
  auto submit = SubmitRequest::from_json(env.payload, std::chrono::system_clock::now());
  if (!submit) return session_->send_error(submit.error(), env.id);
  const auto& features = session_->features();
  if (submit->lease_constraints && submit->lease_constraints->contains("expires_at") &&
      !features.has(feature::kLeaseExpiresAt))
    return session_->send_error(
        Error(ErrorCode::kInvalidRequest,
              "lease_constraints.expires_at needs the 'lease_expires_at' feature"),
        env.id);
  for (std::string_view cap : {"cost.budget", "model.use"})
    if (submit->lease_request.contains(cap) && !features.has(cap))
      return session_->send_error(
          Error(ErrorCode::kInvalidRequest,
                "lease capability '" + std::string(cap) + "' is not negotiated on this session"),
          env.id);

  auto ref = parse_agent_ref(submit->agent);
  if (!ref->version.empty() && !features.has(feature::kAgentVersions))
    return session_->send_error(Error(ErrorCode::kInvalidRequest,
                                      "pinned agent versions need the 'agent_versions' feature"),
                                env.id);
  auto agent = rt.agents.resolve(*ref);
  if (!agent) return session_->send_error(agent.error(), env.id);
  // Every pattern compiled once, before acceptance: a lease that cannot be
  // enforced is refused, never accepted and ignored.
  auto compiled = CompiledLease::compile(submit->lease_request, rt.services->fs_base_dir);
  if (!compiled) return session_->send_error(compiled.error(), env.id);
  if (auto narrowed = narrow_to_ceiling(rt, session_->principal(), identity_ceiling_, *compiled);
      !narrowed)
    return session_->send_error(narrowed.error(), env.id);
  else if (*narrowed)
    compiled = std::move(**narrowed);

  std::string fingerprint;
  bool reserved_key = false;
  auto unreserve_key = [&] {
    if (!reserved_key) return;
    std::lock_guard lock(rt.mu);
    rt.issuing_keys.erase({session_->principal(), submit->idempotency_key});
  };
  if (!submit->idempotency_key.empty()) {
    fingerprint = submit_fingerprint(*submit);
    std::string existing_id;
    std::shared_ptr<Job> live;
    {
      std::lock_guard lock(rt.mu);
      auto key = std::make_pair(session_->principal(), submit->idempotency_key);
      if (rt.issuing_keys.count(key))  // its first submit is still being accepted (§9.8)
        return session_->send_error(
            Error(ErrorCode::kInternalError,
                  "a submit with this idempotency_key is still being accepted; retry"),
            env.id);
      auto it = rt.idempotency.find(key);
      auto window_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(rt.opts.idempotency_window).count();
      if (it != rt.idempotency.end() && store::wall_ms() - it->second.created_ms > window_ms)
        it = (rt.idempotency.erase(it), rt.idempotency.end());
      if (it != rt.idempotency.end()) {
        if (it->second.fingerprint != fingerprint) {
          json::object det{{"existing_job_id", it->second.job_id}};
          return session_->send_error(
              Error(ErrorCode::kDuplicateKey, "idempotency_key reused with different parameters",
                    det),
              env.id);
        }
        existing_id = it->second.job_id;
        if (auto j = rt.jobs.find(existing_id); j != rt.jobs.end()) live = j->second;
      } else {
        // Reserved in the same critical section as the check, so a second
        // submit with this key (another connection) cannot start a second
        // job: accept_job turns the reservation into the key's entry.
        rt.issuing_keys.insert(key);
        reserved_key = true;
      }
    }
    if (live) {
      session_->send_control(msg::kAccepted, live->accepted_payload_for(*session_), live->spec().id,
                             live->spec().trace_id);
      live->add_observer(session_);
      return;
    }
    if (!existing_id.empty()) {
      // Finished (possibly before a restart): replay acceptance and outcome.
      if (auto rec = rt.store->load_job(existing_id); rec && !rec->terminal_type.empty()) {
        session_->send_control(msg::kAccepted, accepted_of(*rec), rec->id, rec->trace_id);
        session_->deliver_event(rec->terminal_type, rec->id, rec->trace_id, rec->terminal_payload);
        return;
      }
    }
  }

  if (!session_->try_reserve_job_slot(rt.opts.max_concurrent_jobs_per_session)) {
    unreserve_key();
    return session_->send_error(
        Error(ErrorCode::kInternalError,
              "concurrent job limit reached (" +
                  std::to_string(rt.opts.max_concurrent_jobs_per_session) + " per session)",
              json::object{{"limit", "max_concurrent_jobs_per_session"},
                           {"cap", rt.opts.max_concurrent_jobs_per_session}}),
        env.id);
  }
  if (!rt.quotas.try_start_job(session_->principal())) {
    session_->release_job_slot();
    unreserve_key();
    return session_->send_error(
        Error(ErrorCode::kInternalError,
              "concurrent job limit reached (" + std::to_string(rt.quotas.max_jobs()) +
                  " per principal, across its sessions)",
              json::object{{"limit", "max_concurrent_jobs_per_principal"},
                           {"cap", rt.quotas.max_jobs()}}),
        env.id);
  }

  JobSpec spec;
  spec.id = new_id("job");
  spec.agent_ref = agent->ref();
  spec.agent = std::move(agent.value());
  spec.principal = session_->principal();
  spec.input = std::move(submit->input);
  spec.lease = compiled->json();  // the effective lease
  spec.compiled_lease = std::move(compiled.value());
  spec.services = rt.services;
  spec.lease_constraints = submit->lease_constraints;
  if (spec.lease_constraints)
    if (const auto* exp = get_string(*spec.lease_constraints, "expires_at"))
      spec.expires_at = parse_rfc3339(*exp);
  spec.trace_id = env.trace_id.empty() ? new_trace_id() : env.trace_id;
  stamp_created(spec);
  spec.span = start_job_span(spec, session_->id(), env.traceparent);  // §11
  if (submit->max_runtime_sec) spec.max_runtime = std::chrono::seconds(*submit->max_runtime_sec);
  spec.features = features;
  spec.cancel_grace = rt.opts.cancel_grace;
  if (rt.credentials && features.has(feature::kProvisionedCredentials))
    return issue_then_accept(rt, std::move(spec), submit->idempotency_key, fingerprint, env.id);
  accept_job(rt, std::move(spec), submit->idempotency_key, fingerprint);
}

void ConnectionHandler::accept_job(Runtime::Impl& rt, JobSpec spec,
                                   const std::string& idempotency_key,
                                   const std::string& fingerprint) {
  auto job = rt.make_job(std::move(spec), session_);
  if (!idempotency_key.empty()) {
    store::IdempotencyRecord key{session_->principal(), idempotency_key, fingerprint,
                                 job->spec().id, store::wall_ms()};
    std::lock_guard lock(rt.mu);
    rt.idempotency[{key.principal, key.key}] = {key.fingerprint, key.job_id, key.created_ms};
    rt.issuing_keys.erase({key.principal, key.key});  // the reservation becomes the entry
    rt.store->save_idempotency(key);
  }
  session_->send_control(msg::kAccepted, job->accepted_payload_for(*session_), job->spec().id,
                         job->spec().trace_id);
  rt.log(LogLevel::kInfo, "job.accepted",
         json::object{{"job_id", job->spec().id},
                      {"agent", job->spec().agent_ref},
                      {"principal", job->spec().principal},
                      {"session_id", session_->id()}});
  job->arm_timers();
  rt.start_job(job);
}

void ConnectionHandler::handle_cancel(Runtime::Impl& rt, Envelope& env) {
  auto cancel = Cancel::from_json(env.payload, env.job_id);
  if (!cancel) return session_->send_error(cancel.error(), env.id);
  const std::string& job_id = cancel->job_id;
  // Who cancelled which job, and what came of it (§14 audit trail).
  auto audit = [&](std::string_view outcome, const std::string& owner) {
    rt.audit_event("job.cancel", json::object{{"canceller", session_->principal()},
                                              {"session_id", session_->id()},
                                              {"job_id", job_id},
                                              {"job_principal",
                                               owner.empty() ? json::value() : json::value(owner)},
                                              {"outcome", outcome}});
  };
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(rt.mu);
    auto it = rt.jobs.find(job_id);
    if (it != rt.jobs.end()) job = it->second;
  }
  auto not_found = [&] {
    session_->send_error(
        Error(ErrorCode::kJobNotFound, "job not found", json::object{{"job_id", job_id}}), env.id);
  };
  if (!job) {
    auto rec = rt.store->load_job(job_id);
    if (!rec || !rt.may_observe(session_->principal(), rec->principal)) {
      audit(rec ? "denied" : "not_found", rec ? rec->principal : std::string());
      return not_found();
    }
    audit("already_ended", rec->principal);
    return session_->send_error(
        Error(ErrorCode::kInvalidRequest, "job already ended",
              json::object{{"job_id", job_id}, {"final_status", rec->status}}),
        env.id);
  }
  // Jobs a principal may not observe are invisible: same answer as a missing job.
  if (!rt.may_observe(session_->principal(), job->spec().principal)) {
    audit("denied", job->spec().principal);
    return not_found();
  }
  if (!job->is_submitter(*session_)) {
    audit("not_submitter", job->spec().principal);
    return session_->send_error(
        Error(ErrorCode::kPermissionDenied, "only the submitting session may cancel a job",
              json::object{{"job_id", job_id}}),
        env.id);
  }
  auto r = job->cancel(*session_, cancel->reason);
  audit(r ? "cancelled" : "already_ended", job->spec().principal);
  if (r) {
    rt.log(LogLevel::kInfo, "job.cancel",
           json::object{{"job_id", job_id}, {"principal", session_->principal()}});
  } else {
    session_->send_error(r.error(), env.id);
  }
}

}  // namespace arcp::runtime
