// Shared fixtures: a runtime with the conformance pack, clients over each
// transport, and a raw peer for wire-level assertions.
#pragma once

#include <arcp/client.hpp>
#include <arcp/conformance_agents.hpp>
#include <arcp/runtime.hpp>
#include <arcp/transports.hpp>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace arcp::test {

inline constexpr auto kWait = std::chrono::seconds(10);

RuntimeOptions default_runtime_options();

/// A runtime with two principals: token "alice-token" → alice, "bob-token" → bob.
class TestRuntime {
 public:
  explicit TestRuntime(RuntimeOptions options = default_runtime_options());
  Runtime& runtime() { return *runtime_; }

  /// A new memory-transport connection served by the runtime (client end).
  std::shared_ptr<Connection> memory_connection();
  /// Starts (once) a ws:// listener and returns its URL.
  std::string websocket_url();

  std::shared_ptr<Client> connect_memory(const std::string& token = "alice-token",
                                         ClientOptions options = {});

 private:
  std::unique_ptr<Runtime> runtime_;
  std::string ws_url_;
};

/// Speaks raw frames: for asserting exact wire behaviour.
class RawPeer {
 public:
  explicit RawPeer(std::shared_ptr<Connection> conn);
  ~RawPeer();
  void send_text(const std::string& text);
  /// Sends an envelope (arcp/id filled in when empty). Returns its id.
  std::string send(const std::string& type, json::object payload, const std::string& job_id = {});
  /// Next decoded envelope, or nullopt on timeout/close.
  std::optional<Envelope> next(std::chrono::milliseconds timeout = kWait);
  /// Skips envelopes until one of `type` arrives (nullopt on timeout).
  std::optional<Envelope> next_of(std::string_view type, std::chrono::milliseconds timeout = kWait);
  /// hello + welcome; returns the welcome.
  std::optional<Envelope> handshake(const std::string& token = "alice-token",
                                    json::array features = json::array{"heartbeat", "progress",
                                                                       "agent_versions",
                                                                       "lease_expires_at"});
  bool wait_closed(std::chrono::milliseconds timeout = kWait);
  std::string session_id;

 private:
  std::shared_ptr<Connection> conn_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> frames_;
  bool closed_ = false;
};

/// Drains a job's events until its terminal message; returns them in order.
std::vector<JobEvent> drain_events(JobHandle& job);

}  // namespace arcp::test
