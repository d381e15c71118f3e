#include <algorithm>
#include <arcp/runtime.hpp>

#include "runtime/connection_handler.hpp"
#include "runtime/runtime_impl.hpp"

namespace arcp {

Runtime::Impl::Impl(RuntimeOptions o)
    : opts(std::move(o)),
      timers_work(boost::asio::make_work_guard(*timers)),
      workers(std::max<std::size_t>(1, opts.worker_threads)) {
  for (const auto& [token, principal] : opts.tokens) auth.add_token(token, principal);
  auth.allow_anonymous(opts.allow_anonymous);
  // What this runtime implements today; the welcome advertises the intersection.
  supported = FeatureSet{feature::kHeartbeat, feature::kLeaseExpiresAt, feature::kProgress,
                         feature::kAgentVersions};
  timer_thread = std::thread([t = timers] { t->run(); });
}

void Runtime::Impl::arm_sweep() {
  sweep_timer = std::make_unique<boost::asio::steady_timer>(*timers, opts.sweep_interval);
  std::weak_ptr<Impl> weak = weak_from_this();
  sweep_timer->async_wait([weak](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->sweep();
      std::lock_guard lock(self->mu);
      if (!self->shutting_down) self->arm_sweep();
    }
  });
}

void Runtime::Impl::sweep() {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<runtime::Job>> dropped;  // destroyed outside the lock
  std::lock_guard lock(mu);
  std::erase_if(sessions,
                [&](const auto& kv) { return kv.second->idle_since(now - opts.resume_window); });
  for (auto it = jobs.begin(); it != jobs.end();) {
    if (it->second->finished_before(now - opts.idempotency_window)) {
      dropped.push_back(std::move(it->second));
      it = jobs.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(idempotency,
                [&](const auto& kv) { return now - kv.second.created > opts.idempotency_window; });
}

Runtime::Impl::~Impl() {
  shutdown();
  workers.join();
  timers_work.reset();
  timers->stop();
  if (timer_thread.joinable()) timer_thread.join();
}

void Runtime::Impl::shutdown() {
  std::vector<std::unique_ptr<WebSocketServer>> to_stop;
  std::vector<std::shared_ptr<runtime::Job>> to_abort;
  std::vector<std::shared_ptr<runtime::ConnectionHandler>> to_close;
  {
    std::lock_guard lock(mu);
    if (shutting_down) return;
    shutting_down = true;
    if (sweep_timer) sweep_timer->cancel();
    for (auto& [id, job] : jobs) to_abort.push_back(job);
    to_close.assign(handlers.begin(), handlers.end());
  }
  // Jobs end first so their terminal events are flushed with the connections.
  for (auto& job : to_abort)
    if (!is_terminal(job->status())) job->abort("runtime shutting down");
  for (auto& h : to_close) h->close();
  {
    std::lock_guard lock(mu);
    to_stop = std::move(servers);
  }
  for (auto& s : to_stop) s->stop();
}

Runtime::Runtime(RuntimeOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {
  std::lock_guard lock(impl_->mu);
  impl_->arm_sweep();
}

RuntimeStats Runtime::stats() const {
  std::lock_guard lock(impl_->mu);
  RuntimeStats s;
  s.sessions = impl_->sessions.size();
  s.jobs = impl_->jobs.size();
  s.connections = impl_->handlers.size();
  s.idempotency_keys = impl_->idempotency.size();
  return s;
}

void Runtime::sweep() {
  impl_->sweep();
}

Runtime::~Runtime() {
  impl_->shutdown();
}

Result<void> Runtime::register_agent(const std::string& name, AgentHandler handler,
                                     AgentOptions options) {
  return impl_->agents.add(name, std::move(handler), options);
}

void Runtime::register_extension(const std::string& type, ExtensionHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->extensions[type] = std::move(handler);
}

void Runtime::serve(std::shared_ptr<Connection> connection) {
  auto handler = std::make_shared<runtime::ConnectionHandler>(impl_, std::move(connection));
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->shutting_down) {
      handler->close();
      return;
    }
    impl_->handlers.insert(handler);
  }
  handler->start();
}

Result<std::string> Runtime::listen(WebSocketServerOptions options) {
  options.max_frame_bytes = impl_->opts.max_frame_bytes;
  auto server = WebSocketServer::start(
      options, [this](std::shared_ptr<Connection> c) { serve(std::move(c)); });
  if (!server) return server.error();
  std::string url = server.value()->url();
  std::lock_guard lock(impl_->mu);
  impl_->servers.push_back(std::move(server.value()));
  return url;
}

void Runtime::shutdown() {
  impl_->shutdown();
}

}  // namespace arcp
