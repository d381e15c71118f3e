// Internal: the runtime's metrics. Counting is a relaxed atomic add — no
// lock, no allocation — so it can sit on hot paths (every frame sent).
// Label values come from fixed sets (statuses, outcomes, operations) or a
// bounded set of short labels (auth failure reasons): principals and ids are
// never labels, so the number of series is capped.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observability/prometheus_text.hpp"

namespace arcp::observability {

class Counter {
 public:
  void add(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

/// One counter per series of a label set fixed at construction.
class LabelledCounter {
 public:
  /// `series[i]` holds one value per name in `label_names`.
  LabelledCounter(std::vector<std::string> label_names,
                  std::vector<std::vector<std::string>> series);
  void add(std::size_t series, std::uint64_t n = 1) noexcept {
    if (series < size_) counts_[series].add(n);
  }
  std::uint64_t value(std::size_t series) const noexcept {
    return series < size_ ? counts_[series].value() : 0;
  }
  std::size_t size() const { return size_; }
  void render(PrometheusText& out, std::string_view name) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<std::string>> series_;
  std::size_t size_;
  std::unique_ptr<Counter[]> counts_;
};

/// A counter labelled by a value that is only known when counted (an auth
/// failure's reason), with at most `kMaxSeries` series: a value that is not a
/// short `[a-z0-9_.]` label, or that arrives once the set is full, counts
/// as "other". Counting a known value takes no lock; only the first count of
/// a new value does.
class BoundedLabelCounter {
 public:
  static constexpr std::size_t kMaxSeries = 32;
  static constexpr std::size_t kMaxLabelBytes = 48;
  static constexpr std::string_view kOther = "other";
  explicit BoundedLabelCounter(std::string label_name) : label_(std::move(label_name)) {}
  void add(std::string_view value, std::uint64_t n = 1);
  /// 0 when the value has no series.
  std::uint64_t value(std::string_view value) const;
  std::size_t series() const { return used_.load(std::memory_order_acquire); }
  void render(PrometheusText& out, std::string_view name) const;

 private:
  struct Slot {
    std::array<char, kMaxLabelBytes> text{};
    std::size_t size = 0;
    Counter count;
    std::string_view view() const { return {text.data(), size}; }
  };
  Slot* find(std::string_view value) const;
  std::string label_;
  mutable std::array<Slot, kMaxSeries> slots_;
  std::atomic<std::size_t> used_{0};  // slots [0, used_) are published
  std::mutex add_mu_;                 // taken only to publish a new slot
};

/// Fixed buckets (upper bounds in seconds); observing is one relaxed add to
/// a bucket and one to the sum.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(std::chrono::nanoseconds took) noexcept;
  std::span<const double> bounds() const { return bounds_; }
  /// Per bucket (not cumulative), the overflow last.
  std::vector<std::uint64_t> counts() const;
  double sum_seconds() const;
  std::uint64_t count() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> sum_ns_{0};
};

/// Store operations that are timed.
enum class StoreOp : std::size_t { kCommit, kReadEvents, kLoad, kList, kCount };
std::string_view to_string(StoreOp op);

/// Job outcomes counted by arcp_jobs_finished_total.
enum class FinishedStatus : std::size_t { kSuccess, kError, kCancelled, kTimedOut };
enum class CredentialOp : std::size_t { kIssue, kRevoke };

/// What the runtime counts. Gauges are not here: they are read from the
/// runtime's state at scrape time.
struct RuntimeMetrics {
  RuntimeMetrics();

  Counter events_sent;  // seq-bearing envelopes handed to a connection
  Counter bytes_sent;   // bytes of every frame handed to a connection
  Counter heartbeat_losses;
  Counter budget_exhaustions;  // jobs refused an operation with BUDGET_EXHAUSTED (once per job)
  Counter connections_opened;
  LabelledCounter jobs_finished;  // status
  LabelledCounter resumes;        // outcome: ok | rejected
  BoundedLabelCounter auth_failures{"reason"};
  LabelledCounter credentials;  // op × outcome
  std::array<std::unique_ptr<Histogram>, static_cast<std::size_t>(StoreOp::kCount)> store_seconds;

  void resumed(bool ok) noexcept { resumes.add(ok ? 0 : 1); }
  void credential(CredentialOp op, bool ok) noexcept {
    credentials.add(static_cast<std::size_t>(op) * 2 + (ok ? 0 : 1));
  }
  void job_finished(FinishedStatus s) noexcept { jobs_finished.add(static_cast<std::size_t>(s)); }
  void store_timing(StoreOp op, std::chrono::nanoseconds took) noexcept {
    if (op < StoreOp::kCount) store_seconds[static_cast<std::size_t>(op)]->observe(took);
  }

  /// Appends every counter and histogram family.
  void render(PrometheusText& out) const;
};

}  // namespace arcp::observability
