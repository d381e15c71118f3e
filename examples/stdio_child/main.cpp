// A parent program that spawns a child runtime speaking ARCP over the
// child's stdin/stdout (NDJSON: one envelope per line), and submits to it.
//
// The same executable plays both parts: run without arguments it is the
// parent; the parent re-runs it with `--child`, which serves one session on
// stdin/stdout until its input closes. This is how an editor or a CLI can
// embed an agent runtime without opening a port.
#include <unistd.h>  // STDIN_FILENO, STDOUT_FILENO, getpid

#include <arcp/client.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>

namespace {

// Tells the child's main thread when the parent has closed the session's
// transport (the stdio connection reports it through on_closed, on its
// reader thread, which may outlive this wrapper: the state is shared).
class ClosedSignal : public arcp::Connection {
 public:
  explicit ClosedSignal(std::shared_ptr<arcp::Connection> inner) : inner_(std::move(inner)) {}
  void start(arcp::ConnectionHandlers handlers) override {
    auto runtime_closed = std::move(handlers.on_closed);
    handlers.on_closed = [state = state_, runtime_closed] {
      if (runtime_closed) runtime_closed();
      std::lock_guard lock(state->mu);
      state->closed = true;
      state->cv.notify_all();
    };
    inner_->start(std::move(handlers));
  }
  void send(arcp::Frame frame) override { inner_->send(std::move(frame)); }
  void close() override { inner_->close(); }
  std::size_t queued_bytes() const override { return inner_->queued_bytes(); }
  void set_send_budget(std::size_t bytes) override { inner_->set_send_budget(bytes); }
  std::string description() const override { return inner_->description(); }
  void wait() {
    std::unique_lock lock(state_->mu);
    state_->cv.wait(lock, [&] { return state_->closed; });
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool closed = false;
  };
  std::shared_ptr<arcp::Connection> inner_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// The child: a runtime serving one session on stdin/stdout. Its stdout is
// the protocol stream, so nothing else may be printed there.
int run_child() {
  arcp::RuntimeOptions options;
  options.allow_anonymous = true;              // only the parent that spawned it can talk to it
  options.log_sink = [](std::string_view) {};  // stderr is the parent's: keep it quiet
  options.audit_log = [](const std::string&) {};
  arcp::Runtime runtime(options);
  (void)runtime.register_agent(
      "whoami", [](arcp::JobContext& ctx) -> arcp::Result<arcp::json::value> {
        return arcp::json::object{{"pid", static_cast<std::int64_t>(getpid())},
                                  {"principal", ctx.principal()}};
      });
  auto connection =
      std::make_shared<ClosedSignal>(arcp::make_stdio_connection(STDIN_FILENO, STDOUT_FILENO));
  runtime.serve(connection);
  connection->wait();  // until the parent closes our stdin
  runtime.shutdown();
  return 0;
}

int run_parent(const std::string& self) {
  // Equivalent URL form: Client::connect("stdio:" + self + " --child", ...),
  // which splits the command on spaces; spawn_stdio_child takes argv as is.
  auto child = arcp::spawn_stdio_child({self, "--child"});
  if (!child) {
    std::cerr << "spawn: " << child.error().describe() << "\n";
    return 1;
  }
  auto client = arcp::Client::connect(*child, {});  // no token: the child allows anonymous
  if (!client) {
    std::cerr << "connect: " << client.error().describe() << "\n";
    return 1;
  }
  std::cout << "connected to " << (*client)->welcome().runtime_name << " over stdio\n";
  auto job = (*client)->submit({.agent = "whoami"});
  if (!job) return 1;
  auto result = job->result();
  if (!result) return 1;
  auto child_pid = result->at("pid").as_int64();
  std::cout << "job ran in another process: " << (child_pid != getpid() ? "yes" : "no") << "\n";
  std::cout << "principal: " << std::string(result->at("principal").as_string()) << "\n";
  // session.close, then closing the connection closes the child's stdin and
  // reaps it: the child's serve loop ends and it exits.
  if (auto r = (*client)->close(); !r) return 1;
  std::cout << "closed; the child exits when its stdin closes\n";
  return child_pid != getpid() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--child") return run_child();
  // This program's own path, to re-run it as the child.
  std::error_code ec;
  auto self = std::filesystem::canonical("/proc/self/exe", ec);
  return run_parent(ec ? std::string(argv[0]) : self.string());
}
