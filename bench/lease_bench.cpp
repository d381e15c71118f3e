// Micro benchmarks of the lease engine: what each lease-checked operation
// pays before it is dispatched (canonicalise, match), and what a subset check
// (lease narrowing, tool needs, delegation) costs.
#include <benchmark/benchmark.h>

#include <arcp/canonical.hpp>
#include <arcp/glob.hpp>
#include <arcp/lease.hpp>

namespace {

arcp::CompiledLease sample_lease() {
  arcp::json::object lease{
      {"fs.read", arcp::json::array{"/workspace/app/**", "/usr/share/doc/*/README", "/tmp/*.log"}},
      {"net.fetch", arcp::json::array{"https://api.example.com/v1/**"}},
      {"tool.call", arcp::json::array{"search.*", "mcp:github/*"}}};
  return arcp::CompiledLease::compile(lease).value();
}

void BM_CanonicalPath(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(arcp::canonical_path("/workspace/app/./src//auth/../auth/login.cpp"));
}
BENCHMARK(BM_CanonicalPath);

void BM_CanonicalUrl(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(
        arcp::canonical_url("HTTPS://API.Example.com:443/v1/repos/%7Euser/./issues?page=2"));
}
BENCHMARK(BM_CanonicalUrl);

void BM_GlobMatchPath(benchmark::State& state) {
  auto g = arcp::Glob::compile("/workspace/app/**/*.cpp", arcp::GlobKind::kPath).value();
  for (auto _ : state)
    benchmark::DoNotOptimize(g.matches("/workspace/app/src/auth/middleware/login.cpp"));
}
BENCHMARK(BM_GlobMatchPath);

// One fs.read check as JobContext::read_file does it: canonicalise + match.
void BM_LeaseCheckFsRead(benchmark::State& state) {
  auto lease = sample_lease();
  for (auto _ : state)
    benchmark::DoNotOptimize(lease.check("fs.read", "/workspace/app/src/../src/main.cpp"));
}
BENCHMARK(BM_LeaseCheckFsRead);

void BM_LeaseCheckDenied(benchmark::State& state) {
  auto lease = sample_lease();
  for (auto _ : state) benchmark::DoNotOptimize(lease.check("fs.read", "/etc/shadow"));
}
BENCHMARK(BM_LeaseCheckDenied);

void BM_GlobCovers(benchmark::State& state) {
  auto parent = arcp::Glob::compile("/workspace/**", arcp::GlobKind::kPath).value();
  auto child = arcp::Glob::compile("/workspace/app/src/*.cpp", arcp::GlobKind::kPath).value();
  for (auto _ : state) benchmark::DoNotOptimize(parent.covers(child));
}
BENCHMARK(BM_GlobCovers);

void BM_LeaseCovers(benchmark::State& state) {
  auto parent = sample_lease();
  auto child = arcp::CompiledLease::compile(
                   arcp::json::object{{"fs.read", arcp::json::array{"/workspace/app/src/**"}},
                                      {"tool.call", arcp::json::array{"search.web"}}})
                   .value();
  for (auto _ : state) benchmark::DoNotOptimize(parent.covers(child));
}
BENCHMARK(BM_LeaseCovers);

}  // namespace

BENCHMARK_MAIN();
