// Micro benchmarks of the SQLite event log: grouped-commit append throughput
// and replay (read) rate, the two costs a durable session adds.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "store/store.hpp"

namespace {

struct Waiter : arcp::store::DurableSink {
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t durable = 0;
  void on_durable(std::int64_t seq) override {
    std::lock_guard lock(mu);
    durable = seq;
    cv.notify_all();
  }
  void on_store_failure(std::int64_t seq, const arcp::Error& e) override {
    std::fprintf(stderr, "store failed at seq %lld: %s\n", static_cast<long long>(seq),
                 e.message.c_str());
    std::abort();
  }
  void wait(std::int64_t seq) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return durable >= seq; });
  }
};

struct TempStore {
  std::string dir;
  std::shared_ptr<arcp::store::Store> store;
  TempStore() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "arcp-bench-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    store = arcp::store::open_sqlite_store(dir).value();
  }
  ~TempStore() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

const std::string kFrame(300, 'x');  // a typical small job.event envelope

void BM_SqliteAppendDurable(benchmark::State& state) {
  TempStore t;
  auto sink = std::make_shared<Waiter>();
  auto frame = arcp::make_frame(kFrame);
  std::int64_t seq = 0;
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i)
      (void)t.store->append({"sess_bench", ++seq, "job_bench", frame}, sink);
    sink->wait(seq);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_SqliteAppendDurable)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SqliteReplay(benchmark::State& state) {
  TempStore t;
  auto frame = arcp::make_frame(kFrame);
  const std::int64_t n = state.range(0);
  for (std::int64_t seq = 1; seq <= n; ++seq)
    (void)t.store->append({"sess_bench", seq, "job_bench", frame}, nullptr);
  t.store->flush();
  for (auto _ : state) {
    std::int64_t after = 0;
    for (;;) {
      auto batch = t.store->read_events("sess_bench", after, 1024);
      if (batch.empty()) break;
      after = batch.back().seq;
      benchmark::DoNotOptimize(batch);
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_SqliteReplay)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
