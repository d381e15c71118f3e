// `arcp bench --concurrency`: agents at scale, end to end against a runtime
// in a second process — wall time of many waiting coroutine jobs spread over
// many sessions, the runtime's RSS and threads per waiting job, and cancel
// latency for waiting coroutine jobs and for blocking jobs.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <arcp/client.hpp>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "bench_support.hpp"

namespace arcp::cli {
namespace {

struct ProcStatus {
  std::int64_t rss_kib = 0;
  std::int64_t threads = 0;
};

/// VmRSS and Threads of `pid` (from /proc); nullopt without a pid.
std::optional<ProcStatus> proc_status(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  ProcStatus s;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kib = std::stoll(line.substr(6));
    if (line.rfind("Threads:", 0) == 0) s.threads = std::stoll(line.substr(8));
  }
  return s;
}

struct Cpu {
  double user = 0, sys = 0;
  double total() const { return user + sys; }
  Cpu operator-(const Cpu& o) const { return {user - o.user, sys - o.sys}; }
};

/// CPU seconds (all threads) of `pid`, or of this process for 0.
Cpu cpu_of(pid_t pid) {
  std::ifstream in(pid > 0 ? "/proc/" + std::to_string(pid) + "/stat" : "/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return {};
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  Cpu c;
  auto tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (int i = 3; fields >> f && i <= 15; ++i) {  // fields 14, 15: utime, stime
    if (i == 14) c.user = std::stod(f) / tick;
    if (i == 15) c.sys = std::stod(f) / tick;
  }
  return c;
}

std::int64_t ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

/// One batch of jobs spread over the sessions: per job its handle, when its
/// cancel was sent and when its terminal message arrived.
struct Batch : std::enable_shared_from_this<Batch> {
  explicit Batch(std::size_t n, bool expect_cancelled)
      : n(static_cast<std::int64_t>(n)),
        expect_cancelled(expect_cancelled),
        handles(n),
        done_ns(n),
        cancel_ns(n) {}
  const std::int64_t n;
  const bool expect_cancelled;  // the terminal must be CANCELLED, else a result
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t answered = 0;  // accepted or rejected
  std::int64_t finished = 0;  // terminal message received (or rejected)
  std::int64_t unexpected = 0;
  std::optional<Error> first_error;
  std::vector<std::optional<JobHandle>> handles;
  std::vector<std::int64_t> done_ns;
  std::vector<std::atomic<std::int64_t>> cancel_ns;

  void fail_locked(const Error& e) {
    ++unexpected;
    if (!first_error) first_error = e;
  }
  void on_answer(std::size_t i, Result<JobHandle> h) {
    if (!h) {
      std::lock_guard lock(mu);
      fail_locked(h.error());
      ++answered;
      ++finished;
      cv.notify_all();
      return;
    }
    JobHandle job = std::move(h.value());
    {
      std::lock_guard lock(mu);
      handles[i] = job;
      if (++answered == n) cv.notify_all();
    }
    // Runs on the client's reader thread when the terminal arrives (or now).
    job.when_done([self = shared_from_this(), i, job] {
      auto& b = *self;
      std::int64_t t = ns_now();
      auto r = *job.try_result();
      bool ok = b.expect_cancelled ? (!r && r.error().code == ErrorCode::kCancelled) : r.ok();
      std::lock_guard lock(b.mu);
      b.done_ns[i] = t;
      if (!ok)
        b.fail_locked(r ? Error(ErrorCode::kInternalError, "job finished instead of cancelling")
                        : r.error());
      if (++b.finished == b.n) b.cv.notify_all();
    });
  }
  /// Waits until `count()` reaches n; false on timeout or if a job went wrong.
  template <class F>
  bool wait_for(std::chrono::milliseconds timeout, F count) {
    std::unique_lock lock(mu);
    bool done = cv.wait_for(lock, timeout, [&] { return count() >= n; });
    return done && unexpected == 0;
  }
};

using Sessions = std::vector<std::shared_ptr<Client>>;

/// Threads that submit (and cancel) for the sessions: a few, so the client
/// side does not need a thread per session to keep every session busy.
std::size_t driver_threads(const Sessions& s) {
  return std::min<std::size_t>(s.size(), std::max(2U, std::thread::hardware_concurrency()));
}

/// Runs `f(job_index, session)` for jobs 0..n-1, job i on session i % S,
/// from driver_threads() threads (thread t drives sessions t, t+T, …).
template <class F>
void for_each_job(const Sessions& sessions, std::int64_t n, F f) {
  std::size_t s_count = sessions.size();
  std::size_t t_count = driver_threads(sessions);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < t_count; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i)
        if ((i % s_count) % t_count == t) f(i, *sessions[i % s_count]);
    });
  for (auto& th : threads) th.join();
}

void submit_batch(const Sessions& sessions, const std::shared_ptr<Batch>& b,
                  const std::string& agent, const json::object& input) {
  for_each_job(sessions, b->n, [&](std::size_t i, Client& c) {
    SubmitOptions so;
    so.agent = agent;
    so.input = input;
    c.submit(so, [b, i](Result<JobHandle> h) { b->on_answer(i, std::move(h)); });
  });
}

Result<Sessions> open_sessions(const std::string& url, const std::string& token,
                               const TlsClientFlags& tls, std::int64_t count) {
  Sessions sessions;
  for (std::int64_t i = 0; i < count; ++i) {
    ClientOptions co;
    co.token = token;
    apply_tls_client_flags(tls, co.websocket);
    auto c = Client::connect(url, co);
    if (!c) return c.error();
    sessions.push_back(std::move(c.value()));
  }
  return sessions;
}

void close_sessions(Sessions& sessions) {
  for (auto& c : sessions) (void)c->close();
  sessions.clear();
}

Error batch_error(Batch& b, const std::string& what) {
  std::lock_guard lock(b.mu);
  if (b.first_error)
    return Error(b.first_error->code, fmt::format("{}: {} of {} jobs failed, first: {}", what,
                                                  b.unexpected, b.n, b.first_error->describe()));
  return Error(ErrorCode::kTimeout, fmt::format("{}: timed out with {} of {} accepted, {} ended",
                                                what, b.answered, b.n, b.finished));
}

struct WaitResult {
  double secs = 0;
  std::optional<double> kib_per_job;
  std::optional<std::int64_t> threads;
  std::int64_t ended_before_peak = 0;  // jobs that had ended when RSS was sampled
  double issue_secs = 0;               // first submit to the last submit sent
  double accept_secs = 0;              // first submit to the last job.accepted
  Cpu runtime_cpu, client_cpu;         // from the first submit to all accepted
};

/// N `slow` jobs of one tick of D seconds over the sessions: first submit to
/// last result, and the runtime's RSS and threads with all of them waiting.
Result<WaitResult> wait_run(const Sessions& sessions, pid_t pid, std::int64_t n, double wait_sec) {
  auto ms = static_cast<std::int64_t>(wait_sec * 1000);
  json::object input{{"ms", ms}, {"tick_ms", ms}};
  // One short job per session first: per-session and one-time allocations
  // (of both sides) are not per waiting job.
  auto warm = std::make_shared<Batch>(sessions.size(), false);
  submit_batch(sessions, warm, "slow", json::object{{"ms", 1}, {"tick_ms", 1}});
  if (!warm->wait_for(std::chrono::seconds(60), [&] { return warm->finished; }))
    return batch_error(*warm, "warm-up");
  auto base = proc_status(pid);

  auto b = std::make_shared<Batch>(static_cast<std::size_t>(n), false);
  Cpu runtime_cpu0 = cpu_of(pid), client_cpu0 = cpu_of(0);
  std::int64_t start = ns_now();
  submit_batch(sessions, b, "slow", input);
  double issue_secs = static_cast<double>(ns_now() - start) / 1e9;
  auto limit = std::chrono::milliseconds(ms + 120'000);
  if (!b->wait_for(limit, [&] { return b->answered; })) return batch_error(*b, "submit");
  double accept_secs = static_cast<double>(ns_now() - start) / 1e9;
  auto peak = proc_status(pid);
  Cpu runtime_cpu = pid > 0 ? cpu_of(pid) - runtime_cpu0 : Cpu{};
  Cpu client_cpu = cpu_of(0) - client_cpu0;
  std::int64_t ended = 0;
  {
    std::lock_guard lock(b->mu);
    ended = b->finished;
  }
  if (!b->wait_for(limit, [&] { return b->finished; })) return batch_error(*b, "wait");
  WaitResult r;
  std::int64_t last = *std::max_element(b->done_ns.begin(), b->done_ns.end());
  r.secs = static_cast<double>(last - start) / 1e9;
  r.accept_secs = accept_secs;
  r.issue_secs = issue_secs;
  r.runtime_cpu = runtime_cpu;
  r.client_cpu = client_cpu;
  r.ended_before_peak = ended;
  if (base && peak) {
    r.kib_per_job = static_cast<double>(peak->rss_kib - base->rss_kib) / static_cast<double>(n);
    r.threads = peak->threads;
  }
  return r;
}

struct CancelResult {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double all_ms = 0;            // first cancel sent to last CANCELLED received
  double sent_ms = 0;           // first cancel sent to the last
  Cpu runtime_cpu, client_cpu;  // from the first cancel sent to the last CANCELLED
};

/// M waiting jobs of `agent` (long sleeps), all running; then every one
/// cancelled at once: per job, cancel sent → job.error CANCELLED received.
Result<CancelResult> cancel_run(const Sessions& sessions, pid_t pid, const std::string& agent,
                                std::int64_t m, bool blocking) {
  auto before = proc_status(pid);
  auto b = std::make_shared<Batch>(static_cast<std::size_t>(m), true);
  submit_batch(sessions, b, agent, json::object{{"ms", 600'000}, {"tick_ms", 600'000}});
  // On a failure, the accepted jobs would wait 10 minutes (in a --url runtime).
  auto give_up = [&](const std::string& what) {
    std::vector<std::optional<JobHandle>> handles;
    {
      std::lock_guard lock(b->mu);
      handles = b->handles;
    }
    for (auto& h : handles)
      if (h) (void)h->cancel();
    return batch_error(*b, what);
  };
  if (!b->wait_for(std::chrono::seconds(120), [&] { return b->answered; }))
    return give_up(agent + " submit");
  // Accepted is not yet running: a blocking job waits for its pool thread.
  if (blocking && before) {
    auto until = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < until) {
      auto s = proc_status(pid);
      if (!s || s->threads >= before->threads + m) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(blocking && !before ? 1000 : 250));
  bool ended_early = false;
  {
    std::lock_guard lock(b->mu);
    ended_early = b->finished > 0;
    if (ended_early) b->fail_locked(Error(ErrorCode::kInternalError, "ended before its cancel"));
  }
  if (ended_early) return give_up(agent + " before the cancels");
  Cpu runtime_cpu0 = cpu_of(pid), client_cpu0 = cpu_of(0);
  for_each_job(sessions, m, [&](std::size_t i, Client&) {
    std::optional<JobHandle> h;
    {
      std::lock_guard lock(b->mu);
      h = b->handles[i];
    }
    b->cancel_ns[i].store(ns_now());
    (void)h->cancel();
  });
  if (!b->wait_for(std::chrono::seconds(120), [&] { return b->finished; }))
    return give_up(agent + " cancel");
  Cpu runtime_cpu = pid > 0 ? cpu_of(pid) - runtime_cpu0 : Cpu{};
  Cpu client_cpu = cpu_of(0) - client_cpu0;
  std::vector<double> lat;
  lat.reserve(static_cast<std::size_t>(m));
  std::int64_t first_sent = INT64_MAX, last_sent = 0, last_done = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(m); ++i) {
    std::int64_t sent = b->cancel_ns[i].load();
    lat.push_back(static_cast<double>(b->done_ns[i] - sent) / 1e6);
    first_sent = std::min(first_sent, sent);
    last_sent = std::max(last_sent, sent);
    last_done = std::max(last_done, b->done_ns[i]);
  }
  std::sort(lat.begin(), lat.end());
  auto at = [&](double q) {
    return lat[std::min(lat.size() - 1,
                        static_cast<std::size_t>(q * static_cast<double>(lat.size())))];
  };
  return CancelResult{at(0.50),
                      at(0.99),
                      lat.back(),
                      static_cast<double>(last_done - first_sent) / 1e6,
                      static_cast<double>(last_sent - first_sent) / 1e6,
                      runtime_cpu,
                      client_cpu};
}

struct RunResult {
  WaitResult wait;
  CancelResult coro;
  CancelResult blocking;
};

Result<RunResult> one_run(const BenchArgs& a) {
  std::optional<ChildProcess> child;
  std::string url = a.url;
  if (url.empty()) {
    std::int64_t most = std::max(a.waiting_jobs, a.cancel_jobs);
    std::int64_t per_session = (most + a.bench_sessions - 1) / a.bench_sessions + 1;
    // The principal cap is sized for every job of the run, not just those
    // unfinished at once: the per-principal caps as first committed (6e77c38)
    // never give a slot back when a job ends, and would refuse later phases.
    std::int64_t all_jobs = a.bench_sessions + a.waiting_jobs + 2 * a.cancel_jobs;
    auto spawned = spawn_runtime(
        a.token,
        {"--max-jobs-per-session", std::to_string(std::max<std::int64_t>(per_session, 256)),
         "--max-jobs-per-principal", std::to_string(std::max<std::int64_t>(all_jobs + 16, 10000)),
         "--max-sessions-per-principal",
         std::to_string(std::max<std::int64_t>(a.bench_sessions + 16, 128)),
         "--max-blocking-threads", std::to_string(std::max<std::int64_t>(a.cancel_jobs, 1280)),
         "--max-blocking-threads-per-principal",
         std::to_string(std::max<std::int64_t>(a.cancel_jobs, 1024))});
    if (!spawned) return spawned.error();
    url = spawned->second;
    child.emplace(std::move(spawned->first));
  }
  pid_t pid = child ? child->pid() : -1;
  auto sessions = open_sessions(url, a.token, a.tls, a.bench_sessions);
  if (!sessions) return sessions.error();
  RunResult r;
  auto finish = [&](const Error& e) -> Result<RunResult> {
    close_sessions(*sessions);
    return e;
  };
  auto w = wait_run(*sessions, pid, a.waiting_jobs, a.wait_sec);
  if (!w) return finish(w.error());
  r.wait = *w;
  auto c = cancel_run(*sessions, pid, "slow", a.cancel_jobs, false);
  if (!c) return finish(c.error());
  r.coro = *c;
  auto bl = cancel_run(*sessions, pid, "slow_blocking", a.cancel_jobs, true);
  if (!bl) return finish(bl.error());
  r.blocking = *bl;
  close_sessions(*sessions);
  return r;  // the child runtime stops here (SIGTERM, then reaped)
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int bench_concurrency(const BenchArgs& a) {
  fmt::print(
      "Agents at scale: {} WebSocket sessions, runtime {} (each number: median of {} runs)\n",
      a.bench_sessions, a.url.empty() ? "spawned" : a.url, a.runs);
  std::vector<RunResult> runs;
  for (std::int64_t i = 0; i < a.runs; ++i) {
    auto r = one_run(a);
    if (!r) return fmt::print(stderr, "bench: run {}: {}\n", i + 1, r.error().describe()), 1;
    const auto& w = r->wait;
    auto cpu = [&](const Cpu& c, bool runtime) {
      if (runtime && !w.kib_per_job) return std::string("n/a");
      return fmt::format("{:.2f} s ({:.0f}% system)", c.total(),
                         c.total() > 0 ? 100 * c.sys / c.total() : 0.0);
    };
    fmt::print(
        "run {}  wait {:.2f} s; submits sent by {:.2f} s, all accepted at {:.2f} s{}; CPU until "
        "then: runtime {}, bench client {}; {} KiB RSS/job, {} runtime threads\n",
        i + 1, w.secs, w.issue_secs, w.accept_secs,
        w.ended_before_peak > 0 ? fmt::format(" ({} had ended)", w.ended_before_peak) : "",
        cpu(w.runtime_cpu, true), cpu(w.client_cpu, false),
        w.kib_per_job ? fmt::format("{:.2f}", *w.kib_per_job) : "n/a",
        w.threads ? std::to_string(*w.threads) : "n/a");
    for (const auto& [label, c] : {std::pair{"coroutine", r->coro}, {"blocking", r->blocking}})
      fmt::print(
          "       cancel {:<9} p50/p99/max {:.1f}/{:.1f}/{:.1f} ms; sent in {:.0f} ms, all "
          "ended in {:.0f} ms; CPU meanwhile: runtime {}, bench client {}\n",
          label, c.p50_ms, c.p99_ms, c.max_ms, c.sent_ms, c.all_ms, cpu(c.runtime_cpu, true),
          cpu(c.client_cpu, false));
    runs.push_back(*r);
  }
  auto med = [&](auto pick) {
    std::vector<double> v;
    v.reserve(runs.size());
    for (const auto& r : runs) v.push_back(pick(r));
    return median(v);
  };
  auto row = [](const std::string& what, const std::string& value, const std::string& goal) {
    if (goal.empty()) return fmt::print("{:<58} {}\n", what, value);
    fmt::print("{:<58} {:<28} {}\n", what, value, goal);
  };
  auto verdict = [](bool met) { return met ? ": met" : ": missed"; };
  row("measurement", "median", "goal");
  double secs = med([](const RunResult& r) { return r.wait.secs; });
  row(fmt::format("{} slow jobs × {} s, first submit → last result", a.waiting_jobs, a.wait_sec),
      fmt::format("{:.2f} s = {:.2f} × D", secs, secs / a.wait_sec),
      fmt::format("≤ 1.3 × D{}", verdict(secs <= 1.3 * a.wait_sec)));
  if (runs.front().wait.kib_per_job) {
    double kib = med([](const RunResult& r) { return *r.wait.kib_per_job; });
    double threads = med([](const RunResult& r) { return static_cast<double>(*r.wait.threads); });
    row("runtime RSS per waiting job", fmt::format("{:.2f} KiB", kib),
        fmt::format("< 16 KiB{}", verdict(kib < 16)));
    row(fmt::format("runtime threads with {} jobs waiting", a.waiting_jobs),
        fmt::format("{:.0f}", threads), "");
  } else {
    row("runtime RSS per waiting job, threads", "n/a (--url: no pid)", "< 16 KiB");
  }
  auto cancel_row = [&](const std::string& label, auto pick) {
    double p50 = med([&](const RunResult& r) { return pick(r).p50_ms; });
    double p99 = med([&](const RunResult& r) { return pick(r).p99_ms; });
    row(fmt::format("cancel → CANCELLED, {} {}", a.cancel_jobs, label),
        fmt::format("p50 {:.1f} ms, p99 {:.1f} ms", p50, p99),
        fmt::format("p99 < 50 ms{}", verdict(p99 < 50)));
  };
  cancel_row("waiting coroutine jobs (slow)", [](const RunResult& r) { return r.coro; });
  cancel_row("blocking jobs (slow_blocking)", [](const RunResult& r) { return r.blocking; });
  return 0;
}

}  // namespace arcp::cli
