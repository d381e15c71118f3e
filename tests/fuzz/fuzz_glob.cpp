// Glob compile/match/covers on arbitrary bytes. The first byte picks the kind;
// the rest splits on '\n' into a parent pattern, a child pattern and texts.
// Each text is matched as is and also spliced into the child's wildcards, so
// that the child really matches it; then covers() must be sound: a parent
// that covers the child matches every string the child matches.
#include <arcp/glob.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"

namespace {

bool separator(arcp::GlobKind kind, char c) {
  return c == '/' || (kind == arcp::GlobKind::kName && (c == '.' || c == ':'));
}

// The child pattern with each wildcard replaced by `fill` (separators dropped
// where a single-segment `*` stands).
std::string instantiate(std::string_view pattern, arcp::GlobKind kind, std::string_view fill) {
  std::string star_fill;
  for (char c : fill)
    if (!separator(kind, c)) star_fill.push_back(c);
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    bool seg_start = i == 0 || separator(kind, pattern[i - 1]);
    bool dstar = pattern.compare(i, 2, "**") == 0 && seg_start &&
                 (i + 2 == pattern.size() || separator(kind, pattern[i + 2]));
    if (dstar) {
      out.append(fill);
      ++i;
    } else if (pattern[i] == '*') {
      out.append(star_fill);
    } else {
      out.push_back(pattern[i]);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 4096) return 0;
  auto kind = static_cast<arcp::GlobKind>(data[0] % 4);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i == rest.size() || rest[i] == '\n') {
      pieces.push_back(rest.substr(start, i - start));
      start = i + 1;
    }
  }
  auto parent = arcp::Glob::compile(pieces[0], kind);
  if (!parent.ok()) {
    FUZZ_CHECK(parent.error().code == arcp::ErrorCode::kInvalidRequest);
    return 0;
  }
  FUZZ_CHECK(parent->pattern() == pieces[0] && parent->kind() == kind);
  if (pieces[0].size() <= 64) FUZZ_CHECK(parent->covers(*parent));
  if (pieces.size() < 2) return 0;
  auto child = arcp::Glob::compile(pieces[1], kind);
  if (!child.ok()) return 0;
  bool covered = parent->covers(*child);

  std::vector<std::string> texts;
  for (std::size_t i = 2; i < pieces.size(); ++i) {
    texts.emplace_back(pieces[i]);
    texts.push_back(instantiate(pieces[1], kind, pieces[i]));
    FUZZ_CHECK(child->matches(texts.back()));
  }
  texts.push_back(instantiate(pieces[1], kind, ""));
  FUZZ_CHECK(child->matches(texts.back()));
  for (const auto& t : texts) {
    bool in_child = child->matches(t);
    bool in_parent = parent->matches(t);
    if (covered && in_child) FUZZ_CHECK(in_parent);
  }
  return 0;
}
