// Internal: the runtime's side of §9.8 — credentials issued through a
// provisioner under a durable ledger, revoked with retries, and whatever a
// dead process left revoked at the next start (§14 revocation reliability).
//
// Ledger discipline: a row is durable before a value is handed out, and is
// deleted only once the upstream confirmed the revocation. A revocation that
// keeps failing stays as `revoke_failed`, is logged once (never the value),
// and is retried from the runtime's sweep and after a restart.
#pragma once

#include <arcp/credentials.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace arcp::runtime {

/// One live issuance a job holds.
struct HeldCredential {
  Credential credential;    // with its value
  std::string issuance_id;  // the ledger row: `cred_…`, `cred_…#n` after n rotations
  std::string revoke_handle;
  int generation = 0;
  std::string traceparent;  // the job span's, for the revoke span (§11)
};

struct CredentialPolicy {
  /// Revocation attempts before a credential is kept as revoke_failed, and
  /// the waits between them (the last repeats).
  int revoke_attempts = 4;
  std::vector<std::chrono::milliseconds> backoff{std::chrono::milliseconds(50),
                                                 std::chrono::milliseconds(200),
                                                 std::chrono::milliseconds(800)};
  /// Outstanding credentials (ledger rows, failed revocations included) per
  /// principal; an issue beyond it is refused (§14).
  std::size_t max_per_principal = 1024;
};

class CredentialManager : public std::enable_shared_from_this<CredentialManager> {
 public:
  /// Runs a task off the I/O threads on behalf of `principal` (the blocking pool).
  using Run = std::function<void(const std::string& principal, std::function<void()> task)>;
  /// One operator log line (JSON); never given a value or a master key.
  using Log = std::function<void(const std::string& line)>;

  CredentialManager(std::shared_ptr<CredentialProvisioner> provisioner,
                    std::shared_ptr<store::Store> store, Run run, Log log,
                    CredentialPolicy policy = {});

  std::string provisioner_name() const { return provisioner_->name(); }

  /// Told of every issue and revocation outcome (`op` "issue" or "revoke";
  /// `error` empty on success) for metrics, logs and audit: the ledger row,
  /// never a value. Set before the manager is used.
  using Observer = std::function<void(
      std::string_view op, bool ok, const store::CredentialRecord& row, const std::string& error)>;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

  // ---- blocking: never on an I/O thread ----
  /// Ledger row first (durable), then the upstream; the row goes again when
  /// the upstream refuses. Errors are INTERNAL_ERROR naming no secret.
  Result<HeldCredential> issue(const CredentialRequest& request);
  /// A new value for `current` (same credential id, next generation); the
  /// caller revokes `current` once the new one is in use.
  Result<HeldCredential> reissue(const HeldCredential& current, CredentialRequest request);
  /// Revokes with retries. True once the upstream confirmed (the row is
  /// gone); false when it is kept as revoke_failed (logged).
  bool revoke(const HeldCredential& held);
  /// Startup: revokes every row a previous process left, whatever its
  /// state. Returns how many are still outstanding (logged).
  std::size_t recover();

  // ---- asynchronous: on the pool; `done` runs there ----
  void issue_async(CredentialRequest request, std::function<void(Result<HeldCredential>)> done);
  void revoke_async(const std::string& principal, std::vector<HeldCredential> held,
                    std::function<void()> done);
  /// One pass over revoke_failed rows (the runtime's sweep); at most one at a time.
  void retry_failed_async();

  /// Shutdown: new issues are refused, and revocations in flight get up to
  /// `timeout` to finish their retries; a retry that would wait past it is
  /// not made (what is not revoked stays in the ledger for the next start).
  /// False when some work was still running at the deadline.
  bool shutdown(std::chrono::milliseconds timeout);

  /// Outstanding ledger rows, as this process knows them.
  std::size_t outstanding() const;

 private:
  enum class Outcome { kRevoked, kTransient, kPermanent, kBusy };
  /// One attempt, or up to the policy's attempts with their waits. A
  /// failure keeps the row as revoke_failed; the first one is logged unless
  /// `quiet_failure`.
  Outcome revoke_row(const std::string& id, bool retry, bool quiet_failure);
  Result<HeldCredential> issue_row(const CredentialRequest& request);
  void begin_task();
  void end_task();
  void save(const store::CredentialRecord& row);
  void erase_row(const std::string& id);

  std::shared_ptr<CredentialProvisioner> provisioner_;
  std::shared_ptr<store::Store> store_;
  Run run_;
  Log log_;
  Observer observer_;
  void observe(std::string_view op, bool ok, const store::CredentialRecord& row,
               const std::string& error = {}) const {
    if (observer_) observer_(op, ok, row, error);
  }
  CredentialPolicy policy_;

  mutable std::mutex mu_;  // a leaf: nothing is called out while it is held
  std::condition_variable cv_;
  std::map<std::string, store::CredentialRecord> rows_;  // the ledger, mirrored
  std::map<std::string, std::size_t> per_principal_;
  std::set<std::string> revoking_;  // rows a revocation is working on now
  std::size_t in_flight_ = 0;       // asynchronous tasks queued or running
  bool stopping_ = false;
  std::optional<std::chrono::steady_clock::time_point> deadline_;  // set by shutdown
  bool retrying_ = false;
};

}  // namespace arcp::runtime
