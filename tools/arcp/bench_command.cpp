// `arcp bench`: end-to-end throughput and latency, over loopback WebSocket
// against a runtime in a second process, and in-memory in one process.
#include <fmt/core.h>

#include <algorithm>
#include <arcp/client.hpp>
#include <arcp/conformance_agents.hpp>
#include <arcp/ids.hpp>
#include <arcp/runtime.hpp>
#include <atomic>
#include <chrono>

#include "bench_baseline.hpp"
#include "child_process.hpp"
#include "commands.hpp"

namespace arcp::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
  std::int64_t events = 100000;
  std::int64_t jobs = 8;
  std::int64_t per_job = 12500;
  std::int64_t submits = 1000;
  std::string transport = "both";
  std::string url;  // bench an already running runtime instead of spawning one
  std::string token = "bench-token";
  bool baseline = false;
};

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
    h->on_event([&seen](const JobEvent&) { seen.fetch_add(1, std::memory_order_relaxed); });
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

struct Latency {
  double p50_us = 0, p99_us = 0;
};

Result<Latency> submit_latency(Client& client, std::int64_t count) {
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    SubmitOptions so;
    so.agent = "echo";
    so.input = json::object{{"i", i}};
    auto t = Clock::now();
    auto h = client.submit(so);
    us.push_back(seconds_since(t) * 1e6);
    if (!h) return h.error();
    if (auto r = h->result(); !r) return r.error();
  }
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<std::size_t>(q * us.size()))];
  };
  return Latency{at(0.50), at(0.99)};
}

int run_suite(const std::string& label, Client& client, const BenchArgs& a) {
  auto one = stream_events(client, 1, a.events);
  if (!one) return fmt::print(stderr, "{}: {}\n", label, one.error().describe()), 1;
  fmt::print("{:<10} 1 job × {} log events        {:>12.0f} events/s\n", label, a.events,
             one.value());
  auto many = stream_events(client, a.jobs, a.per_job);
  if (!many) return fmt::print(stderr, "{}: {}\n", label, many.error().describe()), 1;
  fmt::print("{:<10} {} jobs × {} log events      {:>12.0f} events/s\n", label, a.jobs, a.per_job,
             many.value());
  auto lat = submit_latency(client, a.submits);
  if (!lat) return fmt::print(stderr, "{}: {}\n", label, lat.error().describe()), 1;
  fmt::print("{:<10} {} sequential submits       p50 {:>7.1f} µs   p99 {:>7.1f} µs\n", label,
             a.submits, lat->p50_us, lat->p99_us);
  return 0;
}

int bench(const BenchArgs& a) {
  int rc = 0;
  double ws_rate = 0;
  if (a.transport == "ws" || a.transport == "both") {
    std::optional<ChildProcess> child;
    std::string url = a.url;
    if (url.empty()) {
      child.emplace(ChildProcess::spawn({self_executable(), "serve", "--listen",
                                         "ws://127.0.0.1:0/arcp", "--token", a.token + ":bench"})
                        .value_or(ChildProcess::failed()));
      if (child->pid() <= 0) return fmt::print(stderr, "bench: cannot spawn runtime\n"), 1;
      auto line = child->read_line();
      const std::string prefix = "listening on ";
      if (!line || line->rfind(prefix, 0) != 0)
        return fmt::print(stderr, "bench: runtime did not start\n"), 1;
      url = line->substr(prefix.size());
    }
    ClientOptions co;
    co.token = a.token;
    auto client = Client::connect(url, co);
    if (!client) return fmt::print(stderr, "bench: {}\n", client.error().describe()), 1;
    fmt::print("WebSocket, runtime in a second process ({})\n", url);
    rc |= run_suite("websocket", **client, a);
    auto one = stream_events(**client, 1, a.events);
    if (one) ws_rate = one.value();
    (void)(*client)->close();
  }
  if (a.transport == "memory" || a.transport == "both") {
    RuntimeOptions ro;
    ro.tokens = {{"bench-token", "bench"}};
    Runtime rt(ro);
    (void)register_conformance_agents(rt);
    auto [client_side, runtime_side] = make_memory_pair();
    rt.serve(runtime_side);
    ClientOptions co;
    co.token = "bench-token";
    auto client = Client::connect(client_side, co);
    if (!client) return fmt::print(stderr, "bench: {}\n", client.error().describe()), 1;
    fmt::print("In-memory transport, one process\n");
    rc |= run_suite("memory", **client, a);
    (void)(*client)->close();
  }
  if (a.baseline) {
    // Same frame size as one of our log events on the wire.
    Envelope sample;
    sample.id = new_id("msg");
    sample.type = "job.event";
    sample.session_id = new_id("sess");
    sample.job_id = new_id("job");
    sample.trace_id = new_trace_id();
    sample.event_seq = 12345;
    sample.payload =
        json::object{{"kind", "log"},
                     {"ts", now_rfc3339()},
                     {"body", json::object{{"level", "info"}, {"message", "event 12345/100000"}}}};
    std::size_t bytes = encode_envelope(sample).size();
    double bare = bare_websocket_frames_per_sec(static_cast<std::size_t>(a.events), bytes);
    fmt::print("baseline   bare Beast WebSocket, {} frames × {} B  {:>12.0f} frames/s\n", a.events,
               bytes, bare);
    if (ws_rate > 0)
      fmt::print("ratio      bare / arcp (1 job, websocket)      {:>12.2f}×\n", bare / ws_rate);
  }
  return rc;
}

}  // namespace

void add_bench_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Measure events/s and submit latency end to end");
  cmd->add_option("--events", a->events, "Events streamed by the single job")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--jobs", a->jobs, "Concurrent jobs in the fan-in run")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--per-job", a->per_job, "Events per job in the fan-in run")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--submits", a->submits, "Sequential submits for the latency run")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--transport", a->transport, "ws, memory or both")
      ->check(CLI::IsMember({"ws", "memory", "both"}));
  cmd->add_option("--url", a->url,
                  "Bench a running runtime (ws:// or wss://) instead of spawning one");
  cmd->add_option("--token", a->token, "Bearer token for --url");
  cmd->add_flag("--baseline", a->baseline,
                "Also measure bare Beast WebSocket streaming of the same frame size");
  cmd->callback([a, &run] { run = [a] { return bench(*a); }; });
}

}  // namespace arcp::cli
