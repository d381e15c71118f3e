#include "support/test_support.hpp"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <arcp/ids.hpp>
#include <arcp/job_context.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stop_token>
#include <thread>

namespace arcp::test {

RuntimeOptions default_runtime_options() {
  RuntimeOptions o;
  o.tokens = {{"alice-token", "alice"}, {"bob-token", "bob"}};
  o.cancel_grace = std::chrono::milliseconds(300);
  o.log_level = LogLevel::kWarn;  // keep test output to what matters
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
  if (!options.reconnect)
    options.reconnect = [this]() -> Result<std::shared_ptr<Connection>> {
      return memory_connection();
    };
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

json::object resume_hello(const std::string& token, const std::string& session_id,
                          const std::string& resume_token, std::int64_t last_event_seq,
                          json::array features) {
  return json::object{{"client", json::object{{"name", "raw-peer"}, {"version", "1"}}},
                      {"auth", json::object{{"scheme", "bearer"}, {"token", token}}},
                      {"capabilities", json::object{{"encodings", json::array{"json"}},
                                                    {"features", std::move(features)}}},
                      {"resume", json::object{{"session_id", session_id},
                                              {"resume_token", resume_token},
                                              {"last_event_seq", last_event_seq}}}};
}

std::vector<JobEvent> drain_events(JobHandle& job) {
  std::vector<JobEvent> out;
  while (auto ev = job.next_event(kWait)) out.push_back(std::move(*ev));
  return out;
}

struct Gate::State {
  std::mutex mu;
  std::condition_variable cv;
  int released = 0;
};

Gate::Gate() : state_(std::make_shared<State>()) {}

void Gate::release(int steps) {
  std::lock_guard lock(state_->mu);
  state_->released += steps;
  state_->cv.notify_all();
}

AgentHandler Gate::handler() const {
  return [st = state_](JobContext& ctx) -> Result<json::value> {
    std::int64_t steps = 3;
    if (ctx.input().is_object()) steps = get_int(ctx.input().get_object(), "steps").value_or(3);
    for (std::int64_t i = 1; i <= steps; ++i) {
      {
        std::unique_lock lock(st->mu);
        // Re-checks cancellation between short waits: the stop token has no
        // hook into this condition variable.
        while (!st->cv.wait_for(lock, std::chrono::milliseconds(20),
                                [&] { return st->released >= i; }))
          if (ctx.cancelled()) return Error(ErrorCode::kCancelled, "cancelled");
      }
      if (auto r = ctx.log("info", "step " + std::to_string(i)); !r) return r.error();
    }
    return json::object{{"steps", steps}};
  };
}

struct Latch::State {
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  bool opened = false;
  std::map<std::string, std::size_t> waiting;  // by principal
  std::size_t total_waiting = 0;
  std::size_t returned = 0;
  std::vector<std::weak_ptr<boost::asio::steady_timer>> timers;

  void arrive(const std::string& principal) {
    ++waiting[principal];
    ++total_waiting;
    cv.notify_all();
  }
  void leave(const std::string& principal) {
    std::lock_guard lock(mu);
    --waiting[principal];
    --total_waiting;
    ++returned;
    cv.notify_all();
  }
};

Latch::Latch() : state_(std::make_shared<State>()) {}

AsyncAgentHandler Latch::coroutine_agent() const {
  return [st = state_](JobContext& ctx) -> Awaitable<Result<json::value>> {
    auto ex = co_await boost::asio::this_coro::executor;
    auto timer = std::make_shared<boost::asio::steady_timer>(
        ex, boost::asio::steady_timer::time_point::max());
    bool wait = false;
    {
      std::lock_guard lock(st->mu);
      st->arrive(ctx.principal());
      wait = !st->opened;
      if (wait) st->timers.push_back(timer);
    }
    if (wait) {
      using namespace boost::asio::experimental::awaitable_operators;
      // Whichever comes first: the test opens the latch, or the job is stopped.
      co_await (timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)) ||
                ctx.async_wait_stopped());
    }
    st->leave(ctx.principal());
    if (ctx.cancelled()) co_return Error(ErrorCode::kCancelled, "stopped while waiting");
    co_return json::object{{"released", true}};
  };
}

AgentHandler Latch::blocking_agent() const {
  return [st = state_](JobContext& ctx) -> Result<json::value> {
    {
      std::lock_guard lock(st->mu);
      st->arrive(ctx.principal());
    }
    {
      // Registered outside the lock: it runs at once when the stop came first.
      std::stop_callback wake(ctx.stop_token(), [st] {
        std::lock_guard lock(st->mu);
        st->cv.notify_all();
      });
      std::unique_lock lock(st->mu);
      st->cv.wait(lock, [&] { return st->opened || ctx.cancelled(); });
    }
    st->leave(ctx.principal());
    if (ctx.cancelled()) return Error(ErrorCode::kCancelled, "stopped while waiting");
    return json::object{{"released", true}};
  };
}

bool Latch::wait_for_waiting(std::size_t n) const {
  std::unique_lock lock(state_->mu);
  return state_->cv.wait_for(lock, kWait, [&] { return state_->total_waiting >= n; });
}

bool Latch::wait_for_returned(std::size_t n) const {
  std::unique_lock lock(state_->mu);
  return state_->cv.wait_for(lock, kWait, [&] { return state_->returned >= n; });
}

std::size_t Latch::waiting() const {
  std::lock_guard lock(state_->mu);
  return state_->total_waiting;
}

std::size_t Latch::waiting_of(const std::string& principal) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->waiting.find(principal);
  return it == state_->waiting.end() ? 0 : it->second;
}

void Latch::open() {
  std::lock_guard lock(state_->mu);
  state_->opened = true;
  for (auto& weak : state_->timers)
    if (auto t = weak.lock()) boost::asio::post(t->get_executor(), [t] { t->cancel(); });
  state_->timers.clear();
  state_->cv.notify_all();
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "arcp-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

struct Relay::State {
  std::mutex mu;
  bool frozen = false;
  bool drop_next_event = false;
  std::function<void(const std::string&)> tap;
  std::shared_ptr<Connection> to_client;   // relay's end of the client pair
  std::shared_ptr<Connection> to_runtime;  // relay's end of the runtime pair
};

Relay::Relay(Runtime& runtime) : state_(std::make_shared<State>()) {
  auto [client_end, relay_client_side] = make_memory_pair();
  auto [relay_runtime_side, runtime_end] = make_memory_pair();
  client_end_ = client_end;
  state_->to_client = relay_client_side;
  state_->to_runtime = relay_runtime_side;
  auto forward = [weak = std::weak_ptr<State>(state_)](bool to_runtime) {
    ConnectionHandlers h;
    h.on_frame = [weak, to_runtime](std::string text) {
      auto st = weak.lock();
      if (!st) return;
      std::shared_ptr<Connection> out;
      std::function<void(const std::string&)> tap;
      {
        std::lock_guard lock(st->mu);
        if (st->frozen) return;
        if (to_runtime) tap = st->tap;
        if (!to_runtime && st->drop_next_event &&
            text.find("\"type\":\"job.event\"") != std::string::npos) {
          st->drop_next_event = false;
          return;
        }
        out = to_runtime ? st->to_runtime : st->to_client;
      }
      if (tap) tap(text);
      if (out) out->send(make_frame(std::move(text)));
    };
    h.on_closed = [weak, to_runtime] {
      auto st = weak.lock();
      if (!st) return;
      std::shared_ptr<Connection> other;
      {
        std::lock_guard lock(st->mu);
        if (st->frozen) return;  // a frozen network tells nobody anything
        other = to_runtime ? st->to_runtime : st->to_client;
      }
      if (other) other->close();
    };
    return h;
  };
  state_->to_client->start(forward(true));
  state_->to_runtime->start(forward(false));
  runtime.serve(runtime_end);
}

Relay::~Relay() {
  std::shared_ptr<Connection> a, b;
  {
    std::lock_guard lock(state_->mu);
    a = state_->to_client;
    b = state_->to_runtime;
  }
  a->close();
  b->close();
}

void Relay::freeze() {
  std::lock_guard lock(state_->mu);
  state_->frozen = true;
}

void Relay::on_client_frame(std::function<void(const std::string&)> tap) {
  std::lock_guard lock(state_->mu);
  state_->tap = std::move(tap);
}

void Relay::drop_next_event() {
  std::lock_guard lock(state_->mu);
  state_->drop_next_event = true;
}

void Relay::cut() {
  state_->to_client->close();
  state_->to_runtime->close();
}

bool eventually(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // polling a condition, not timing
  }
  return true;
}

std::string run_command(const std::string& cmd, int& exit_code) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

#ifdef ARCP_CLI_PATH
ServeProcess::ServeProcess(const std::string& args, const std::string& shell_prefix) {
  std::string cmd = shell_prefix + " " + std::string(ARCP_CLI_PATH) +
                    " serve --listen ws://127.0.0.1:0/arcp " + args +
                    " & pid=$! ; echo $pid ; wait $pid ; echo arcp-exit:$?";
  pipe_ = ::popen(cmd.c_str(), "r");
  if (!pipe_) throw std::runtime_error("popen failed");
  char line[512];
  if (!std::fgets(line, sizeof line, pipe_)) throw std::runtime_error("arcp serve: no pid");
  pid_ = std::string(line).substr(0, std::string(line).find('\n'));
  if (!std::fgets(line, sizeof line, pipe_)) throw std::runtime_error("arcp serve: no URL");
  std::string l(line);
  auto at = l.find("ws://");
  if (at == std::string::npos) throw std::runtime_error("arcp serve said: " + l);
  url_ = l.substr(at, l.find('\n') - at);
}

ServeProcess::~ServeProcess() {
  kill(SIGTERM);
  ::pclose(pipe_);
}

int ServeProcess::wait_exit() {
  char line[512];
  while (std::fgets(line, sizeof line, pipe_)) {
    std::string l(line);
    if (l.rfind("arcp-exit:", 0) == 0) {
      pid_.clear();
      return std::stoi(l.substr(10));
    }
  }
  return -1;
}

void ServeProcess::kill(int signal) {
  if (pid_.empty()) return;
  ::kill(static_cast<pid_t>(std::stol(pid_)), signal);
  if (signal == SIGKILL) {
    // The shell's `wait` returns once the child is gone; read to EOF.
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe_)) {
    }
    ::pclose(pipe_);
    pipe_ = ::popen("true", "r");  // the destructor's pclose stays valid
    pid_.clear();
  }
}
#endif

}  // namespace arcp::test
