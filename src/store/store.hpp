// Internal: the runtime's durable state — session event logs, sessions (with
// hashed resume tokens), job records, idempotency keys and the credential
// ledger. Two
// implementations: memory (tests, embedding) and SQLite (`arcp serve`).
#pragma once

#include <arcp/connection.hpp>
#include <arcp/error.hpp>
#include <arcp/log.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace arcp::store {

/// One seq-bearing envelope of a session's stream, exactly as sent.
struct EventRecord {
  std::string session_id;
  std::int64_t seq = 0;
  std::string job_id;
  Frame frame;
};

struct SessionRecord {
  std::string id;
  std::string principal;
  std::string features;    // JSON array text of the negotiated features
  std::string token_hash;  // hex SHA-256 of the current resume token; never the token
  std::int64_t next_seq = 1;
  std::int64_t updated_ms = 0;  // wall clock of the last attach/detach
};

struct JobRecord {
  std::string id;
  std::string principal;
  std::string session_id;  // the submitting session
  std::string agent;       // resolved name@version
  std::string status;      // §7.3 status string
  std::string trace_id;
  std::string parent_job_id;
  std::string created_at;  // RFC 3339 as sent in job.accepted
  std::int64_t created_ms = 0;
  std::int64_t finished_ms = 0;  // 0 while running
  std::int64_t last_event_seq = 0;
  std::string accepted;  // job.accepted payload (JSON text)
  std::string terminal_type;
  std::string terminal_payload;  // JSON text
  /// Live budget counters (JSON text) while the job runs in this process;
  /// not persisted (a finished job's listing omits them).
  std::string budget;
};

struct JobQuery {
  std::string principal;  // empty = every principal (the caller's policy decided)
  std::vector<std::string> statuses;
  std::string agent;  // `name` matches every version; `name@version` exactly
  std::int64_t created_after_ms = std::numeric_limits<std::int64_t>::min();
  std::int64_t created_before_ms = std::numeric_limits<std::int64_t>::max();
  /// Keyset cursor: rows strictly after (created_ms, id) in that order.
  std::optional<std::pair<std::int64_t, std::string>> after;
  std::size_t limit = 100;
};

struct IdempotencyRecord {
  std::string principal;
  std::string key;
  std::string fingerprint;
  std::string job_id;
  std::int64_t created_ms = 0;
};

/// One outstanding provisioned credential (§9.8, §14 revocation
/// reliability): a row exists from before its value is handed out until the
/// upstream confirmed its revocation. Never the value: only what revokes it.
struct CredentialRecord {
  std::string id;  // the issuance id: `cred_…`, `cred_…#n` for the n-th rotation
  std::string job_id;
  std::string principal;
  std::string provisioner;    // CredentialProvisioner::name()
  std::string revoke_handle;  // not secret
  std::string state;          // "issuing" | "issued" | "revoke_failed"
  std::int64_t attempts = 0;  // revocation attempts so far
  std::string last_error;
  std::int64_t issued_ms = 0;
  std::int64_t updated_ms = 0;
};

/// A scan over every session's log (for offline inspection), ordered by
/// (session_id, seq); empty filters match everything.
struct EventScan {
  std::string session_id;
  std::string job_id;
  std::int64_t after_seq = 0;  // within each session
  /// Keyset cursor: rows strictly after (session_id, seq).
  std::optional<std::pair<std::string, std::int64_t>> after;
  std::size_t limit = 1000;
};

/// Told when appended events are persisted (in seq order per session), or
/// that they never will be.
class DurableSink {
 public:
  virtual ~DurableSink() = default;
  virtual void on_durable(std::int64_t seq) = 0;
  /// Events from `first_lost_seq` on could not be persisted and never will
  /// be: nothing from there may be sent. Runs on the store's writer thread.
  virtual void on_store_failure(std::int64_t first_lost_seq, const Error& error) = 0;
};

struct StoreStats {
  std::size_t events = 0;
  std::size_t sessions = 0;
  std::size_t jobs = 0;
  std::size_t idempotency_keys = 0;
  std::size_t credentials = 0;  // outstanding credential ledger rows
};

class Store {
 public:
  virtual ~Store() = default;

  /// Appends one event. True when it is durable on return; otherwise
  /// `sink->on_durable(seq)` runs on the store's writer thread once committed.
  virtual bool append(EventRecord record, const std::shared_ptr<DurableSink>& sink) = 0;
  /// Events of `session_id` with seq > `after_seq`, ascending, at most `limit`.
  virtual std::vector<EventRecord> read_events(const std::string& session_id,
                                               std::int64_t after_seq, std::size_t limit) = 0;
  /// Events of one job in the log of `session_id` with seq > `after_seq`.
  virtual std::vector<EventRecord> read_job_events(const std::string& session_id,
                                                   const std::string& job_id,
                                                   std::int64_t after_seq) = 0;
  virtual std::vector<EventRecord> scan_events(const EventScan& scan) = 0;
  /// Lowest and highest retained seq of a session (0,0 when none).
  virtual std::pair<std::int64_t, std::int64_t> seq_range(const std::string& session_id) = 0;
  /// Frees events with seq ≤ `upto_seq` (acknowledged or evicted).
  virtual void trim_events(const std::string& session_id, std::int64_t upto_seq) = 0;

  virtual void save_session(const SessionRecord& record) = 0;
  virtual std::optional<SessionRecord> load_session(const std::string& id) = 0;
  virtual std::vector<SessionRecord> load_sessions() = 0;
  /// Forgets a session and its event log.
  virtual void delete_session(const std::string& id) = 0;

  virtual void save_job(const JobRecord& record) = 0;
  virtual std::optional<JobRecord> load_job(const std::string& id) = 0;
  /// Ordered by (created_ms, id) ascending.
  virtual std::vector<JobRecord> list_jobs(const JobQuery& query) = 0;
  virtual std::vector<JobRecord> unfinished_jobs() = 0;
  virtual void delete_job(const std::string& id) = 0;
  /// Ids of jobs that finished at or before `cutoff_ms`.
  virtual std::vector<std::string> jobs_finished_before(std::int64_t cutoff_ms) = 0;

  virtual void save_idempotency(const IdempotencyRecord& record) = 0;
  virtual std::vector<IdempotencyRecord> load_idempotency_keys() = 0;
  virtual void delete_idempotency_before(std::int64_t cutoff_ms) = 0;

  /// The credential ledger. save_credential inserts or replaces; like every
  /// write it is durable once flush() returns.
  virtual void save_credential(const CredentialRecord& record) = 0;
  virtual void delete_credential(const std::string& id) = 0;
  virtual std::vector<CredentialRecord> load_credentials() = 0;

  /// Waits until everything appended so far is durable (or failed).
  virtual void flush() = 0;
  /// True while writes are queued beyond the store's bound: a blocking
  /// caller would wait in append(); an event-loop thread is let through
  /// instead, and its agent waits on this (JobContext::async_writable).
  virtual bool congested() const { return false; }
  /// Set once a write failed for good (after retries): from then on nothing
  /// more is persisted and every append is reported failed. Empty: healthy.
  virtual std::optional<Error> failure() const = 0;
  virtual StoreStats stats() = 0;
  /// True when what is written survives the process (a crash included):
  /// the condition for advertising provisioned credentials (§14).
  virtual bool durable() const { return false; }
};

std::shared_ptr<Store> make_memory_store();

/// Store operations the SQLite store times (SqliteOptions::on_timing).
enum class TimedOp { kCommit, kReadEvents, kLoad, kList };

struct SqliteOptions {
  /// FULL survives power loss; NORMAL (default) survives process crashes,
  /// including kill -9, in WAL mode.
  bool synchronous_full = false;
  /// Upper bound on events committed in one transaction.
  std::size_t max_batch = 4096;
  /// Writes queued beyond this block the appender until the disk catches
  /// up — except on an event-loop thread, which never blocks (its coroutine
  /// agents wait on congested() instead).
  std::size_t max_queue = 65536;
  /// Opens an existing store for reading only (`arcp tail` beside a live runtime).
  bool read_only = false;
  /// Attempts per transaction before the store is declared failed; retries
  /// back off 10 ms, 40 ms, 160 ms... (a busy or briefly full disk clears).
  int commit_attempts = 4;
  /// Tests only: runs inside every transaction before COMMIT; a throw fails it.
  std::function<void()> before_commit;
  /// Where commit failures and damaged chunks are reported; null: stderr.
  std::shared_ptr<const Logger> logger;
  /// Told how long each group commit (one per batch) and each read took;
  /// called on the store's threads, so it must be cheap (metrics).
  std::function<void(TimedOp op, std::chrono::nanoseconds took)> on_timing;
};

/// Opens (creating if needed) `<dir>/arcp.db`.
Result<std::shared_ptr<Store>> open_sqlite_store(const std::string& dir,
                                                 SqliteOptions options = {});

/// Wall clock in milliseconds since the epoch.
std::int64_t wall_ms();

}  // namespace arcp::store
