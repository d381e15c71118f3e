// Test support (§11, D04): installs a tracer provider whose spans are kept
// in memory for a test to inspect, and restores the no-op provider after.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace arcp::test {

struct CapturedSpan {
  std::string name;
  std::string trace_id;        // 32 hex
  std::string span_id;         // 16 hex
  std::string parent_span_id;  // 16 hex; all zero for a root span
  std::string kind;            // "server", "client", "internal", ...
  bool error = false;
  std::string status_description;
  std::map<std::string, std::string> attributes;  // arrays comma-joined
  /// Every event's name and attributes, "name key=value" per line.
  std::vector<std::string> events;

  std::string attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
  bool is_root() const { return parent_span_id.find_first_not_of('0') == std::string::npos; }
};

class TracingCapture {
 public:
  TracingCapture();   // installs (synchronous export: a span is here once it ended)
  ~TracingCapture();  // uninstalls
  TracingCapture(const TracingCapture&) = delete;
  TracingCapture& operator=(const TracingCapture&) = delete;

  std::vector<CapturedSpan> spans() const;
  /// Waits (generously) for an ended span that `match` accepts.
  std::optional<CapturedSpan> wait_for(
      const std::function<bool(const CapturedSpan&)>& match,
      std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  /// The first ended span named `name` whose attribute `key` is `value`.
  std::optional<CapturedSpan> wait_for(const std::string& name, const std::string& key,
                                       const std::string& value) const;

  struct Store {
    mutable std::mutex mu;
    mutable std::condition_variable cv;
    std::vector<CapturedSpan> spans;
  };

 private:
  std::shared_ptr<Store> store_;
};

}  // namespace arcp::test
