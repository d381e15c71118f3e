// The in-memory store: maps under one mutex. Event frames are shared with the
// sessions that sent them, so keeping them costs a pointer, not a copy.
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "store/store.hpp"

namespace arcp::store {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

bool matches(const JobRecord& j, const JobQuery& q) {
  if (!q.principal.empty() && j.principal != q.principal) return false;
  if (!q.statuses.empty() &&
      std::find(q.statuses.begin(), q.statuses.end(), j.status) == q.statuses.end())
    return false;
  if (!q.agent.empty()) {
    bool exact = q.agent.find('@') != std::string::npos;
    if (exact ? j.agent != q.agent : j.agent.substr(0, j.agent.find('@')) != q.agent) return false;
  }
  if (j.created_ms <= q.created_after_ms || j.created_ms >= q.created_before_ms) return false;
  if (q.after && std::make_pair(j.created_ms, j.id) <= *q.after) return false;
  return true;
}

class MemoryStore final : public Store {
 public:
  bool append(EventRecord record, const std::shared_ptr<DurableSink>&) override {
    std::lock_guard lock(mu_);
    logs_[record.session_id].push_back(std::move(record));
    return true;
  }

  std::vector<EventRecord> read_events(const std::string& session_id, std::int64_t after_seq,
                                       std::size_t limit) override {
    std::vector<EventRecord> out;
    std::lock_guard lock(mu_);
    auto it = logs_.find(session_id);
    if (it == logs_.end()) return out;
    const auto& log = it->second;
    auto from = std::upper_bound(log.begin(), log.end(), after_seq,
                                 [](std::int64_t s, const EventRecord& r) { return s < r.seq; });
    for (; from != log.end() && out.size() < limit; ++from) out.push_back(*from);
    return out;
  }

  std::vector<EventRecord> read_job_events(const std::string& session_id, const std::string& job_id,
                                           std::int64_t after_seq) override {
    std::vector<EventRecord> out;
    std::lock_guard lock(mu_);
    auto it = logs_.find(session_id);
    if (it == logs_.end()) return out;
    for (const auto& r : it->second)
      if (r.seq > after_seq && r.job_id == job_id) out.push_back(r);
    return out;
  }

  std::vector<EventRecord> scan_events(const EventScan& scan) override {
    std::vector<EventRecord> out;
    std::lock_guard lock(mu_);
    for (const auto& [sid, log] : logs_) {
      if (!scan.session_id.empty() && sid != scan.session_id) continue;
      for (const auto& r : log) {
        if (out.size() >= scan.limit) return out;
        if (r.seq <= scan.after_seq) continue;
        if (!scan.job_id.empty() && r.job_id != scan.job_id) continue;
        if (scan.after && std::make_pair(sid, r.seq) <= *scan.after) continue;
        out.push_back(r);
      }
    }
    return out;
  }

  std::pair<std::int64_t, std::int64_t> seq_range(const std::string& session_id) override {
    std::lock_guard lock(mu_);
    auto it = logs_.find(session_id);
    if (it == logs_.end() || it->second.empty()) return {0, 0};
    return {it->second.front().seq, it->second.back().seq};
  }

  void trim_events(const std::string& session_id, std::int64_t upto_seq) override {
    std::lock_guard lock(mu_);
    auto it = logs_.find(session_id);
    if (it == logs_.end()) return;
    auto& log = it->second;
    while (!log.empty() && log.front().seq <= upto_seq) log.pop_front();
  }

  void save_session(const SessionRecord& record) override {
    std::lock_guard lock(mu_);
    sessions_[record.id] = record;
  }
  std::optional<SessionRecord> load_session(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<SessionRecord> load_sessions() override {
    std::lock_guard lock(mu_);
    std::vector<SessionRecord> out;
    for (const auto& [id, s] : sessions_) out.push_back(s);
    return out;
  }
  void delete_session(const std::string& id) override {
    std::lock_guard lock(mu_);
    sessions_.erase(id);
    logs_.erase(id);
  }

  void save_job(const JobRecord& record) override {
    std::lock_guard lock(mu_);
    auto [it, inserted] = jobs_.try_emplace(record.id, record);
    if (!inserted) {
      by_created_.erase({it->second.created_ms, it->second.id});
      it->second = record;
    }
    by_created_.insert({record.created_ms, record.id});
  }
  std::optional<JobRecord> load_job(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<JobRecord> list_jobs(const JobQuery& q) override {
    std::lock_guard lock(mu_);
    std::vector<JobRecord> out;
    auto it = q.after ? by_created_.upper_bound(*q.after) : by_created_.begin();
    for (; it != by_created_.end() && out.size() < q.limit; ++it) {
      const auto& j = jobs_.at(it->second);
      if (matches(j, q)) out.push_back(j);
    }
    return out;
  }
  std::vector<JobRecord> unfinished_jobs() override {
    std::lock_guard lock(mu_);
    std::vector<JobRecord> out;
    for (const auto& [id, j] : jobs_)
      if (j.finished_ms == 0) out.push_back(j);
    return out;
  }
  void delete_job(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    by_created_.erase({it->second.created_ms, id});
    jobs_.erase(it);
  }
  std::vector<std::string> jobs_finished_before(std::int64_t cutoff_ms) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [id, j] : jobs_)
      if (j.finished_ms != 0 && j.finished_ms <= cutoff_ms) out.push_back(id);
    return out;
  }

  void save_idempotency(const IdempotencyRecord& record) override {
    std::lock_guard lock(mu_);
    keys_[{record.principal, record.key}] = record;
  }
  std::vector<IdempotencyRecord> load_idempotency_keys() override {
    std::lock_guard lock(mu_);
    std::vector<IdempotencyRecord> out;
    for (const auto& [k, r] : keys_) out.push_back(r);
    return out;
  }
  void delete_idempotency_before(std::int64_t cutoff_ms) override {
    std::lock_guard lock(mu_);
    std::erase_if(keys_, [&](const auto& kv) { return kv.second.created_ms <= cutoff_ms; });
  }

  void save_credential(const CredentialRecord& record) override {
    std::lock_guard lock(mu_);
    credentials_[record.id] = record;
  }
  void delete_credential(const std::string& id) override {
    std::lock_guard lock(mu_);
    credentials_.erase(id);
  }
  std::vector<CredentialRecord> load_credentials() override {
    std::lock_guard lock(mu_);
    std::vector<CredentialRecord> out;
    for (const auto& [id, r] : credentials_) out.push_back(r);
    return out;
  }

  void flush() override {}
  std::optional<Error> failure() const override { return std::nullopt; }  // memory cannot fail
  StoreStats stats() override {
    std::lock_guard lock(mu_);
    StoreStats s;
    for (const auto& [id, log] : logs_) s.events += log.size();
    s.sessions = sessions_.size();
    s.jobs = jobs_.size();
    s.idempotency_keys = keys_.size();
    s.credentials = credentials_.size();
    return s;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<EventRecord>> logs_;
  std::map<std::string, SessionRecord> sessions_;
  std::map<std::string, JobRecord> jobs_;
  std::set<std::pair<std::int64_t, std::string>> by_created_;
  std::map<std::pair<std::string, std::string>, IdempotencyRecord> keys_;
  std::map<std::string, CredentialRecord> credentials_;
};

}  // namespace

std::shared_ptr<Store> make_memory_store() {
  return std::make_shared<MemoryStore>();
}

}  // namespace arcp::store
