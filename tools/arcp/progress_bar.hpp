// A one-line terminal progress bar redrawn in place (for `progress` events).
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace arcp::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out);
  /// Redraws the bar; `total` absent = indeterminate (shows a count).
  void update(double current, std::optional<double> total, const std::string& units,
              const std::string& message);
  /// Ends the bar's line so later output starts on a fresh one.
  void finish();
  bool active() const { return active_; }

 private:
  std::FILE* out_;
  bool tty_;
  bool active_ = false;
};

}  // namespace arcp::cli
