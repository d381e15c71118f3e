// Conformance agents of the `artifacts` extension (rfc-0001 §16).
#include <arcp/artifact.hpp>
#include <arcp/conformance_agents.hpp>
#include <arcp/job_context.hpp>
#include <string>

#include "runtime/agent_input.hpp"

namespace arcp {
namespace runtime {
namespace {

/// The bytes `artifact_maker {bytes: n}` stores: byte i is (i*31 + 7) mod 256,
/// so a test can rebuild them and every byte value occurs.
std::string pattern_bytes(std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 31 + 7) & 0xFF);
  return out;
}

// artifact_maker {bytes=16 | text, media_type="application/octet-stream",
// name?, retention_seconds?}: stores the artifact, emits `artifact_ref`,
// returns the reference.
Awaitable<Result<json::value>> artifact_maker(JobContext& ctx) {
  const auto& in = input_object(ctx);
  auto bytes = int_param(in, "bytes", 16, std::int64_t{1} << 30);
  if (!bytes) co_return bytes.error();
  std::string data;
  if (const auto* text = get_string(in, "text"))
    data = std::string(*text);
  else
    data = pattern_bytes(static_cast<std::size_t>(*bytes));
  PutArtifactOptions options;
  options.name = string_param(in, "name", "");
  if (in.contains("retention_seconds")) {
    auto r = int_param(in, "retention_seconds", 0, std::int64_t{1} << 40);
    if (!r) co_return r.error();
    options.retention_seconds = *r;
  }
  std::string media_type = string_param(in, "media_type", "application/octet-stream");
  auto storing = ctx.async_put_artifact(std::move(data), std::move(media_type), options);
  auto ref = co_await std::move(storing);
  if (!ref) co_return ref.error();
  if (auto e = ctx.artifact_ref(*ref); !e) co_return e.error();
  co_return ref->to_json();
}

}  // namespace

Result<void> register_artifact_agents(Runtime& rt) {
  return rt.register_agent("artifact_maker", artifact_maker);
}

}  // namespace runtime
}  // namespace arcp
