// An agent streams a large result in chunks; the client reassembles it and
// checks its size and checksum.
//
// A result too large for one message goes as `result_chunk` events (§8.4,
// the `result_chunk` feature): the agent opens a ResultWriter, writes as it
// produces, and finishes; the job then ends with `job.result {result_id,
// result_size, summary}` instead of an inline value. The client gets each
// chunk as it arrives and never needs the whole result in one frame.
#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <sstream>

using namespace std::chrono_literals;

constexpr std::size_t kChunkBytes = 64 * 1024;

// FNV-1a (64 bit): a small checksum both ends compute over the bytes.
std::uint64_t fnv1a(std::string_view data, std::uint64_t hash = 0xcbf29ce484222325ULL) {
  for (unsigned char c : data) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

std::string hex(std::uint64_t v) {
  std::ostringstream out;
  out << std::hex << std::setw(16) << std::setfill('0') << v;
  return out.str();
}

// Produces `input.lines` numbered CSV lines (about 650 KB for 40000).
arcp::Result<arcp::json::value> export_csv(arcp::JobContext& ctx) {
  auto lines = arcp::get_int(ctx.input().as_object(), "lines").value_or(1000);
  auto writer = ctx.stream_result(arcp::ResultEncoding::kUtf8, kChunkBytes);
  if (!writer) return writer.error();
  std::uint64_t checksum = fnv1a("");
  // Each write() is sent as at least one chunk: gather lines into full chunks.
  std::string pending;
  for (std::int64_t i = 0; i < lines; ++i) {
    std::string line = std::to_string(i) + ",item-" + std::to_string(i * 7919 % 100000) + "\n";
    checksum = fnv1a(line, checksum);
    pending += line;
    if (pending.size() < kChunkBytes && i + 1 < lines) continue;
    std::size_t n = i + 1 < lines ? kChunkBytes : pending.size();
    // write() splits into chunks of at most kChunkBytes; past the runtime's
    // caps it fails and the job ends with that error (never a truncated result).
    if (auto r = writer->write(std::string_view(pending).substr(0, n)); !r) return r.error();
    pending.erase(0, n);
  }
  // The summary travels in job.result: here, the checksum the client checks.
  return writer->finish("fnv1a64=" + hex(checksum));
}

int main() {
  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kWarn;
  arcp::Runtime runtime(options);
  if (!runtime.register_agent("export-csv", export_csv)) return 1;
  auto url = runtime.listen({.listen_url = "ws://127.0.0.1:0/arcp"});
  if (!url) return 1;

  arcp::ClientOptions client_options;
  client_options.token = "example-token";  // `result_chunk` is among the default features
  auto client = arcp::Client::connect(*url, client_options);
  if (!client) return 1;
  auto job =
      (*client)->submit({.agent = "export-csv", .input = arcp::json::object{{"lines", 40000}}});
  if (!job) return 1;

  // Reassemble as chunks arrive: the sink sees the decoded bytes in chunk
  // order (set right after submit; result_bytes() would assemble them too).
  std::string assembled;
  job->stream_result_to([&](std::string_view piece) -> arcp::Result<void> {
    assembled.append(piece);
    return {};
  });
  int chunks = 0;
  while (auto event = job->next_event(30s))
    if (event->kind == "result_chunk") ++chunks;
  auto reference = job->result();  // {result_id, result_size, summary}
  if (!reference) {
    std::cerr << reference.error().describe() << "\n";
    return 1;
  }
  const auto& ref = reference->as_object();
  std::string expected = std::string(ref.at("summary").as_string());
  std::string computed = "fnv1a64=" + hex(fnv1a(assembled));
  std::cout << "chunks: " << chunks << "\n";
  std::cout << "size: " << assembled.size() << " bytes (result_size "
            << ref.at("result_size").as_int64() << ")\n";
  std::cout << "agent's checksum:  " << expected << "\n";
  std::cout << "client's checksum: " << computed << "\n";
  bool ok = computed == expected &&
            static_cast<std::int64_t>(assembled.size()) == ref.at("result_size").as_int64();
  std::cout << (ok ? "reassembled result matches" : "MISMATCH") << "\n";
  runtime.shutdown();
  return ok ? 0 : 1;
}
