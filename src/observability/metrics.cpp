#include "observability/metrics.hpp"

#include <algorithm>

namespace arcp::observability {
namespace {

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

bool is_short_label(std::string_view v) {
  return !v.empty() && v.size() <= BoundedLabelCounter::kMaxLabelBytes &&
         std::all_of(v.begin(), v.end(), is_label_char);
}

// Seconds: 0.5 ms to 10 s, for store commits and reads.
std::vector<double> store_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
}

}  // namespace

LabelledCounter::LabelledCounter(std::vector<std::string> label_names,
                                 std::vector<std::vector<std::string>> series)
    : names_(std::move(label_names)),
      series_(std::move(series)),
      size_(series_.size()),
      counts_(std::make_unique<Counter[]>(series_.size())) {}

void LabelledCounter::render(PrometheusText& out, std::string_view name) const {
  std::vector<Label> labels;
  for (std::size_t i = 0; i < size_; ++i) {
    labels.clear();
    for (std::size_t j = 0; j < names_.size() && j < series_[i].size(); ++j)
      labels.emplace_back(names_[j], series_[i][j]);
    out.sample(name, labels, counts_[i].value());
  }
}

BoundedLabelCounter::Slot* BoundedLabelCounter::find(std::string_view value) const {
  std::size_t n = used_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i)
    if (slots_[i].view() == value) return &slots_[i];
  return nullptr;
}

void BoundedLabelCounter::add(std::string_view value, std::uint64_t n) {
  if (!is_short_label(value)) value = kOther;
  if (auto* slot = find(value)) return slot->count.add(n);
  std::lock_guard lock(add_mu_);
  if (auto* slot = find(value)) return slot->count.add(n);
  std::size_t used = used_.load(std::memory_order_relaxed);
  // The last slot is kept for "other", so the set never exceeds kMaxSeries.
  if (used + 1 >= kMaxSeries && value != kOther) {
    value = kOther;
    if (auto* slot = find(value)) return slot->count.add(n);
  }
  Slot& slot = slots_[used];
  std::copy(value.begin(), value.end(), slot.text.begin());
  slot.size = value.size();
  slot.count.add(n);
  used_.store(used + 1, std::memory_order_release);
}

std::uint64_t BoundedLabelCounter::value(std::string_view value) const {
  auto* slot = find(value);
  return slot ? slot->count.value() : 0;
}

void BoundedLabelCounter::render(PrometheusText& out, std::string_view name) const {
  std::size_t n = used_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i) {
    Label label{label_, slots_[i].view()};
    out.sample(name, std::span<const Label>(&label, 1), slots_[i].count.value());
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(std::chrono::nanoseconds took) noexcept {
  auto ns = std::max<std::int64_t>(0, took.count());
  double seconds = static_cast<double>(ns) / 1e9;
  std::size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

double Histogram::sum_seconds() const {
  return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
}

std::uint64_t Histogram::count() const {
  std::uint64_t total = 0;
  for (auto c : counts()) total += c;
  return total;
}

std::string_view to_string(StoreOp op) {
  switch (op) {
    case StoreOp::kCommit:
      return "commit";
    case StoreOp::kReadEvents:
      return "read_events";
    case StoreOp::kLoad:
      return "load";
    case StoreOp::kList:
      return "list";
    case StoreOp::kCount:
      break;
  }
  return "other";
}

RuntimeMetrics::RuntimeMetrics()
    : jobs_finished({"status"}, {{"success"}, {"error"}, {"cancelled"}, {"timed_out"}}),
      resumes({"outcome"}, {{"ok"}, {"rejected"}}),
      credentials({"op", "outcome"},
                  {{"issue", "ok"}, {"issue", "failed"}, {"revoke", "ok"}, {"revoke", "failed"}}) {
  for (auto& h : store_seconds) h = std::make_unique<Histogram>(store_buckets());
}

void RuntimeMetrics::render(PrometheusText& out) const {
  out.family("arcp_connections_opened_total", "counter", "Transport connections served.");
  out.sample("arcp_connections_opened_total", connections_opened.value());
  out.family("arcp_jobs_finished_total", "counter", "Jobs ended, by final status.");
  jobs_finished.render(out, "arcp_jobs_finished_total");
  out.family("arcp_events_sent_total", "counter",
             "Seq-bearing envelopes (job.event, job.result, job.error) sent to connections, "
             "replays included.");
  out.sample("arcp_events_sent_total", events_sent.value());
  out.family("arcp_bytes_sent_total", "counter", "Bytes of every frame sent to connections.");
  out.sample("arcp_bytes_sent_total", bytes_sent.value());
  out.family("arcp_resumes_total", "counter", "Session resume attempts, by outcome.");
  resumes.render(out, "arcp_resumes_total");
  out.family("arcp_heartbeat_losses_total", "counter",
             "Connections closed with HEARTBEAT_LOST (two silent heartbeat intervals).");
  out.sample("arcp_heartbeat_losses_total", heartbeat_losses.value());
  out.family("arcp_auth_failures_total", "counter",
             "Failed authentications, by reason (a bounded set of labels).");
  auth_failures.render(out, "arcp_auth_failures_total");
  out.family("arcp_credentials_total", "counter",
             "Provisioned credential operations (§9.8), by operation and outcome.");
  credentials.render(out, "arcp_credentials_total");
  out.family("arcp_budget_exhaustions_total", "counter",
             "Jobs that had an operation refused with BUDGET_EXHAUSTED.");
  out.sample("arcp_budget_exhaustions_total", budget_exhaustions.value());
  out.family("arcp_store_operation_seconds", "histogram",
             "Store latency: one group commit, or one read.");
  for (std::size_t i = 0; i < store_seconds.size(); ++i) {
    const auto& h = *store_seconds[i];
    Label label{"op", to_string(static_cast<StoreOp>(i))};
    auto counts = h.counts();
    out.histogram("arcp_store_operation_seconds", std::span<const Label>(&label, 1), h.bounds(),
                  counts, h.sum_seconds());
  }
}

}  // namespace arcp::observability
