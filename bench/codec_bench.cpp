// Micro benchmarks of the envelope codec: the per-event costs on both ends.
#include <benchmark/benchmark.h>

#include <arcp/envelope.hpp>
#include <arcp/ids.hpp>
#include <arcp/time.hpp>

namespace {

arcp::Envelope sample_event() {
  arcp::Envelope e;
  e.id = arcp::new_id("msg");
  e.type = "job.event";
  e.session_id = arcp::new_id("sess");
  e.job_id = arcp::new_id("job");
  e.trace_id = arcp::new_trace_id();
  e.event_seq = 12345;
  e.payload = arcp::json::object{
      {"kind", "log"},
      {"ts", arcp::now_rfc3339()},
      {"body", arcp::json::object{{"level", "info"}, {"message", "event 12345/100000"}}}};
  return e;
}

void BM_EncodeEvent(benchmark::State& state) {
  auto e = sample_event();
  for (auto _ : state) benchmark::DoNotOptimize(arcp::encode_envelope(e));
}
BENCHMARK(BM_EncodeEvent);

void BM_DecodeEvent(benchmark::State& state) {
  std::string text = arcp::encode_envelope(sample_event());
  for (auto _ : state) benchmark::DoNotOptimize(arcp::decode_envelope(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecodeEvent);

void BM_NewId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(arcp::new_id("msg"));
}
BENCHMARK(BM_NewId);

}  // namespace

BENCHMARK_MAIN();
