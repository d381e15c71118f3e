// The ARCP runtime (server side): sessions, jobs, agents.
#pragma once

#include <arcp/agent.hpp>
#include <arcp/connection.hpp>
#include <arcp/envelope.hpp>
#include <arcp/error.hpp>
#include <arcp/websocket_server.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace arcp {

struct RuntimeOptions {
  std::string name = "arcp-cpp";
  std::string version = "0.1.0";
  /// Bearer token → principal. With no tokens and `allow_anonymous`, any hello
  /// is accepted as principal "anonymous".
  std::vector<std::pair<std::string, std::string>> tokens;
  bool allow_anonymous = false;

  std::chrono::seconds heartbeat_interval{30};
  std::chrono::seconds resume_window{600};
  /// Time a cancelled agent gets to return before the job is ended for it.
  std::chrono::milliseconds cancel_grace{30000};
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  std::size_t max_concurrent_jobs_per_session = 256;
  /// Cap on events kept per session for replay (oldest evicted first).
  std::size_t max_buffered_events = 100000;
  std::size_t worker_threads = 32;
  /// Idempotency keys, and finished jobs, are remembered this long (v1.0 §7.2 default: 24 h).
  std::chrono::seconds idempotency_window{24 * 3600};
  /// How often forgotten sessions and expired jobs/keys are swept from memory.
  std::chrono::seconds sweep_interval{30};
};

/// Counts of what the runtime holds in memory (for operators and tests).
struct RuntimeStats {
  std::size_t sessions = 0;     // including detached ones kept for the resume window
  std::size_t jobs = 0;         // running and retained finished jobs
  std::size_t connections = 0;  // attached transports
  std::size_t idempotency_keys = 0;
};

/// Handler for a registered `x-vendor.*` message type. Return an envelope
/// payload to reply with the same type, or nullopt for no reply.
using ExtensionHandler =
    std::function<std::optional<json::object>(const std::string& principal, const Envelope& env)>;

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Registers `name` at `options.version`. Names follow §7.5.
  Result<void> register_agent(const std::string& name, AgentHandler handler,
                              AgentOptions options = {});
  void register_extension(const std::string& type, ExtensionHandler handler);

  /// Serves one connection of any transport (memory, stdio, WebSocket).
  void serve(std::shared_ptr<Connection> connection);
  /// Starts a WebSocket listener feeding serve(); returns the bound URL.
  Result<std::string> listen(WebSocketServerOptions options);

  /// Graceful shutdown: stops listeners, ends running jobs with
  /// INTERNAL_ERROR (retryable), flushes and closes every connection.
  void shutdown();

  RuntimeStats stats() const;
  /// Sweeps now (it also runs every `sweep_interval`): drops sessions detached
  /// longer than the resume window with no running job, and jobs and
  /// idempotency keys older than the idempotency window.
  void sweep();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace arcp
