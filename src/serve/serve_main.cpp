// serve_main(): the whole `arcp serve` for a program's own agents.
#include <fmt/core.h>
#include <pthread.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <arcp/conformance_agents.hpp>
#include <arcp/serve.hpp>
#include <arcp/tracing.hpp>
#include <arcp/transports.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>

#include "serve/json_config.hpp"
#include "serve/serve_flags.hpp"

namespace arcp {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

// Lets the stdio transport's end of input end run_until_signal(). The
// transport's reader thread may report after the Runtime is gone, so the
// callback reaches it only through this guarded pointer.
struct StopOnClose {
  std::mutex mu;
  Runtime* runtime = nullptr;
  void fire() {
    std::lock_guard lock(mu);
    if (runtime != nullptr) runtime->request_stop();
  }
  void detach() {
    std::lock_guard lock(mu);
    runtime = nullptr;
  }
};

// A stdio connection that also tells `on_close` when its input ends.
struct NotifyingConnection : Connection {
  std::shared_ptr<Connection> inner;
  std::function<void()> on_close;
  void start(ConnectionHandlers h) override {
    auto user = std::move(h.on_closed);
    h.on_closed = [user, cb = on_close] {
      if (user) user();
      cb();
    };
    inner->start(std::move(h));
  }
  void send(Frame f) override { inner->send(std::move(f)); }
  void close() override { inner->close(); }
  std::size_t queued_bytes() const override { return inner->queued_bytes(); }
  void set_send_budget(std::size_t bytes) override { inner->set_send_budget(bytes); }
  std::string description() const override { return inner->description(); }
};

// SIGINT and SIGTERM blocked on this thread for the object's lifetime.
class BlockedStopSignals {
 public:
  BlockedStopSignals() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous_);
  }
  ~BlockedStopSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  BlockedStopSignals(const BlockedStopSignals&) = delete;
  BlockedStopSignals& operator=(const BlockedStopSignals&) = delete;

 private:
  sigset_t previous_{};
};

int run(const serving::ServeFlags& o, const ServeMainOptions& setup) {
  const std::string& program = setup.program;

  auto options = serving::runtime_options_from(o, program);
  if (!options) {
    fmt::print(stderr, "{}: {}\n", program, options.error().message);
    return kExitUsage;
  }
  std::unique_ptr<Runtime> runtime;
  try {
    runtime = std::make_unique<Runtime>(options.value());
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: cannot open the store: {}\n", program, e.what());
    return kExitUsage;
  }
  Runtime& rt = *runtime;
  if (setup.conformance_agents) {
    if (auto r = register_conformance_agents(rt); !r) {
      fmt::print(stderr, "{}: {}\n", program, r.error().describe());
      return kExitUsage;
    }
  }
  if (setup.register_agents) {
    if (auto r = setup.register_agents(rt); !r) {
      fmt::print(stderr, "{}: registering agents: {}\n", program, r.error().describe());
      return kExitUsage;
    }
  }

  auto stop_on_close = std::make_shared<StopOnClose>();
  if (o.stdio) {
    stop_on_close->runtime = &rt;
    auto conn = std::make_shared<NotifyingConnection>();
    conn->inner = make_stdio_connection(STDIN_FILENO, STDOUT_FILENO, options->max_frame_bytes);
    conn->on_close = [stop_on_close] { stop_on_close->fire(); };
    rt.serve(conn);
  } else {
    std::vector<std::string> urls = o.listen;
    if (urls.empty()) urls.push_back("ws://127.0.0.1:7777/arcp");
    for (const auto& url : urls) {
      WebSocketServerOptions wo;
      wo.listen_url = url;
      wo.tls_cert_file = o.tls_cert;
      wo.tls_key_file = o.tls_key;
      if (serving::is_wss(url)) wo.tls_client_ca_file = o.tls_client_ca;
      wo.allowed_hosts = o.allow_hosts;
      wo.io_threads = static_cast<int>(o.io_threads);
      auto bound = rt.listen(wo);
      if (!bound) {
        fmt::print(stderr, "{}: {}\n", program, bound.error().describe());
        return kExitUsage;
      }
      fmt::print("listening on {}\n", bound.value());
    }
    std::fflush(stdout);
  }
  int sig = rt.run_until_signal();
  stop_on_close->detach();
  if (sig != 0) fmt::print(stderr, "{}: signal {} — shut down gracefully\n", program, sig);
  return kExitOk;
}

}  // namespace

int serve_main(int argc, char** argv, ServeMainOptions setup) {
  CLI::App app{setup.description, setup.program};
  app.get_formatter()->column_width(40);
  serving::ServeFlags flags;
  serving::add_serve_flags(app, flags);
  try {
    app.parse(argc, argv);
    if (!flags.config_file.empty()) serving::apply_json_config(app, flags.config_file);
    serving::finish_serve_flags(flags);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  // A signal during start-up (a client may already be served) must end in
  // the graceful shutdown too: blocked now, before any thread of ours (the
  // span exporter's, the runtime's) starts and inherits the mask;
  // run_until_signal() unblocks them on this thread (and keeps them unblocked
  // through the shutdown). The caller's mask comes back on return. Threads
  // the caller started earlier must block them too.
  BlockedStopSignals blocked;
  // §11: spans are exported only when OTEL_* variables ask for it; a caller
  // (the arcp CLI) that installed tracing already keeps its provider.
  const bool own_tracing = !tracing_enabled();
  if (own_tracing) {
    if (auto traced = install_tracing_from_env(setup.program); !traced) {
      fmt::print(stderr, "{}: {}\n", setup.program, traced.error().message);
      return kExitUsage;
    }
  }
  int code = run(flags, setup);
  if (own_tracing) shutdown_tracing();
  return code;
}

}  // namespace arcp
