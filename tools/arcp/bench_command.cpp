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
#include "bench_support.hpp"
#include "child_process.hpp"
#include "client_flags.hpp"
#include "commands.hpp"

namespace arcp::cli {
namespace {

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

// `one_job_rate` receives the printed 1-job rate: a ratio is computed only
// from numbers the bench prints.
int run_suite(const std::string& label, Client& client, const BenchArgs& a,
              double* one_job_rate = nullptr) {
  auto one = stream_events(client, 1, a.events);
  if (!one) return fmt::print(stderr, "{}: {}\n", label, one.error().describe()), 1;
  if (one_job_rate != nullptr) *one_job_rate = one.value();
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
  if (a.durable) return bench_durable(a);
  if (a.concurrency) return bench_concurrency(a);
  int rc = 0;
  double ws_rate = 0;
  if (a.transport == "ws" || a.transport == "both") {
    std::optional<ChildProcess> child;
    std::string url = a.url;
    if (url.empty()) {
      auto spawned = spawn_runtime(a.token, {});
      if (!spawned) return fmt::print(stderr, "bench: {}\n", spawned.error().describe()), 1;
      url = spawned->second;
      child.emplace(std::move(spawned->first));
    }
    ClientOptions co;
    co.token = a.token;
    apply_tls_client_flags(a.tls, co.websocket);
    auto client = Client::connect(url, co);
    if (!client) return fmt::print(stderr, "bench: {}\n", client.error().describe()), 1;
    fmt::print("WebSocket, runtime in a second process ({})\n", url);
    rc |= run_suite("websocket", **client, a, &ws_rate);
    (void)(*client)->close();
  }
  if (a.transport == "memory" || a.transport == "both") {
    RuntimeOptions ro;
    ro.tokens = {{"bench-token", "bench"}};
    ro.log_level = LogLevel::kWarn;  // per-job info lines would cloud the output
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
    // From the two printed lines above; arcp's runtime is in a second
    // process, the bare loop's server a thread of this one.
    if (ws_rate > 0)
      fmt::print("ratio      arcp / bare (websocket 1 job line ÷ baseline line)  {:.2f}×\n",
                 ws_rate / bare);
  }
  return rc;
}

}  // namespace

void add_bench_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Measure events/s and submit latency end to end");
  cmd->add_option("--events", a->events, "Events streamed by the single job")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--jobs", a->jobs, "Concurrent jobs in the fan-in run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--per-job", a->per_job, "Events per job in the fan-in run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--submits", a->submits, "Sequential submits for the latency run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--transport", a->transport, "ws, memory or both")
      ->check(CLI::IsMember({"ws", "memory", "both"}))
      ->capture_default_str();
  cmd->add_option("--url", a->url,
                  "Bench a running runtime (ws:// or wss://) instead of spawning one");
  auto* token = cmd->add_option("--token", a->token,
                                "Bearer token for --url (visible in `ps`: prefer --token-file or "
                                "ARCP_TOKEN)");
  auto token_file = std::make_shared<std::string>();
  cmd->add_option("--token-file", *token_file,
                  "Read the bearer token for --url from the first line of FILE");
  add_tls_client_flags(cmd, a->tls);
  cmd->add_flag("--baseline", a->baseline,
                "Also measure bare Beast WebSocket streaming of the same frame size");
  cmd->add_flag("--durable", a->durable,
                "Measure durable sessions instead: SQLite vs memory store events/s, replay "
                "rate on resume, RSS per idle session");
  cmd->add_option("--replay-events", a->replay_events, "Stored events replayed on resume")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--sessions", a->sessions, "Idle sessions for the RSS measurement")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--concurrency", a->concurrency,
                "Measure agents at scale instead: wall time of many waiting jobs over many "
                "sessions, runtime RSS per waiting job, cancel latency (coroutine and blocking)");
  cmd->add_option("--waiting-jobs", a->waiting_jobs,
                  "Waiting `slow` jobs in the --concurrency wall-time run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--bench-sessions", a->bench_sessions,
                  "Client sessions the --concurrency jobs are spread over")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--wait-sec", a->wait_sec, "How long each waiting job waits (--concurrency)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--cancel-jobs", a->cancel_jobs,
                  "Waiting jobs cancelled at once per model (--concurrency)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--runs", a->runs, "Runs of --concurrency; each number is their median")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([a, token, token_file, &run] {
    run = [a, given = token->count() > 0, token_file] {
      if (!given) {  // --token-file, else ARCP_TOKEN, else the spawned runtime's token
        ClientFlags flags;
        flags.token_file = *token_file;
        auto resolved = resolve_token(flags);
        if (!resolved) {
          fmt::print(stderr, "arcp bench: {}\n", resolved.error().message);
          return static_cast<int>(kExitUsage);
        }
        if (!resolved->empty()) a->token = *resolved;
      }
      return bench(*a);
    };
  });
}

}  // namespace arcp::cli
