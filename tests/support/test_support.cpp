#include "support/test_support.hpp"

#include <arcp/ids.hpp>

namespace arcp::test {

RuntimeOptions default_runtime_options() {
  RuntimeOptions o;
  o.tokens = {{"alice-token", "alice"}, {"bob-token", "bob"}};
  o.cancel_grace = std::chrono::milliseconds(300);
  o.worker_threads = 8;
  return o;
}

TestRuntime::TestRuntime(RuntimeOptions options)
    : runtime_(std::make_unique<Runtime>(std::move(options))) {
  auto r = register_conformance_agents(*runtime_);
  if (!r) throw std::runtime_error(r.error().describe());
}

std::shared_ptr<Connection> TestRuntime::memory_connection() {
  auto [client_end, runtime_end] = make_memory_pair();
  runtime_->serve(runtime_end);
  return client_end;
}

std::string TestRuntime::websocket_url() {
  if (ws_url_.empty()) {
    WebSocketServerOptions wo;
    wo.listen_url = "ws://127.0.0.1:0/arcp";
    auto url = runtime_->listen(wo);
    if (!url) throw std::runtime_error(url.error().describe());
    ws_url_ = url.value();
  }
  return ws_url_;
}

std::shared_ptr<Client> TestRuntime::connect_memory(const std::string& token,
                                                    ClientOptions options) {
  options.token = token;
  auto c = Client::connect(memory_connection(), options);
  if (!c) throw std::runtime_error(c.error().describe());
  return c.value();
}

RawPeer::RawPeer(std::shared_ptr<Connection> conn) : conn_(std::move(conn)) {
  ConnectionHandlers h;
  h.on_frame = [this](std::string text) {
    std::lock_guard lock(mu_);
    frames_.push_back(std::move(text));
    cv_.notify_all();
  };
  h.on_closed = [this] {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  };
  conn_->start(std::move(h));
}

RawPeer::~RawPeer() {
  conn_->close();
  wait_closed(std::chrono::seconds(5));
}

void RawPeer::send_text(const std::string& text) {
  conn_->send(make_frame(text));
}

std::string RawPeer::send(const std::string& type, json::object payload,
                          const std::string& job_id) {
  Envelope env;
  env.id = new_id("msg");
  env.type = type;
  env.session_id = session_id;
  env.job_id = job_id;
  env.payload = std::move(payload);
  send_text(encode_envelope(env));
  return env.id;
}

std::optional<Envelope> RawPeer::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return !frames_.empty() || closed_; }))
    return std::nullopt;
  if (frames_.empty()) return std::nullopt;
  std::string text = std::move(frames_.front());
  frames_.pop_front();
  lock.unlock();
  auto env = decode_envelope(text);
  if (!env) return std::nullopt;
  return env.value();
}

std::optional<Envelope> RawPeer::next_of(std::string_view type, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto env = next(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!env) return std::nullopt;
    if (env->type == type) return env;
  }
  return std::nullopt;
}

std::optional<Envelope> RawPeer::handshake(const std::string& token, json::array features) {
  json::object payload{
      {"client", json::object{{"name", "raw-peer"}, {"version", "1"}}},
      {"auth", json::object{{"scheme", "bearer"}, {"token", token}}},
      {"capabilities", json::object{{"encodings", json::array{"json"}}, {"features", features}}}};
  send("session.hello", std::move(payload));
  auto welcome = next();
  if (welcome && welcome->type == "session.welcome") session_id = welcome->session_id;
  return welcome;
}

bool RawPeer::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return closed_; });
}

std::vector<JobEvent> drain_events(JobHandle& job) {
  std::vector<JobEvent> out;
  while (auto ev = job.next_event(kWait)) out.push_back(std::move(*ev));
  return out;
}

}  // namespace arcp::test
