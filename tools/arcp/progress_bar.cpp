#include "progress_bar.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>

#include "json_text.hpp"

namespace arcp::cli {

ProgressBar::ProgressBar(std::FILE* out) : out_(out), tty_(::isatty(::fileno(out)) != 0) {}

void ProgressBar::update(double current, std::optional<double> total, const std::string& units,
                         const std::string& message) {
  constexpr int kWidth = 30;
  std::string line;
  if (total && *total > 0) {
    double frac = std::clamp(current / *total, 0.0, 1.0);
    int filled = static_cast<int>(frac * kWidth);
    line =
        fmt::format("[{}{}] {:3.0f}% {}/{} {}", std::string(static_cast<std::size_t>(filled), '#'),
                    std::string(static_cast<std::size_t>(kWidth - filled), '.'), frac * 100,
                    number_text(current), number_text(*total), units);
  } else {
    line = fmt::format("[{}] {} {}", std::string(kWidth, '~'), number_text(current), units);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();  // no units: no trailing space
  if (!message.empty()) line += "  " + message;
  if (tty_) {
    fmt::print(out_, "\r\x1b[2K{}", line);  // redraw in place
  } else {
    fmt::print(out_, "{}\n", line);  // pipes get one line per update
  }
  std::fflush(out_);
  active_ = tty_;
}

void ProgressBar::finish() {
  if (active_) fmt::print(out_, "\n");
  active_ = false;
}

}  // namespace arcp::cli
