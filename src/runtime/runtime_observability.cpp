// The runtime's logs, audit trail, metrics text and health endpoints.
#include "runtime/runtime_observability.hpp"

#include <arcp/job_messages.hpp>
#include <cstdio>

#include "observability/prometheus_text.hpp"
#include "runtime/connection_handler.hpp"
#include "runtime/runtime_impl.hpp"

namespace arcp {
namespace runtime {
namespace {

// Counts the bytes of every frame handed to the transport: one relaxed add.
class CountedConnection final : public Connection {
 public:
  CountedConnection(std::shared_ptr<Connection> inner,
                    std::shared_ptr<observability::RuntimeMetrics> metrics)
      : inner_(std::move(inner)), metrics_(std::move(metrics)) {}
  void start(ConnectionHandlers handlers) override { inner_->start(std::move(handlers)); }
  void send(Frame frame) override {
    if (frame) metrics_->bytes_sent.add(frame->size());
    inner_->send(std::move(frame));
  }
  void close() override { inner_->close(); }
  std::size_t queued_bytes() const override { return inner_->queued_bytes(); }
  void set_send_budget(std::size_t bytes) override { inner_->set_send_budget(bytes); }
  std::string peer_identity() const override { return inner_->peer_identity(); }
  std::string description() const override { return inner_->description(); }

 private:
  std::shared_ptr<Connection> inner_;
  std::shared_ptr<observability::RuntimeMetrics> metrics_;
};

observability::StoreOp store_op(store::TimedOp op) {
  switch (op) {
    case store::TimedOp::kCommit:
      return observability::StoreOp::kCommit;
    case store::TimedOp::kReadEvents:
      return observability::StoreOp::kReadEvents;
    case store::TimedOp::kLoad:
      return observability::StoreOp::kLoad;
    case store::TimedOp::kList:
      return observability::StoreOp::kList;
  }
  return observability::StoreOp::kCount;
}

}  // namespace

std::shared_ptr<const Logger> make_runtime_logger(const RuntimeOptions& opts) {
  return std::make_shared<const Logger>(opts.log_sink, opts.log_level);
}

store::SqliteOptions observed_sqlite_options(
    std::shared_ptr<const Logger> logger, std::shared_ptr<observability::RuntimeMetrics> metrics) {
  store::SqliteOptions o;
  o.logger = std::move(logger);
  o.on_timing = [metrics = std::move(metrics)](store::TimedOp op, std::chrono::nanoseconds took) {
    metrics->store_timing(store_op(op), took);
  };
  return o;
}

std::shared_ptr<Connection> counted_connection(std::shared_ptr<Connection> connection,
                                               const Runtime::Impl& rt) {
  rt.metrics->connections_opened.add();
  rt.log(LogLevel::kDebug, "connection.opened", json::object{{"peer", connection->description()}});
  return std::make_shared<CountedConnection>(std::move(connection), rt.metrics);
}

void audit_legacy_line(const Runtime::Impl& rt, const std::string& line, bool also_log) {
  auto parsed = parse_json(line);
  if (!parsed || !parsed->is_object()) {
    rt.audit_event("audit", json::object{{"line", line}});
    return;
  }
  json::object fields = std::move(parsed->get_object());
  std::string event = "audit";
  for (const char* key : {"event", "type"}) {
    if (const auto* e = get_string(fields, key)) event = std::string(*e);
    fields.erase(key);
  }
  fields.erase("at");  // the line's own "ts" replaces it
  if (also_log) {
    bool trouble = event.find("failed") != std::string::npos ||
                   event.find("disabled") != std::string::npos ||
                   event.find("unrevoked") != std::string::npos;
    rt.log(trouble ? LogLevel::kWarn : LogLevel::kInfo, event, fields);
  }
  rt.audit_event(event, std::move(fields));
}

CredentialManager::Observer credential_observer(std::weak_ptr<Runtime::Impl> weak) {
  return [weak](std::string_view op, bool ok, const store::CredentialRecord& row,
                const std::string& error) {
    auto rt = weak.lock();
    if (!rt) return;
    rt->metrics->credential(
        op == "issue" ? observability::CredentialOp::kIssue : observability::CredentialOp::kRevoke,
        ok);
    json::object fields{{"credential_id", row.id},        {"handle", row.revoke_handle},
                        {"job_id", row.job_id},           {"principal", row.principal},
                        {"provisioner", row.provisioner}, {"outcome", ok ? "ok" : "failed"}};
    if (!ok) fields["error"] = error;
    std::string event = "credential." + std::string(op);
    rt->log(ok ? LogLevel::kInfo : LogLevel::kWarn, event, fields);
    rt->audit_event(event, std::move(fields));
  };
}

}  // namespace runtime

void Runtime::Impl::log(LogLevel level, std::string_view event, json::object fields) const {
  logger->log(level, event, std::move(fields));
}

void Runtime::Impl::audit_event(std::string_view event, json::object fields) const {
  std::string line = format_log_line(std::nullopt, event, std::move(fields));
  if (opts.audit_log) {
    opts.audit_log(line);
    return;
  }
  line.insert(0, "arcp audit: ");
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines never interleave
}

void Runtime::Impl::on_job_ended(const runtime::Job& job) {
  JobStatus status = job.status_in_callback();
  switch (status) {
    case JobStatus::kSuccess:
      metrics->job_finished(observability::FinishedStatus::kSuccess);
      break;
    case JobStatus::kCancelled:
      metrics->job_finished(observability::FinishedStatus::kCancelled);
      break;
    case JobStatus::kTimedOut:
      metrics->job_finished(observability::FinishedStatus::kTimedOut);
      break;
    default:
      metrics->job_finished(observability::FinishedStatus::kError);
      break;
  }
  if (!logger->enabled(LogLevel::kInfo)) return;
  const auto& spec = job.spec();
  json::object fields{
      {"job_id", spec.id},
      {"agent", spec.agent_ref},
      {"principal", spec.principal},
      {"status", to_string(status)},
      {"duration_ms", std::max<std::int64_t>(0, store::wall_ms() - spec.created_ms)}};
  if (!spec.parent_job_id.empty()) fields["parent_job_id"] = spec.parent_job_id;
  log(LogLevel::kInfo, "job.ended", std::move(fields));
}

std::optional<std::string> Runtime::Impl::not_ready_reason() {
  {
    std::lock_guard lock(mu);
    if (shutting_down) return std::string("the runtime is shutting down");
  }
  // The reason goes to unauthenticated HTTP callers: no paths or details,
  // which are in the runtime's log.
  if (store->failure()) return std::string("the store failed (details in the runtime's log)");
  return std::nullopt;
}

std::string Runtime::Impl::metrics_text() {
  // Gauges from the runtime's state now; the store is not asked (its counts
  // would mean a flush and queries on a listener thread).
  RuntimeStats s;
  std::size_t attached = 0;
  std::vector<std::shared_ptr<runtime::Job>> running;
  {
    std::lock_guard lock(mu);
    s.sessions = sessions.size();
    for (const auto& [id, session] : sessions) {
      if (session->attached()) ++attached;
      s.pending_frames += session->stats().pending_frames;
    }
    s.connections = handlers.size();
    for (const auto& h : handlers) s.queued_bytes += h->queued_bytes();
    s.idempotency_keys = idempotency.size();
    for (const auto& [id, job] : jobs) running.push_back(job);
  }
  std::size_t pending = 0;
  for (const auto& job : running) {  // job state is read outside `mu` (lock order)
    auto st = job->status();
    if (st == JobStatus::kPending) ++pending;
    if (!is_terminal(st)) ++s.jobs;
  }
  auto pool = blocking.stats();
  s.io_threads = io_pool.threads();
  s.blocking_threads = pool.threads;
  s.blocking_busy = pool.busy;
  s.jobs_waiting_for_thread = pool.queued;
  s.artifacts = artifacts->size();
  s.outstanding_credentials = credentials ? credentials->outstanding() : 0;
  auto failure = not_ready_reason();

  observability::PrometheusText out;
  auto gauge = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    out.family(name, "gauge", help);
    out.sample(name, value);
  };
  gauge("arcp_sessions_open", "Sessions with a connection attached.", attached);
  gauge("arcp_sessions_detached", "Sessions kept for resume with no connection attached.",
        s.sessions - std::min(attached, s.sessions));
  gauge("arcp_connections", "Transport connections being served.", s.connections);
  out.family("arcp_jobs", "gauge", "Jobs of this process that have not ended, by state.");
  {
    observability::Label p{"state", "pending"};
    observability::Label r{"state", "running"};
    out.sample("arcp_jobs", std::span<const observability::Label>(&p, 1),
               static_cast<std::uint64_t>(pending));
    out.sample("arcp_jobs", std::span<const observability::Label>(&r, 1),
               static_cast<std::uint64_t>(s.jobs - std::min(pending, s.jobs)));
  }
  gauge("arcp_jobs_waiting_for_thread", "Pending jobs waiting for a blocking-pool thread.",
        s.jobs_waiting_for_thread);
  gauge("arcp_blocking_threads", "Threads alive in the blocking agents' pool.", s.blocking_threads);
  gauge("arcp_blocking_busy", "Blocking-pool threads running an agent.", s.blocking_busy);
  gauge("arcp_io_threads", "Threads running the runtime's I/O executors.", s.io_threads);
  gauge("arcp_queued_bytes", "Bytes waiting in every connection's send queue.", s.queued_bytes);
  gauge("arcp_pending_frames", "Unsent frames held in memory across sessions.", s.pending_frames);
  gauge("arcp_idempotency_keys", "Idempotency keys remembered.", s.idempotency_keys);
  gauge("arcp_artifacts", "Stored artifacts.", s.artifacts);
  gauge("arcp_credentials_outstanding",
        "Provisioned credentials not yet revoked (failed revocations included).",
        s.outstanding_credentials);
  gauge("arcp_ready", "1 when ready for traffic (not shutting down, store healthy).",
        failure ? 0 : 1);
  metrics->render(out);
  return out.take();
}

std::function<std::optional<HttpReply>(std::string_view)> Runtime::Impl::http_endpoints() {
  std::weak_ptr<Impl> weak = weak_from_this();
  return [weak](std::string_view path) -> std::optional<HttpReply> {
    if (path != "/metrics" && path != "/healthz" && path != "/readyz") return std::nullopt;
    auto rt = weak.lock();
    if (!rt) return HttpReply{503, "text/plain; charset=utf-8", "the runtime is gone\n"};
    if (path == "/healthz") return HttpReply{200, "text/plain; charset=utf-8", "ok\n"};
    if (path == "/readyz") {
      if (auto reason = rt->not_ready_reason())
        return HttpReply{503, "text/plain; charset=utf-8", *reason + "\n"};
      return HttpReply{200, "text/plain; charset=utf-8", "ready\n"};
    }
    return HttpReply{200, std::string(observability::kPrometheusContentType), rt->metrics_text()};
  };
}

std::string Runtime::metrics_text() const {
  return impl_->metrics_text();
}

bool Runtime::ready() const {
  return !impl_->not_ready_reason();
}

}  // namespace arcp
