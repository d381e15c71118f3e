#include "runtime/credential_manager.hpp"

#include <algorithm>
#include <arcp/time.hpp>
#include <exception>

#include "otel/tracing.hpp"

namespace arcp::runtime {
namespace {

constexpr std::string_view kIssuing = "issuing";
constexpr std::string_view kIssued = "issued";
constexpr std::string_view kRevokeFailed = "revoke_failed";

// A provisioner that throws is a failed call, never a dead pool thread.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternalError,
                 std::string("credential provisioner threw: ") + e.what());
  } catch (...) {
    return Error(ErrorCode::kInternalError, "credential provisioner threw");
  }
}

Error issue_error(const std::string& provisioner, const Error& cause) {
  // INTERNAL_ERROR, retryable: the submit may succeed later (§12).
  return Error(ErrorCode::kInternalError,
               "credential provisioner '" + provisioner +
                   "' could not issue the job's credential: " + cause.message,
               json::object{{"provisioner", provisioner}});
}

}  // namespace

CredentialManager::CredentialManager(std::shared_ptr<CredentialProvisioner> provisioner,
                                     std::shared_ptr<store::Store> store, Run run, Log log,
                                     CredentialPolicy policy)
    : provisioner_(std::move(provisioner)),
      store_(std::move(store)),
      run_(std::move(run)),
      log_(std::move(log)),
      policy_(std::move(policy)) {
  if (policy_.backoff.empty()) policy_.backoff.emplace_back(0);
}

void CredentialManager::save(const store::CredentialRecord& row) {
  store_->save_credential(row);
}

void CredentialManager::erase_row(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    auto it = rows_.find(id);
    if (it == rows_.end()) return;
    auto count = per_principal_.find(it->second.principal);
    if (count != per_principal_.end() && --count->second == 0) per_principal_.erase(count);
    rows_.erase(it);
  }
  store_->delete_credential(id);
}

// §11: issue and revoke spans in the job's trace. Their attributes name the
// credential and its provisioner, never its value.
Result<HeldCredential> CredentialManager::issue(const CredentialRequest& request) {
  auto span = otel::start_span("arcp.credential.issue", otel::SpanKind::kInternal,
                               otel::parent_or(request.traceparent, request.trace_id));
  if (span) {
    span.set("arcp.job_id", request.job_id);
    span.set("arcp.credential.id", request.issuance_id);
    span.set("arcp.credential.provisioner", provisioner_->name());
  }
  auto held = issue_row(request);
  if (!held) span.set_error(to_string(held.error().code));
  if (held) held->traceparent = request.traceparent;
  return held;
}

Result<HeldCredential> CredentialManager::issue_row(const CredentialRequest& request) {
  const std::string name = provisioner_->name();
  store::CredentialRecord row;
  row.id = request.issuance_id;
  row.job_id = request.job_id;
  row.principal = request.principal;
  row.provisioner = name;
  row.revoke_handle = request.issuance_id;  // revocable by it until the upstream says otherwise
  row.state = std::string(kIssuing);
  row.issued_ms = row.updated_ms = store::wall_ms();
  {
    std::unique_lock lock(mu_);
    if (stopping_) {
      lock.unlock();
      observe("issue", false, row, "the runtime is shutting down");
      return Error(ErrorCode::kInternalError, "the runtime is shutting down; no credential issued");
    }
    auto& count = per_principal_[request.principal];
    // A rotation replaces a live credential: only new credentials count against the cap.
    bool rotation = request.issuance_id != request.credential_id;
    if (!rotation && count >= policy_.max_per_principal) {
      if (count == 0) per_principal_.erase(request.principal);
      lock.unlock();
      observe("issue", false, row, "max_credentials_per_principal");
      return Error(ErrorCode::kInternalError,
                   "outstanding credential limit reached (" +
                       std::to_string(policy_.max_per_principal) +
                       " per principal, failed revocations included)",
                   json::object{{"limit", "max_credentials_per_principal"},
                                {"cap", policy_.max_per_principal}});
    }
    if (!rows_.emplace(row.id, row).second)
      return Error(ErrorCode::kInternalError, "credential '" + row.id + "' was already issued");
    ++count;
  }
  // The ledger knows of the credential before the upstream mints it: a crash
  // from here on leaves a row that the next start revokes.
  save(row);
  store_->flush();
  if (auto failure = store_->failure()) {
    erase_row(row.id);
    observe("issue", false, row, failure->message);
    return issue_error(name, *failure);
  }
  auto issued = guarded([&]() -> Result<IssuedCredential> { return provisioner_->issue(request); });
  if (issued && issued->credential.value.empty())
    issued = Error(ErrorCode::kInternalError, "it returned an empty value");
  if (!issued) {
    erase_row(row.id);
    observe("issue", false, row, issued.error().message);
    return issue_error(name, issued.error());
  }
  row.state = std::string(kIssued);
  bool handle_changed =
      !issued->revoke_handle.empty() && issued->revoke_handle != row.revoke_handle;
  if (handle_changed) row.revoke_handle = issued->revoke_handle;
  {
    std::lock_guard lock(mu_);
    rows_[row.id] = row;
  }
  save(row);
  if (handle_changed) store_->flush();  // the value goes out only once it can be revoked
  observe("issue", true, row);
  HeldCredential held;
  held.credential = std::move(issued->credential);
  held.credential.id = request.credential_id;
  held.issuance_id = row.id;
  held.revoke_handle = row.revoke_handle;
  return held;
}

Result<HeldCredential> CredentialManager::reissue(const HeldCredential& current,
                                                  CredentialRequest request) {
  int generation = current.generation + 1;
  request.credential_id = current.credential.id;
  request.issuance_id = current.credential.id + "#" + std::to_string(generation);
  auto held = issue(request);
  if (held) held->generation = generation;
  return held;
}

bool CredentialManager::revoke(const HeldCredential& held) {
  auto span =
      otel::start_span("arcp.credential.revoke", otel::SpanKind::kInternal, held.traceparent);
  if (span) {
    span.set("arcp.credential.id", held.issuance_id);
    span.set("arcp.credential.provisioner", provisioner_->name());
  }
  bool revoked =
      revoke_row(held.issuance_id, /*retry=*/true, /*quiet_failure=*/false) == Outcome::kRevoked;
  if (!revoked) span.set_error(to_string(ErrorCode::kInternalError));
  return revoked;
}

CredentialManager::Outcome CredentialManager::revoke_row(const std::string& id, bool retry,
                                                         bool quiet_failure) {
  store::CredentialRecord row;
  {
    std::lock_guard lock(mu_);
    auto it = rows_.find(id);
    if (it == rows_.end()) return Outcome::kRevoked;          // nothing outstanding
    if (!revoking_.insert(id).second) return Outcome::kBusy;  // another pass is on it
    row = it->second;
  }
  int attempts = retry ? std::max(1, policy_.revoke_attempts) : 1;
  Error last;
  bool revoked = false;
  int made = 0;
  while (made < attempts) {
    ++made;
    auto r = guarded([&]() -> Result<void> { return provisioner_->revoke(row.revoke_handle); });
    if (r) {
      revoked = true;
      break;
    }
    last = r.error();
    if (!last.retryable || made == attempts) break;
    auto wait = policy_.backoff[std::min<std::size_t>(static_cast<std::size_t>(made) - 1,
                                                      policy_.backoff.size() - 1)];
    // A retry that would come after the shutdown deadline is left to the next start.
    auto until = std::chrono::steady_clock::now() + wait;
    std::unique_lock lock(mu_);
    if (cv_.wait_until(lock, until, [&] { return deadline_ && *deadline_ < until; })) {
      last.message += "; not retried past the runtime's shutdown, retried at the next start";
      break;
    }
  }
  if (revoked) {
    {
      std::lock_guard lock(mu_);
      revoking_.erase(id);
    }
    erase_row(id);
    observe("revoke", true, row);
    if (row.state == kRevokeFailed)
      log_(json::serialize(json::object{{"event", "credential.revoked"},
                                        {"at", now_rfc3339()},
                                        {"credential_id", id},
                                        {"job_id", row.job_id},
                                        {"principal", row.principal},
                                        {"provisioner", row.provisioner},
                                        {"attempts", row.attempts + made}}));
    return Outcome::kRevoked;
  }
  bool first_failure = row.state != kRevokeFailed;
  row.state = std::string(kRevokeFailed);
  row.attempts += made;
  row.last_error = last.message;
  row.updated_ms = store::wall_ms();
  {
    std::lock_guard lock(mu_);
    revoking_.erase(id);
    if (auto it = rows_.find(id); it != rows_.end()) it->second = row;
  }
  save(row);
  store_->flush();  // an operator reading the ledger (`arcp creds`) sees it
  observe("revoke", false, row, row.last_error);
  if (first_failure && !quiet_failure)
    log_(json::serialize(json::object{{"event", "credential.revoke_failed"},
                                      {"at", now_rfc3339()},
                                      {"credential_id", id},
                                      {"job_id", row.job_id},
                                      {"principal", row.principal},
                                      {"provisioner", row.provisioner},
                                      {"attempts", row.attempts},
                                      {"error", row.last_error},
                                      {"retry", "from the sweep and at the next start"}}));
  return last.retryable ? Outcome::kTransient : Outcome::kPermanent;
}

std::size_t CredentialManager::recover() {
  auto rows = store_->load_credentials();
  {
    std::lock_guard lock(mu_);
    for (const auto& r : rows) {
      if (rows_.emplace(r.id, r).second) ++per_principal_[r.principal];
    }
  }
  // Everything here was left by a process that died or stopped before
  // revoking it. When the upstream fails transiently, the rest waits for the
  // sweep instead of holding up the start one row at a time.
  bool upstream_down = false;
  for (const auto& r : rows) {
    if (!upstream_down) {
      auto outcome = revoke_row(r.id, /*retry=*/true, /*quiet_failure=*/true);
      upstream_down = outcome == Outcome::kTransient;
      continue;
    }
    auto row = r;
    row.state = std::string(kRevokeFailed);
    row.last_error = "not attempted at startup: the upstream was failing";
    row.updated_ms = store::wall_ms();
    {
      std::lock_guard lock(mu_);
      rows_[row.id] = row;
    }
    save(row);
  }
  store_->flush();
  std::size_t left = outstanding();
  if (!rows.empty())
    log_(json::serialize(json::object{{"event", "credential.recover"},
                                      {"at", now_rfc3339()},
                                      {"found", rows.size()},
                                      {"revoked", rows.size() - left},
                                      {"outstanding", left},
                                      {"provisioner", provisioner_->name()}}));
  return left;
}

void CredentialManager::begin_task() {
  std::lock_guard lock(mu_);
  ++in_flight_;
}

void CredentialManager::end_task() {
  {
    std::lock_guard lock(mu_);
    --in_flight_;
  }
  cv_.notify_all();
}

void CredentialManager::issue_async(CredentialRequest request,
                                    std::function<void(Result<HeldCredential>)> done) {
  begin_task();
  auto principal = request.principal;
  run_(principal,
       [self = shared_from_this(), request = std::move(request), done = std::move(done)] {
         done(self->issue(request));
         self->end_task();
       });
}

void CredentialManager::revoke_async(const std::string& principal, std::vector<HeldCredential> held,
                                     std::function<void()> done) {
  begin_task();
  run_(principal, [self = shared_from_this(), held = std::move(held), done = std::move(done)] {
    for (const auto& h : held) self->revoke(h);
    done();
    self->end_task();
  });
}

void CredentialManager::retry_failed_async() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mu_);
    if (retrying_ || stopping_) return;
    for (const auto& [id, row] : rows_)
      if (row.state == kRevokeFailed && !revoking_.count(id)) ids.push_back(id);
    if (ids.empty()) return;
    retrying_ = true;
    ++in_flight_;
  }
  run_({}, [self = shared_from_this(), ids = std::move(ids)] {
    // One attempt each; a transient failure ends the pass (the upstream is
    // likely down), the next sweep tries again.
    for (const auto& id : ids) {
      auto outcome = self->revoke_row(id, /*retry=*/false, /*quiet_failure=*/true);
      std::lock_guard lock(self->mu_);
      if (outcome == Outcome::kTransient || self->stopping_) break;
    }
    {
      std::lock_guard lock(self->mu_);
      self->retrying_ = false;
    }
    self->end_task();
  });
}

bool CredentialManager::shutdown(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  stopping_ = true;
  deadline_ = std::chrono::steady_clock::now() + timeout;
  cv_.notify_all();  // a wait that would outlast the deadline ends now
  return cv_.wait_until(lock, *deadline_, [&] { return in_flight_ == 0; });
}

std::size_t CredentialManager::outstanding() const {
  std::lock_guard lock(mu_);
  return rows_.size();
}

}  // namespace arcp::runtime
