// `arcp bench --durable`: what durable sessions cost, end to end against a
// runtime in a second process — events/s with the SQLite store against the
// memory store, replay rate when a session resumes, and runtime RSS per idle
// connected session with heartbeats.
#include <fmt/core.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <arcp/conformance_agents.hpp>
#include <arcp/ids.hpp>
#include <arcp/runtime.hpp>
#include <arcp/transports.hpp>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>

#include "bench_idle_sessions.hpp"
#include "bench_support.hpp"

namespace arcp::cli {
namespace {

/// Resident set of `pid` in KiB (from /proc), 0 if unreadable.
std::int64_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return 0;
}

struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "arcp-bench-XXXXXX").string();
    path = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

/// Counts frames on a raw connection; wakes a waiter at a target count.
struct FrameCounter {
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t target = 0;  // wake the waiter when seq_frames reaches it
  std::int64_t seq_frames = 0;
  bool closed = false;
  Clock::time_point last_frame;

  /// Handlers that keep the counter alive for as long as the connection
  /// may still call them.
  static ConnectionHandlers handlers(const std::shared_ptr<FrameCounter>& self) {
    ConnectionHandlers h;
    h.on_frame = [self](std::string text) {
      bool seq = text.find("\"event_seq\"") != std::string::npos;
      std::lock_guard lock(self->mu);
      if (seq) ++self->seq_frames;
      self->last_frame = Clock::now();
      // A wake-up per frame would time the futex, not the replay.
      if (self->seq_frames == self->target) self->cv.notify_all();
    };
    h.on_closed = [self] {
      std::lock_guard lock(self->mu);
      self->closed = true;
      self->cv.notify_all();
    };
    return h;
  }
};

std::string hello_text(const std::string& token, const json::array& features,
                       const std::optional<ResumeState>& resume) {
  Hello h;
  h.client_name = "arcp-bench";
  h.client_version = "1";
  h.token = token;
  h.features = FeatureSet::from_json(features);
  if (resume)
    h.resume = ResumeRequest{resume->session_id, resume->resume_token, resume->last_event_seq};
  Envelope env;
  env.id = new_id("msg");
  env.type = std::string(msg::kHello);
  env.payload = h.to_json();
  return encode_envelope(env);
}

/// Runs are short (a fraction of a second to a second), so one run is at
/// the mercy of the scheduler: each rate is the median of this many.
constexpr int kRuns = 3;

Result<double> median_of_runs(const std::function<Result<double>()>& run) {
  std::vector<double> rates;
  for (int i = 0; i < kRuns; ++i) {
    auto r = run();
    if (!r) return r.error();
    rates.push_back(*r);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

Result<double> one_job_rate(const std::string& url, const BenchArgs& a) {
  ClientOptions co;
  co.token = a.token;
  auto client = Client::connect(url, co);
  if (!client) return client.error();
  (void)stream_events(**client, 1, a.events);  // warm-up
  auto rate = median_of_runs([&] { return stream_events(**client, 1, a.events); });
  (void)(*client)->close();
  return rate;
}

/// Runs a job of `n` events on `client` with nothing acknowledged, so all of
/// them stay in the session's log; returns the state that resumes from seq 0.
Result<ResumeState> store_events(Client& client, std::int64_t n) {
  auto job = client.submit({.agent = "chatty", .input = json::object{{"n", n}}});
  if (!job) return job.error();
  if (auto r = job->result(); !r) return r.error();
  ResumeState state = client.resume_state();
  state.last_event_seq = 0;
  (void)client.close();
  return state;
}

/// Resumes `state` on a fresh raw connection and times until all `n` stored
/// events and the result (n + 1 frames) have arrived.
Result<double> time_replay(Connection& conn, const std::string& token, const ResumeState& state,
                           std::int64_t n) {
  auto counter = std::make_shared<FrameCounter>();
  counter->target = n + 1;
  conn.start(FrameCounter::handlers(counter));
  auto start = Clock::now();
  conn.send(make_frame(hello_text(token, json::array{}, state)));
  std::unique_lock lock(counter->mu);
  bool done = counter->cv.wait_for(lock, std::chrono::seconds(120),
                                   [&] { return counter->seq_frames >= n + 1 || counter->closed; });
  std::int64_t got = counter->seq_frames;
  double secs = std::chrono::duration<double>(counter->last_frame - start).count();
  lock.unlock();
  conn.close();
  if (!done) return Error(ErrorCode::kTimeout, "replay did not finish");
  if (got < n + 1)
    return Error(ErrorCode::kInternalError, fmt::format("replay stopped after {} events", got));
  return static_cast<double>(n + 1) / secs;
}

/// Stores `n` events in a session, then times a resume that replays them all.
Result<double> replay_rate(const std::string& url, const BenchArgs& a, std::int64_t n) {
  return median_of_runs([&]() -> Result<double> {
    ClientOptions co;
    co.token = a.token;
    co.ack_every_events = 0;  // keep everything in the log
    auto client = Client::connect(url, co);
    if (!client) return client.error();
    auto state = store_events(**client, n);
    if (!state) return state.error();
    auto conn = connect_websocket(url, {});
    if (!conn) return conn.error();
    return time_replay(**conn, a.token, *state, n);
  });
}

/// The runtime's own replay cost: runtime and a raw frame counter in this
/// process over the in-memory transport (no WebSocket client parsing).
Result<double> replay_rate_in_process(const BenchArgs& a, std::int64_t n) {
  TempDir dir;
  RuntimeOptions ro;
  ro.tokens = {{a.token, "bench"}};
  ro.log_level = LogLevel::kWarn;  // per-job info lines would cloud the output
  ro.data_dir = dir.path;
  Runtime rt(ro);
  (void)register_conformance_agents(rt);
  return median_of_runs([&]() -> Result<double> {
    auto [client_side, runtime_side] = make_memory_pair();
    rt.serve(runtime_side);
    ClientOptions co;
    co.token = a.token;
    co.ack_every_events = 0;
    auto client = Client::connect(client_side, co);
    if (!client) return client.error();
    auto state = store_events(**client, n);
    if (!state) return state.error();
    auto [replay_side, runtime_replay_side] = make_memory_pair();
    rt.serve(runtime_replay_side);
    return time_replay(*replay_side, a.token, *state, n);
  });
}

/// Opens `n` idle sessions (heartbeat negotiated) and reports the runtime's
/// RSS growth per session.
Result<double> idle_session_kib(const BenchArgs& a) {
  auto server = spawn_runtime(a.token, {"--heartbeat-sec", "30"});
  if (!server) return server.error();
  auto& [child, url] = server.value();
  // ws://127.0.0.1:PORT/arcp
  auto host_start = url.find("://") + 3;
  auto colon = url.find(':', host_start);
  auto slash = url.find('/', colon);
  std::string host = url.substr(host_start, colon - host_start);
  std::string port = url.substr(colon + 1, slash - colon - 1);
  std::string path = url.substr(slash);
  std::string hello = hello_text(a.token, json::array{"heartbeat"}, std::nullopt);
  IdleSessions warm;  // one-time allocations of the runtime are not per session
  if (auto r = warm.open(host, port, path, hello, 16); !r) return r.error();
  std::int64_t before = rss_kib(child.pid());
  IdleSessions sessions;
  if (auto r = sessions.open(host, port, path, hello, static_cast<std::size_t>(a.sessions)); !r)
    return r.error();
  std::int64_t after = rss_kib(child.pid());
  return static_cast<double>(after - before) / static_cast<double>(a.sessions);
}

}  // namespace

int bench_durable(const BenchArgs& a) {
  TempDir dir;
  auto memory = spawn_runtime(a.token, {});
  auto durable = spawn_runtime(a.token, {"--data-dir", dir.path});
  if (!memory || !durable) return fmt::print(stderr, "bench: cannot spawn runtimes\n"), 1;
  fmt::print("Durable sessions, runtime in a second process (each rate: median of {} runs)\n",
             kRuns);

  auto mem_rate = one_job_rate(memory->second, a);
  auto sql_rate = one_job_rate(durable->second, a);
  if (!mem_rate || !sql_rate)
    return fmt::print(stderr, "bench: {}\n",
                      (!mem_rate ? mem_rate.error() : sql_rate.error()).describe()),
           1;
  fmt::print("store      memory, 1 job × {} events        {:>12.0f} events/s\n", a.events,
             *mem_rate);
  fmt::print(
      "store      sqlite, 1 job × {} events        {:>12.0f} events/s  ({:.0f}% of memory)\n",
      a.events, *sql_rate, 100.0 * *sql_rate / *mem_rate);

  auto replay = replay_rate(durable->second, a, a.replay_events);
  if (!replay) return fmt::print(stderr, "bench: replay: {}\n", replay.error().describe()), 1;
  fmt::print("replay     sqlite → websocket client, {} events {:>9.0f} events/s\n",
             a.replay_events + 1, *replay);
  auto local = replay_rate_in_process(a, a.replay_events);
  if (!local) return fmt::print(stderr, "bench: replay: {}\n", local.error().describe()), 1;
  fmt::print("replay     sqlite → in-process transport, {} events {:>6.0f} events/s\n",
             a.replay_events + 1, *local);

  auto idle = idle_session_kib(a);
  if (!idle) return fmt::print(stderr, "bench: idle sessions: {}\n", idle.error().describe()), 1;
  fmt::print("idle       {} sessions with heartbeats         {:>9.1f} KiB RSS per session\n",
             a.sessions, *idle);
  return 0;
}

}  // namespace arcp::cli
