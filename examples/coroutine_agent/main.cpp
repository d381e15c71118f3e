// Many jobs waiting at once on a few threads: coroutine agents.
//
// A coroutine agent holds no thread while it co_awaits, so 200 jobs that all
// wait cost 200 coroutine frames, not 200 threads. Each job here first
// co_awaits a simulated I/O wait (async_sleep_for), then checks in at a
// "start line" and co_awaits an Asio timer until all 200 have checked in, so
// the program proves that every job was waiting at the same moment, on a
// runtime with two I/O threads and no blocking threads.
#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iostream>
#include <memory>
#include <mutex>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr int kJobs = 200;

// Jobs wait here until `expected` have arrived; the last one opens it for all.
class StartLine {
 public:
  explicit StartLine(std::size_t expected) : expected_(expected) {}
  // Registers the caller's timer; the last caller cancels them all.
  void arrive(const std::shared_ptr<asio::steady_timer>& timer) {
    std::lock_guard lock(mu_);
    waiting_.push_back(timer);
    if (waiting_.size() < expected_) return;
    // A timer is not thread-safe: each is cancelled on its own job's strand,
    // after its coroutine has started waiting (the post runs after it suspends).
    for (auto& t : waiting_) asio::post(t->get_executor(), [t] { t->cancel(); });
  }

 private:
  std::mutex mu_;
  std::size_t expected_;
  std::vector<std::shared_ptr<asio::steady_timer>> waiting_;
};

int main() {
  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.io_threads = 2;  // every coroutine agent shares these two threads
  options.log_level = arcp::LogLevel::kWarn;
  arcp::Runtime runtime(options);

  auto line = std::make_shared<StartLine>(kJobs);
  // The runtime keeps the handler (and so `line`) alive while its coroutines run.
  auto agent = [line](arcp::JobContext& ctx) -> arcp::Awaitable<arcp::Result<arcp::json::value>> {
    // Simulated I/O: no thread is held while it runs; false means "stop".
    if (!co_await ctx.async_sleep_for(20ms))
      co_return arcp::Error(arcp::ErrorCode::kCancelled, "stopped");
    // Any Asio operation works on the job's executor (its strand). The
    // timer is the safety net: it ends the wait after 30 s if not all came.
    auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, 30s);
    line->arrive(timer);
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    bool opened = ec == asio::error::operation_aborted;  // cancelled by the start line
    co_return arcp::json::object{{"all_waiting", opened}};
  };
  if (auto r = runtime.register_agent("waiter", agent); !r) {
    std::cerr << r.error().describe() << "\n";
    return 1;
  }

  // The memory transport: client and runtime in one process, no sockets.
  auto [client_end, runtime_end] = arcp::make_memory_pair();
  runtime.serve(runtime_end);
  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  auto client = arcp::Client::connect(client_end, client_options);
  if (!client) {
    std::cerr << client.error().describe() << "\n";
    return 1;
  }

  std::vector<arcp::JobHandle> jobs;
  for (int i = 0; i < kJobs; ++i) {
    auto job = (*client)->submit({.agent = "waiter"});
    if (!job) {
      std::cerr << "submit: " << job.error().describe() << "\n";
      return 1;
    }
    jobs.push_back(*job);
  }
  int finished = 0;
  int all_waiting = 0;
  for (auto& job : jobs) {
    auto result = job.result();
    if (!result) continue;
    ++finished;
    if (result->at("all_waiting").as_bool()) ++all_waiting;
  }

  auto stats = runtime.stats();
  std::cout << "finished: " << finished << " of " << kJobs << "\n";
  std::cout << "waiting at the same moment: " << all_waiting << "\n";
  std::cout << "io threads: " << stats.io_threads << "\n";
  std::cout << "blocking threads: " << stats.blocking_threads << "\n";
  runtime.shutdown();
  return finished == kJobs && all_waiting == kJobs ? 0 : 1;
}
