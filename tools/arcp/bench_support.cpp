#include "bench_support.hpp"

#include <fmt/core.h>

#include <atomic>

namespace arcp::cli {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// Runs `n_jobs` chatty jobs of `per_job` log events concurrently; returns events/s.
Result<double> stream_events(Client& client, std::int64_t n_jobs, std::int64_t per_job) {
  std::atomic<std::int64_t> seen{0};
  std::vector<JobHandle> handles;
  auto start = Clock::now();
  for (std::int64_t j = 0; j < n_jobs; ++j) {
    SubmitOptions so;
    so.agent = "chatty";
    so.input = json::object{{"n", per_job}, {"kind", "log"}};
    auto h = client.submit(so);
    if (!h) return h.error();
    // Only the agent's log events: a runtime may add status events (back_pressure).
    h->on_event([&seen](const JobEvent& ev) {
      if (ev.kind == "log") seen.fetch_add(1, std::memory_order_relaxed);
    });
    handles.push_back(std::move(h.value()));
  }
  for (auto& h : handles)
    if (auto r = h.result(); !r) return r.error();
  double secs = seconds_since(start);
  if (seen.load() != n_jobs * per_job)
    return Error(ErrorCode::kInternalError,
                 fmt::format("saw {} events, expected {}", seen.load(), n_jobs * per_job));
  return static_cast<double>(seen.load()) / secs;
}

Result<std::pair<ChildProcess, std::string>> spawn_runtime(const std::string& token,
                                                           const std::vector<std::string>& extra) {
  // Warn level: an info line per job on the runtime's stderr would be part
  // of what is measured (the in-process runtime uses kWarn too).
  std::vector<std::string> argv{self_executable(),       "serve",   "--listen",
                                "ws://127.0.0.1:0/arcp", "--token", token + ":bench",
                                "--log-level",           "warn"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto child = ChildProcess::spawn(argv);
  if (!child || child->pid() <= 0) return Error(ErrorCode::kInternalError, "cannot spawn runtime");
  auto line = child->read_line();
  const std::string prefix = "listening on ";
  if (!line || line->rfind(prefix, 0) != 0)
    return Error(ErrorCode::kInternalError, "runtime did not start");
  std::string url = line->substr(prefix.size());
  return std::make_pair(std::move(*child), std::move(url));
}

}  // namespace arcp::cli
