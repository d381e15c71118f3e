#include "json_input.hpp"

#include <fmt/core.h>

namespace arcp::cli {
namespace {

Error located(std::string_view text, std::string_view what, std::size_t offset,
              const std::string& reason) {
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  std::size_t column = offset - line_start + 1;
  std::string message = fmt::format("{} is not valid JSON: {} at line {}, column {} (byte {})",
                                    what, reason, line, column, offset);
  // A short single-line input is shown with a caret under the spot.
  if (text.size() <= 120 && text.find('\n') == std::string_view::npos)
    message += fmt::format("\n  {}\n  {}^", text, std::string(offset, ' '));
  return Error(ErrorCode::kInvalidRequest, std::move(message));
}

}  // namespace

Result<json::value> parse_json_input(std::string_view text, std::string_view what) {
  json::parse_options opts;
  opts.numbers = json::number_precision::precise;  // as parse_json: numbers round-trip
  opts.max_depth = 64;
  json::parser parser(json::storage_ptr(), opts);
  boost::system::error_code ec;
  // write_some stops at the first bad byte and says how far it got.
  std::size_t used = parser.write_some(text.data(), text.size(), ec);
  if (!ec) {
    // A complete value followed by more than whitespace.
    for (std::size_t i = used; i < text.size(); ++i)
      if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
        return located(text, what, i, "extra text after the value");
    return parser.release();
  }
  return located(text, what, used, ec.message());
}

}  // namespace arcp::cli
