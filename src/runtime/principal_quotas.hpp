// Internal: per-principal caps (§14) — sessions attached at once and jobs not
// yet ended, across all of a principal's sessions — so one principal can
// never exhaust what every other principal shares. A leaf lock: nothing is
// called while it is held.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace arcp::runtime {

class PrincipalQuotas {
 public:
  PrincipalQuotas(std::size_t max_sessions, std::size_t max_jobs)
      : max_sessions_(max_sessions), max_jobs_(max_jobs) {}

  std::size_t max_sessions() const { return max_sessions_; }
  std::size_t max_jobs() const { return max_jobs_; }

  /// Takes one attached-session slot; false at the cap.
  bool try_attach(const std::string& principal) {
    return take(principal, &Use::sessions, max_sessions_);
  }
  void detach(const std::string& principal) { give_back(principal, &Use::sessions); }
  /// Takes one running-job slot; false at the cap.
  bool try_start_job(const std::string& principal) {
    return take(principal, &Use::jobs, max_jobs_);
  }
  void end_job(const std::string& principal) { give_back(principal, &Use::jobs); }

  /// Principals with anything counted (the map's size is bounded by them).
  std::size_t tracked_principals() const {
    std::lock_guard lock(mu_);
    return use_.size();
  }

 private:
  struct Use {
    std::size_t sessions = 0;
    std::size_t jobs = 0;
  };
  bool take(const std::string& principal, std::size_t Use::*field, std::size_t cap) {
    std::lock_guard lock(mu_);
    auto& u = use_[principal];
    if (u.*field >= cap) {
      if (u.sessions == 0 && u.jobs == 0) use_.erase(principal);
      return false;
    }
    ++(u.*field);
    return true;
  }
  void give_back(const std::string& principal, std::size_t Use::*field) {
    std::lock_guard lock(mu_);
    auto it = use_.find(principal);
    if (it == use_.end() || it->second.*field == 0) return;
    --(it->second.*field);
    if (it->second.sessions == 0 && it->second.jobs == 0) use_.erase(it);
  }

  const std::size_t max_sessions_;
  const std::size_t max_jobs_;
  mutable std::mutex mu_;
  std::map<std::string, Use> use_;  // only principals holding a slot
};

}  // namespace arcp::runtime
