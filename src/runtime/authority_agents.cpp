// Conformance agents for leases, budgets and streamed results (§8.4, §9),
// with the same contract as the other SDKs' test agents.
#include <arcp/conformance_agents.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>

#include "runtime/agent_input.hpp"

namespace arcp::runtime {
namespace {

// reader {path | paths[], tick_ms=0, strict=false}: one fs.read per path
// (tool_call, then tool_result with the first 64 bytes or the error); goes
// on after a denial unless `strict`; ends on LEASE_EXPIRED.
Awaitable<Result<json::value>> reader(JobContext& ctx) {
  const auto& in = input_object(ctx);
  std::vector<std::string> paths;
  if (const auto* p = get_string(in, "path")) paths.emplace_back(*p);
  if (const auto* list = get_array(in, "paths"))
    for (const auto& v : *list)
      if (v.is_string()) paths.emplace_back(v.get_string());
  if (paths.empty())
    co_return Error(ErrorCode::kInvalidRequest, "input.path or input.paths[] is required");
  auto tick = int_param(in, "tick_ms", 0, 60'000);
  if (!tick) co_return tick.error();
  bool strict = get_bool(in, "strict").value_or(false);
  json::array results;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (i > 0 && *tick > 0 && !co_await ctx.async_sleep_for(std::chrono::milliseconds(*tick)))
      co_return Error(ErrorCode::kCancelled, "cancelled");
    // Named first: GCC 12 destroys temporaries inside a co_await expression twice.
    auto reading = ctx.async_read_file(paths[i]);
    auto r = co_await std::move(reading);
    if (r) {
      results.push_back(json::object{{"path", paths[i]}, {"bytes", r->size()}});
      continue;
    }
    if (strict || r.error().code == ErrorCode::kLeaseExpired) co_return r.error();
    results.push_back(json::object{{"path", paths[i]}, {"error", to_string(r.error().code)}});
  }
  co_return json::object{{"results", std::move(results)}};
}

// budget {iterations=8, per_call=0.3, currency="USD", on_exhausted="fail"|"return"}:
// calls tool search.web, reporting a cost.search metric of per_call each time.
Awaitable<Result<json::value>> budget(JobContext& ctx) {
  const auto& in = input_object(ctx);
  auto iterations = int_param(in, "iterations", 8, 100'000);
  if (!iterations) co_return iterations.error();
  double per_call = get_number(in, "per_call").value_or(0.3);
  if (per_call < 0) co_return Error(ErrorCode::kInvalidRequest, "input.per_call must be ≥ 0");
  std::string currency = string_param(in, "currency", "USD");
  std::string on_exhausted = string_param(in, "on_exhausted", "fail");
  if (on_exhausted != "fail" && on_exhausted != "return")
    co_return Error(ErrorCode::kInvalidRequest, "input.on_exhausted must be fail|return");
  for (std::int64_t i = 0; i < *iterations; ++i) {
    // Named first: GCC 12 miscompiles temporaries inside co_await expressions.
    json::object args{{"query", "q" + std::to_string(i + 1)}};
    auto calling = ctx.async_call_tool("search.web", std::move(args));
    auto r = co_await std::move(calling);
    if (!r) {
      if (r.error().code == ErrorCode::kBudgetExhausted && on_exhausted == "return")
        co_return json::object{{"calls", i}, {"exhausted", true}};
      co_return r.error();
    }
    if (auto m = ctx.metric("cost.search", per_call, currency); !m) co_return m.error();
  }
  json::object out{{"calls", *iterations}, {"exhausted", false}};
  if (auto left = ctx.budget_remaining(currency)) out["remaining"] = *left;
  co_return out;
}

// chunked {chunks=8, chunk_bytes=64, encoding="utf8"|"base64"}: a result_chunk
// stream, then job.result {result_id, result_size, summary}.
Awaitable<Result<json::value>> chunked(JobContext& ctx) {
  const auto& in = input_object(ctx);
  auto chunks = int_param(in, "chunks", 8, 1'000'000);
  auto chunk_bytes = int_param(in, "chunk_bytes", 64, 16 << 20);
  if (!chunks) co_return chunks.error();
  if (!chunk_bytes) co_return chunk_bytes.error();
  std::string encoding = string_param(in, "encoding", "utf8");
  if (encoding != "utf8" && encoding != "base64")
    co_return Error(ErrorCode::kInvalidRequest, "input.encoding must be utf8|base64");
  bool binary = encoding == "base64";
  auto writer =
      ctx.stream_result(binary ? ResultEncoding::kBase64 : ResultEncoding::kUtf8,
                        static_cast<std::size_t>(std::max<std::int64_t>(*chunk_bytes, 4)));
  if (!writer) co_return writer.error();
  std::string piece(static_cast<std::size_t>(*chunk_bytes), '\0');
  for (std::int64_t c = 0; c < *chunks; ++c) {
    // Text: a letter per chunk; binary: every byte value in turn.
    for (std::size_t b = 0; b < piece.size(); ++b)
      piece[b] = binary ? static_cast<char>((c * 31 + static_cast<std::int64_t>(b)) & 0xFF)
                        : static_cast<char>('a' + c % 26);
    if (auto r = writer->write(piece); !r) co_return r.error();
    if (c % 64 == 63 && !co_await ctx.async_writable())
      co_return Error(ErrorCode::kCancelled, "cancelled");
  }
  co_return writer->finish("streamed " + std::to_string(*chunks) + " chunks");
}

// The tool `budget` calls: answers at once with a canned result.
Awaitable<Result<json::value>> search_web(JobContext&, const json::value& args) {
  json::value query = args.is_object() && args.get_object().contains("query")
                          ? args.get_object().at("query")
                          : json::value("");
  co_return json::object{{"query", query},
                         {"results", json::array{json::object{{"title", "result 1"}}}}};
}

}  // namespace

Result<void> register_authority_agents(Runtime& rt) {
  for (auto r : {rt.register_agent("reader", reader), rt.register_agent("budget", budget),
                 rt.register_agent("chunked", chunked),
                 rt.register_tool("search.web", AsyncToolHandler(search_web))})
    if (!r) return r;
  return {};
}

}  // namespace arcp::runtime
