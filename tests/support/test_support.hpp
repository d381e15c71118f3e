// Shared fixtures: a runtime with the conformance pack, clients over each
// transport, and a raw peer for wire-level assertions.
#pragma once

#include <arcp/agent.hpp>
#include <arcp/client.hpp>
#include <arcp/conformance_agents.hpp>
#include <arcp/runtime.hpp>
#include <arcp/transports.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
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

/// A `session.hello` payload resuming `session_id` (§6.3) with bearer `token`.
json::object resume_hello(const std::string& token, const std::string& session_id,
                          const std::string& resume_token, std::int64_t last_event_seq,
                          json::array features = {});

/// Drains a job's events until its terminal message; returns them in order.
std::vector<JobEvent> drain_events(JobHandle& job);

/// An agent the test paces: step i (a `log` "step i") is emitted once the
/// test has released i steps; it returns `{steps}` after `input.steps`.
class Gate {
 public:
  Gate();
  void release(int steps = 1);
  AgentHandler handler() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Agents that check in when they run and then wait until the test opens
/// the latch (or their job is stopped): for asserting that many jobs are
/// waiting at once, with no timing involved. Returns `{released: true}`.
class Latch {
 public:
  Latch();
  /// Holds no thread while it waits.
  AsyncAgentHandler coroutine_agent() const;
  /// Holds a blocking-pool thread while it waits.
  AgentHandler blocking_agent() const;
  /// Waits (up to kWait) until `n` agents are waiting at once.
  bool wait_for_waiting(std::size_t n) const;
  /// Waits (up to kWait) until `n` agents have returned, whichever way.
  bool wait_for_returned(std::size_t n) const;
  std::size_t waiting() const;
  /// Agents of `principal` waiting now.
  std::size_t waiting_of(const std::string& principal) const;
  void open();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A memory link through a relay the test controls, to play a network that
/// goes silent (freeze) or drops (cut) under a client.
class Relay {
 public:
  explicit Relay(Runtime& runtime);
  ~Relay();
  /// The end to give a client.
  std::shared_ptr<Connection> client_end() const { return client_end_; }
  /// From now on nothing passes in either direction; nobody is told.
  void freeze();
  /// Closes both halves, as a dropped connection would.
  void cut();
  /// Loses the next job.event frame on its way to the client.
  void drop_next_event();
  /// Sees every frame the client sends (on the relay's thread).
  void on_client_frame(std::function<void(const std::string&)> tap);

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::shared_ptr<Connection> client_end_;
};

/// Waits (up to kWait) until `pred` holds, re-checking as `poll` fires; for
/// state that has no event to wait on (runtime stats).
bool eventually(const std::function<bool()>& pred);

/// Runs a shell command; returns its stdout and sets its exit code.
std::string run_command(const std::string& cmd, int& exit_code);

#ifdef ARCP_CLI_PATH
/// `arcp serve` in its own process (a real process that can be killed -9).
class ServeProcess {
 public:
  /// `args` follow `arcp serve --listen ws://127.0.0.1:0/arcp`; `shell_prefix`
  /// runs before it in the same shell (e.g. "ulimit -n 64;").
  explicit ServeProcess(const std::string& args, const std::string& shell_prefix = {});
  ~ServeProcess();
  const std::string& url() const { return url_; }
  const std::string& pid() const { return pid_; }
  void kill(int signal);
  /// Waits for the process to end; its exit status as the shell reports it
  /// (128+N for a signal N), or -1 when it could not be read.
  int wait_exit();

 private:
  FILE* pipe_ = nullptr;
  std::string pid_;
  std::string url_;
};
#endif

}  // namespace arcp::test
