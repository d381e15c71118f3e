#include "event_printer.hpp"

#include <fmt/core.h>

#include "commands.hpp"
#include "json_text.hpp"

namespace arcp::cli {
namespace {
std::string str(const json::object& o, std::string_view key) {
  const auto* s = get_string(o, key);
  return s ? std::string(*s) : std::string();
}
}  // namespace

void EventPrinter::print(const JobEvent& ev, std::string_view job_label) {
  std::lock_guard lock(mu_);
  const auto& b = ev.body;
  if (ev.kind == "progress") {
    bar_.update(get_number(b, "current").value_or(0), get_number(b, "total"), str(b, "units"),
                str(b, "message"));
    return;
  }
  bar_.finish();
  std::string text;
  if (ev.kind == "log")
    text = fmt::format("{:<5} {}", str(b, "level"), str(b, "message"));
  else if (ev.kind == "thought")
    text = str(b, "text");
  else if (ev.kind == "status")
    text = str(b, "phase") + (b.contains("message") ? ": " + str(b, "message") : "");
  else if (ev.kind == "metric")
    text = fmt::format("{} = {}", str(b, "name"),
                       b.contains("value") ? json_text(b.at("value")) : std::string("null"));
  if (auto unit = str(b, "unit"); !unit.empty())
    text += " " + unit;
  else if (ev.kind == "tool_call")
    text = fmt::format("{}({})", str(b, "tool"),
                       json_text(b.contains("args") ? b.at("args") : json::value()));
  else if (ev.kind == "result_chunk")  // the bytes go to the result, not the log
    text = fmt::format("{} #{} ({} chars {}){}", str(b, "result_id"),
                       json_text(b.contains("chunk_seq") ? b.at("chunk_seq") : json::value()),
                       str(b, "data").size(), str(b, "encoding"),
                       get_bool(b, "more").value_or(true) ? "" : " final");
  else if (ev.kind == "artifact_ref")
    text = fmt::format("{} ({})", str(b, "uri"), str(b, "content_type"));
  else
    text = json_text(b);
  std::string line =
      job_label.empty()
          ? fmt::format("#{:<6} {:<12} {}", ev.event_seq, ev.kind, text)
          : fmt::format("#{:<6} [{}] {:<12} {}", ev.event_seq, job_label, ev.kind, text);
  while (!line.empty() && line.back() == ' ') line.pop_back();  // no trailing spaces
  fmt::print(out_, "{}\n", line);
}

void EventPrinter::finish_progress() {
  std::lock_guard lock(mu_);
  bar_.finish();
}

void EventPrinter::child_line(const std::string& line) {
  std::lock_guard lock(mu_);
  bar_.finish();
  fmt::print(out_, "{}\n", line);
}

// Callbacks run on the client's reader thread, one at a time.
void follow_children(const std::shared_ptr<EventPrinter>& printer, JobHandle& parent) {
  parent.on_child([printer](JobHandle child) {
    printer->child_line(fmt::format("→ child job {} accepted as {} (delegate {})", child.job_id(),
                                    child.accepted().agent, child.accepted().delegate_id));
    std::string label = child.job_id();
    child.on_event([printer, label](const JobEvent& ev) { printer->print(ev, label); });
    child.when_done([printer, child]() mutable {
      auto outcome = child.try_result();
      printer->child_line(
          fmt::format("← child job {} {}{}", child.job_id(), to_string(child.status()),
                      outcome && !*outcome ? ": " + outcome->error().describe() : std::string()));
    });
    follow_children(printer, child);
  });
}

int EventPrinter::print_outcome(const JobHandle& job, const Result<json::value>& outcome) {
  std::lock_guard lock(mu_);
  bar_.finish();
  if (outcome) {
    fmt::print(out_, "✔ job {} succeeded\n{}\n", job.job_id(), json_text(outcome.value()));
    return kExitSuccess;
  }
  const Error& e = outcome.error();
  fmt::print(out_, "✘ job {} {}: {}\n", job.job_id(), to_string(job.status()), e.describe());
  return exit_code_of(job.status());
}

int exit_code_of(JobStatus status) {
  switch (status) {
    case JobStatus::kSuccess:
      return kExitSuccess;
    case JobStatus::kCancelled:
      return kExitCancelled;
    case JobStatus::kTimedOut:
      return kExitTimedOut;
    default:
      return kExitJobError;
  }
}

}  // namespace arcp::cli
