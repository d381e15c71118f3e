// The ARCP client: one session over any transport, submitting and driving jobs.
#pragma once

#include <arcp/connection.hpp>
#include <arcp/envelope.hpp>
#include <arcp/error.hpp>
#include <arcp/features.hpp>
#include <arcp/job_handle.hpp>
#include <arcp/session_messages.hpp>
#include <arcp/transports.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace arcp {

struct ClientOptions {
  std::string token;  // bearer token (secret: never logged)
  std::string client_name = "arcp-cpp";
  std::string client_version = "0.1.0";
  /// Features offered in the hello; the session uses the intersection.
  FeatureSet features{feature::kHeartbeat, feature::kLeaseExpiresAt, feature::kProgress,
                      feature::kAgentVersions};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{30000};
  WebSocketClientOptions websocket;
};

struct SubmitOptions {
  std::string agent;
  json::value input = json::object{};
  json::object lease_request;
  std::optional<json::object> lease_constraints;
  std::string idempotency_key;
  std::optional<std::int64_t> max_runtime_sec;
  std::string trace_id;  // optional: 32-hex trace id or traceparent
};

class Client {
 public:
  /// `ws://…`, `wss://…`, or `stdio:<command> [args…]` (spawns the runtime).
  static Result<std::shared_ptr<Client>> connect(const std::string& url,
                                                 ClientOptions options = {});
  /// Any already-open transport (e.g. one end of make_memory_pair()).
  static Result<std::shared_ptr<Client>> connect(std::shared_ptr<Connection> connection,
                                                 ClientOptions options = {});
  ~Client();

  const std::string& session_id() const;
  const Welcome& welcome() const;
  /// Effective features: intersection of what we offered and the welcome.
  const FeatureSet& features() const;

  /// Sends `job.submit` and waits for `job.accepted` (or the rejection).
  Result<JobHandle> submit(const SubmitOptions& options);
  /// Non-blocking submit: `done` runs once, on the reader thread, with the
  /// handle or the rejection. The async API (async.hpp) is built on it.
  void submit(const SubmitOptions& options, std::function<void(Result<JobHandle>)> done);
  /// Non-blocking connect: the transport is opened and the handshake awaited
  /// on a helper thread; `done` runs once with the client or the error.
  static void connect(const std::string& url, ClientOptions options,
                      std::function<void(Result<std::shared_ptr<Client>>)> done);
  /// `job.cancel` for a job of this session.
  Result<void> cancel(const std::string& job_id, const std::string& reason = {});
  /// Sends a raw envelope (session_id filled in); for tools and tests.
  void send(Envelope env);
  /// Observes every inbound envelope (decoded) and its raw text, on the reader thread.
  void on_envelope(std::function<void(const Envelope&, const std::string& raw)> observer);
  /// Errors the runtime sent that belong to no pending request.
  std::optional<Error> next_session_error(std::chrono::milliseconds timeout);

  /// Graceful `session.close` → `session.closed`; jobs keep running server-side.
  Result<void> close();
  bool connected() const;

  struct Core;

 private:
  explicit Client(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace arcp
