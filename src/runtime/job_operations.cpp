// JobContext's lease-checked operations (§9): authorize, model.use, files,
// fetch and tools. Each is a tool_call, the check, the work and a
// tool_result; the work of the awaitable forms never blocks an I/O thread.
#include <arcp/envelope.hpp>
#include <arcp/ids.hpp>
#include <arcp/job_context.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <exception>
#include <optional>

#include "core/thread_role.hpp"
#include "otel/tracing.hpp"
#include "runtime/file_access.hpp"
#include "runtime/job.hpp"
#include "runtime/offload.hpp"
#include "transport/http_client.hpp"

namespace arcp {
namespace {

using runtime::blocking_on_io_thread;
using runtime::Job;
using runtime::offload;

json::object head_of(std::string_view path, const std::string& bytes) {
  constexpr std::size_t kHead = 64;
  json::object r{{"path", path}, {"bytes", bytes.size()}};
  std::string_view head(bytes.data(), std::min(bytes.size(), kHead));
  // Only text goes on the wire as is; a binary head would not be JSON.
  bool text = std::all_of(head.begin(), head.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 ? u < 0x7F : (c == '\n' || c == '\r' || c == '\t');
  });
  if (text) r["head"] = head;
  return r;
}

}  // namespace

// One lease-checked operation: its tool_call, the check, and on denial its
// error tool_result (and the end of the job on LEASE_EXPIRED).
struct JobContext::Operation {
  JobContext& ctx;
  std::string call_id;
  otel::Span span;  // `arcp.tool`, a child of the job's span (§11)

  Result<std::string> begin(std::string_view tool, json::value args, std::string_view capability,
                            std::string_view target) {
    call_id = new_id("call");
    span = otel::start_span("arcp.tool", otel::SpanKind::kInternal, ctx.job_->spec().span);
    if (span) {
      span.set("arcp.job_id", ctx.job_->spec().id);
      span.set("arcp.tool.name", tool);
      span.set("arcp.tool.call_id", call_id);
    }
    if (auto r = ctx.tool_call(tool, std::move(args), call_id); !r) return r.error();
    auto canonical = ctx.job_->authorize(capability, target);
    if (!canonical) fail(canonical.error());
    return canonical;
  }
  /// A check on a second target (a path with its symlinks resolved).
  Result<void> recheck(std::string_view capability, std::string_view canonical) {
    auto r = ctx.job_->authorize_canonical(capability, canonical);
    if (!r) fail(r.error());
    return r;
  }
  void fail(const Error& e) {
    span.set_error(to_string(e.code));
    (void)ctx.tool_error(call_id, e);
    if (e.code == ErrorCode::kLeaseExpired) ctx.job_->end_lease_expired();
  }
  template <class T>
  Result<T> finish(Result<T> r, const std::function<json::value(const T&)>& summarise) {
    if (r) {
      (void)ctx.tool_result(call_id, summarise(r.value()));
    } else {
      span.set_error(to_string(r.error().code));
      (void)ctx.tool_error(call_id, r.error());
    }
    span.end();
    return r;
  }
};

Result<std::string> JobContext::authorize(std::string_view capability, std::string_view target,
                                          std::string_view call_id) {
  auto canonical = job_->authorize(capability, target);
  if (canonical) return canonical;
  Operation op{*this, std::string(call_id)};
  if (op.call_id.empty()) {
    op.call_id = new_id("call");
    json::object args{{"target", target.substr(0, kMaxIdentifierBytes)}};
    (void)tool_call(capability, std::move(args), op.call_id);
  }
  op.fail(canonical.error());
  return canonical;
}

Result<void> JobContext::use_model(std::string_view model) {
  auto r = authorize("model.use", model);
  if (!r) return r.error();
  return {};
}

namespace {

Result<std::string> read_checked(JobContext::Operation& op, const std::string& canonical,
                                 std::size_t cap) {
  std::string resolved = runtime::resolve_symlinks(canonical);
  if (resolved != canonical)
    if (auto r = op.recheck("fs.read", resolved); !r) return r.error();
  return runtime::read_whole_file(resolved, cap);
}

}  // namespace

Result<std::string> JobContext::read_file(std::string_view path) {
  if (core::on_event_loop_thread()) return blocking_on_io_thread("read_file");
  Operation op{*this, {}};
  auto canonical = op.begin("fs.read", json::object{{"path", path}}, "fs.read", path);
  if (!canonical) return canonical.error();
  auto r = read_checked(op, *canonical, job_->spec().services->max_file_bytes);
  return op.finish<std::string>(
      std::move(r), [&](const std::string& b) -> json::value { return head_of(*canonical, b); });
}

Awaitable<Result<std::string>> JobContext::async_read_file(std::string path) {
  Operation op{*this, {}};
  auto canonical = op.begin("fs.read", json::object{{"path", path}}, "fs.read", path);
  if (!canonical) co_return canonical.error();
  std::size_t cap = job_->spec().services->max_file_bytes;
  // Named first: GCC 12 destroys temporaries inside a co_await expression twice.
  auto reading = offload<Result<std::string>>(
      *job_, [&op, c = *canonical, cap] { return read_checked(op, c, cap); });
  auto r = co_await std::move(reading);
  co_return op.finish<std::string>(
      std::move(r), [&](const std::string& b) -> json::value { return head_of(*canonical, b); });
}

namespace {

// A file that does not exist yet: its directory's symlinks are resolved,
// and the file itself must not be one (it is opened refusing symlinks).
Result<void> write_checked(JobContext::Operation& op, const std::string& canonical,
                           std::string_view data, std::size_t cap) {
  if (data.size() > cap)
    return Error(ErrorCode::kInternalError,
                 "file of " + std::to_string(data.size()) + " bytes exceeds the cap of " +
                     std::to_string(cap),
                 json::object{{"limit", "max_file_bytes"}, {"cap", cap}});
  std::string resolved = runtime::resolve_symlinks(canonical);
  if (resolved != canonical)
    if (auto r = op.recheck("fs.write", resolved); !r) return r;
  return runtime::write_whole_file(resolved, data);
}

}  // namespace

Result<void> JobContext::write_file(std::string_view path, std::string_view data) {
  if (core::on_event_loop_thread()) return blocking_on_io_thread("write_file");
  Operation op{*this, {}};
  auto canonical =
      op.begin("fs.write", json::object{{"path", path}, {"bytes", data.size()}}, "fs.write", path);
  if (!canonical) return canonical.error();
  auto r = write_checked(op, *canonical, data, job_->spec().services->max_file_bytes);
  if (r)
    (void)tool_result(op.call_id, json::object{{"path", *canonical}, {"bytes", data.size()}});
  else
    (void)tool_error(op.call_id, r.error());
  return r;
}

Awaitable<Result<void>> JobContext::async_write_file(std::string path, std::string data) {
  Operation op{*this, {}};
  auto canonical =
      op.begin("fs.write", json::object{{"path", path}, {"bytes", data.size()}}, "fs.write", path);
  if (!canonical) co_return canonical.error();
  std::size_t cap = job_->spec().services->max_file_bytes;
  auto writing = offload<Result<void>>(
      *job_, [&op, c = *canonical, &data, cap] { return write_checked(op, c, data, cap); });
  auto r = co_await std::move(writing);
  if (r)
    (void)tool_result(op.call_id, json::object{{"path", *canonical}, {"bytes", data.size()}});
  else
    (void)tool_error(op.call_id, r.error());
  co_return r;
}

namespace {

Result<std::vector<DirEntry>> list_checked(JobContext::Operation& op, const std::string& canonical,
                                           std::size_t cap) {
  std::string resolved = runtime::resolve_symlinks(canonical);
  if (resolved != canonical)
    if (auto r = op.recheck("fs.read", resolved); !r) return r.error();
  return runtime::read_directory(resolved, cap);
}

json::value entries_summary(std::string_view path, const std::vector<DirEntry>& entries) {
  return json::object{{"path", path}, {"entries", entries.size()}};
}

}  // namespace

Result<std::vector<DirEntry>> JobContext::list_dir(std::string_view path) {
  if (core::on_event_loop_thread()) return blocking_on_io_thread("list_dir");
  Operation op{*this, {}};
  auto canonical = op.begin("fs.list", json::object{{"path", path}}, "fs.read", path);
  if (!canonical) return canonical.error();
  auto r = list_checked(op, *canonical, job_->spec().services->max_dir_entries);
  return op.finish<std::vector<DirEntry>>(
      std::move(r), [&](const std::vector<DirEntry>& e) { return entries_summary(*canonical, e); });
}

Awaitable<Result<std::vector<DirEntry>>> JobContext::async_list_dir(std::string path) {
  Operation op{*this, {}};
  auto canonical = op.begin("fs.list", json::object{{"path", path}}, "fs.read", path);
  if (!canonical) co_return canonical.error();
  std::size_t cap = job_->spec().services->max_dir_entries;
  auto listing = offload<Result<std::vector<DirEntry>>>(
      *job_, [&op, c = *canonical, cap] { return list_checked(op, c, cap); });
  auto r = co_await std::move(listing);
  co_return op.finish<std::vector<DirEntry>>(
      std::move(r), [&](const std::vector<DirEntry>& e) { return entries_summary(*canonical, e); });
}

namespace {

// The runtime's caps bound what an agent may ask for; the job's trace goes
// along (§11: trace context is forwarded to tool servers) unless the agent
// set its own traceparent: the fetch's own span is the server's parent.
void prepare_fetch(FetchRequest& req, const Job& job, const otel::Span& span) {
  const auto& services = *job.spec().services;
  req.max_body_bytes = std::min(req.max_body_bytes, services.max_fetch_body_bytes);
  req.timeout = std::min(req.timeout, services.max_fetch_timeout);
  for (const auto& [name, value] : req.headers)
    if (boost::iequals(name, "traceparent")) return;
  if (span) {
    req.headers.emplace_back("traceparent", span.traceparent());
    return;
  }
  // A fresh span id per outgoing call, as W3C Trace Context asks.
  req.headers.emplace_back("traceparent",
                           "00-" + job.spec().trace_id + "-" + new_trace_id().substr(16) + "-01");
}

json::value fetch_summary(const FetchResponse& r) {
  return json::object{{"status", r.status}, {"bytes", r.body.size()}};
}

// Only the method and the URL without its query are shown: headers, bodies
// and query strings (API keys) may carry secrets.
json::object fetch_args(const FetchRequest& req) {
  std::string_view url = req.url;
  url = url.substr(0, std::min(url.find_first_of("?#"), std::size_t{2048}));
  json::object args{{"method", req.method}, {"url", url}};
  if (req.url.find('?') != std::string::npos) args["query"] = "(not shown)";
  return args;
}

}  // namespace

Result<FetchResponse> JobContext::fetch(FetchRequest request) {
  if (core::on_event_loop_thread()) return blocking_on_io_thread("fetch");
  Operation op{*this, {}};
  auto canonical = op.begin("net.fetch", fetch_args(request), "net.fetch", request.url);
  if (!canonical) return canonical.error();
  request.url = *canonical;
  prepare_fetch(request, *job_, op.span);
  return op.finish<FetchResponse>(transport::http_fetch(request, stop_token()), fetch_summary);
}

Awaitable<Result<FetchResponse>> JobContext::async_fetch(FetchRequest request) {
  Operation op{*this, {}};
  auto canonical = op.begin("net.fetch", fetch_args(request), "net.fetch", request.url);
  if (!canonical) co_return canonical.error();
  request.url = *canonical;
  prepare_fetch(request, *job_, op.span);
  auto fetching = transport::async_http_fetch(std::move(request), stop_token());
  auto r = co_await std::move(fetching);
  co_return op.finish<FetchResponse>(std::move(r), fetch_summary);
}

namespace {

// tool.call for the name, then the authority the tool itself needs.
Result<std::shared_ptr<const runtime::RegisteredTool>> check_tool(JobContext::Operation& op,
                                                                  Job& job, std::string_view name,
                                                                  const json::value& args) {
  auto canonical = op.begin(name, args, "tool.call", name);
  if (!canonical) return canonical.error();
  auto tool = job.spec().services->tools.find(*canonical);
  if (!tool) {
    Error e(ErrorCode::kInvalidRequest, "no tool named '" + *canonical + "' is registered",
            json::object{{"tool", *canonical}});
    op.fail(e);
    return e;
  }
  if (auto covered = job.spec().compiled_lease.covers(tool->needs); !covered) {
    Error e(ErrorCode::kPermissionDenied,
            "tool '" + tool->name + "' needs authority this job's lease does not grant",
            covered.error().details);
    e.details["tool"] = tool->name;
    op.fail(e);
    return e;
  }
  return tool;
}

json::value identity(const json::value& v) {
  return v;
}

}  // namespace

Result<json::value> JobContext::call_tool(std::string_view name, json::value args) {
  if (core::on_event_loop_thread()) return blocking_on_io_thread("call_tool");
  Operation op{*this, {}};
  auto tool = check_tool(op, *job_, name, args);
  if (!tool) return tool.error();
  Result<json::value> r = json::value();
  try {
    if (const auto* blocking = std::get_if<ToolHandler>(&(*tool)->body)) {
      r = (*blocking)(*this, args);
    } else {
      // The future's value must be default-constructible: carry an optional.
      auto run = [handler = std::get<AsyncToolHandler>((*tool)->body), this,
                  &args]() -> Awaitable<std::optional<Result<json::value>>> {
        co_return co_await handler(*this, args);
      };
      auto strand = boost::asio::make_strand(*job_->io());
      r = std::move(*boost::asio::co_spawn(strand, run(), boost::asio::use_future).get());
    }
  } catch (const std::exception& e) {
    r = Error(ErrorCode::kInternalError, std::string("tool threw: ") + e.what());
  }
  return op.finish<json::value>(std::move(r), identity);
}

Awaitable<Result<json::value>> JobContext::async_call_tool(std::string name, json::value args) {
  Operation op{*this, {}};
  auto tool = check_tool(op, *job_, name, args);
  if (!tool) co_return tool.error();
  Result<json::value> r = json::value();
  try {
    if (const auto* async = std::get_if<AsyncToolHandler>(&(*tool)->body)) {
      auto running = (*async)(*this, args);
      r = co_await std::move(running);
    } else {
      auto handler = std::get<ToolHandler>((*tool)->body);
      auto running = offload<Result<json::value>>(
          *job_, [this, handler, &args] { return handler(*this, args); });
      r = co_await std::move(running);
    }
  } catch (const std::exception& e) {
    r = Error(ErrorCode::kInternalError, std::string("tool threw: ") + e.what());
  }
  co_return op.finish<json::value>(std::move(r), identity);
}

std::optional<double> JobContext::budget_remaining(std::string_view currency) const {
  auto left = job_->budget().remaining(currency);
  if (!left) return std::nullopt;
  return static_cast<double>(*left) / 1e9;
}

Result<BudgetHold> JobContext::reserve_budget(std::string_view currency, double amount) {
  auto nano = to_nano_units(amount);
  if (!nano || *nano < 0)
    return Error(ErrorCode::kInvalidRequest, "a reservation must be a non-negative amount");
  auto id = job_->budget().reserve(currency, *nano);
  if (!id) return id.error();
  return BudgetHold(job_, *id, std::string(currency));
}

Result<ResultWriter> JobContext::stream_result(ResultEncoding encoding, std::size_t chunk_bytes) {
  auto id = job_->open_result();
  if (!id) return id.error();
  chunk_bytes = std::min(chunk_bytes, job_->spec().services->result_limits.max_chunk_bytes);
  return ResultWriter(job_, std::move(*id), encoding, chunk_bytes);
}

}  // namespace arcp
