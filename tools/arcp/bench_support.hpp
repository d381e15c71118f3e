// Shared pieces of `arcp bench`: options, timing, a spawned runtime, and the
// streaming measurement.
#pragma once

#include <arcp/client.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"
#include "tls_client_flags.hpp"

namespace arcp::cli {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
  std::int64_t events = 100000;
  std::int64_t jobs = 8;
  std::int64_t per_job = 12500;
  std::int64_t submits = 1000;
  std::string transport = "both";
  std::string url;  // bench an already running runtime instead of spawning one
  std::string token = "bench-token";
  TlsClientFlags tls;  // for --url
  bool baseline = false;
  bool durable = false;
  std::int64_t replay_events = 100000;
  std::int64_t sessions = 10000;
  // --concurrency: agents at scale
  bool concurrency = false;
  std::int64_t waiting_jobs = 10000;
  std::int64_t bench_sessions = 100;
  double wait_sec = 2;
  std::int64_t cancel_jobs = 1000;
  std::int64_t runs = 3;
};

double seconds_since(Clock::time_point t);

/// Runs `n_jobs` chatty jobs of `per_job` log events concurrently; returns events/s.
Result<double> stream_events(Client& client, std::int64_t n_jobs, std::int64_t per_job);

/// `arcp serve` in a child process on a free port: the child and its URL.
Result<std::pair<ChildProcess, std::string>> spawn_runtime(const std::string& token,
                                                           const std::vector<std::string>& extra);

/// `arcp bench --durable`.
int bench_durable(const BenchArgs& a);

/// `arcp bench --concurrency`.
int bench_concurrency(const BenchArgs& a);

}  // namespace arcp::cli
