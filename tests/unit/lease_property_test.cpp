// Property tests (RapidCheck) for the lease engine: covers() is sound (and,
// for generalisations, complete), canonical paths are clean and stable, and
// nothing outside a `/dir/**` pattern's prefix ever matches it.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <arcp/canonical.hpp>
#include <arcp/glob.hpp>
#include <arcp/lease.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {
namespace {

std::string pick(std::string_view alphabet, int max_len) {
  int len = *rc::gen::inRange(0, max_len + 1);
  std::string s;
  for (int i = 0; i < len; ++i) s += alphabet[*rc::gen::inRange<std::size_t>(0, alphabet.size())];
  return s;
}

// `**` inside a longer segment is invalid: squeeze star runs there.
std::string normalise_segment(std::string seg) {
  if (seg == "**" || seg.find("**") == std::string::npos) return seg;
  std::string out;
  for (char c : seg)
    if (!(c == '*' && !out.empty() && out.back() == '*')) out.push_back(c);
  return out;
}

std::vector<std::string> random_segments() {
  int n = *rc::gen::inRange(1, 5);
  std::vector<std::string> segs;
  for (int i = 0; i < n; ++i)
    segs.push_back(*rc::gen::inRange(0, 4) == 0 ? std::string("**")
                                                : normalise_segment(pick("ab.*", 3)));
  if (segs.size() == 1 && segs[0].empty()) segs[0] = "a";  // patterns are never empty
  return segs;
}

std::string join(const std::vector<std::string>& segs) {
  std::string out;
  for (std::size_t i = 0; i < segs.size(); ++i) out += (i ? "/" : "") + segs[i];
  return out;
}

// A pattern that covers `segs` by construction: segments widened to `*` or
// `**`, characters to `*`, `**` segments inserted.
std::vector<std::string> generalise(const std::vector<std::string>& segs) {
  std::vector<std::string> out;
  for (const auto& seg : segs) {
    if (*rc::gen::inRange(0, 6) == 0) out.push_back("**");
    int how = *rc::gen::inRange(0, 5);
    if (seg == "**" || how == 0) {
      out.push_back(seg);
    } else if (how == 1) {
      out.push_back("*");
    } else if (how == 2) {
      out.push_back("**");
    } else {
      std::string s = seg;
      for (char& c : s)
        if (*rc::gen::inRange(0, 2) == 0) c = '*';
      out.push_back(normalise_segment(s));
    }
  }
  if (*rc::gen::inRange(0, 6) == 0) out.push_back("**");
  return out;
}

// A string `segs` matches: wildcards replaced by random text.
std::string instantiate(const std::vector<std::string>& segs) {
  std::vector<std::string> parts;
  for (const auto& seg : segs) {
    if (seg == "**") {
      int k = *rc::gen::inRange(0, 4);
      for (int i = 0; i < k; ++i) parts.push_back(pick("ab.", 3));
      continue;
    }
    std::string s;
    for (char c : seg) s += c == '*' ? pick("ab.", 3) : std::string(1, c);
    parts.push_back(s);
  }
  return join(parts);
}

Glob compile(const std::string& pattern) {
  auto g = Glob::compile(pattern, GlobKind::kPath);
  RC_LOG() << "pattern: " << pattern << "\n";
  RC_ASSERT(g.ok());
  return g.value();
}

RC_GTEST_PROP(GlobProperty, CoversIsSound, ()) {
  auto child_segs = random_segments();
  auto parent_segs = *rc::gen::inRange(0, 2) ? generalise(child_segs) : random_segments();
  Glob child = compile(join(child_segs));
  Glob parent = compile(join(parent_segs));
  std::string target = instantiate(child_segs);
  RC_LOG() << "target: " << target << "\n";
  RC_ASSERT(child.matches(target));
  bool covered = parent.covers(child);
  RC_TAG(covered ? "covered" : "not covered");
  if (covered) RC_ASSERT(parent.matches(target));
}

RC_GTEST_PROP(GlobProperty, GeneralisationsAreCovered, ()) {
  auto child_segs = random_segments();
  Glob child = compile(join(child_segs));
  Glob parent = compile(join(generalise(child_segs)));
  RC_ASSERT(parent.covers(child));
}

// Inputs never yield a literal '%' (no `%25`), so the output is stable: a
// literal '%' would be decoded again (canonical paths are acted on, never
// re-canonicalised).
RC_GTEST_PROP(CanonicalProperty, PathIsCleanAndIdempotent, ()) {
  static const std::vector<std::string> kPieces = {"a",   "b",   "/",   "//", ".",   "..",  "%2e",
                                                   "%2E", "%2f", "%2F", "%",  "%00", "%zz", "x%41"};
  int n = *rc::gen::inRange(1, 12);
  std::string input;
  for (int i = 0; i < n; ++i) input += kPieces[*rc::gen::inRange<std::size_t>(0, kPieces.size())];
  auto out = canonical_path(input, *rc::gen::element<std::string>("/", "/base", "/b/./c/"));
  if (!out) return;
  const std::string& p = out.value();
  RC_ASSERT(!p.empty() && p.front() == '/');
  RC_ASSERT(p.find("//") == std::string::npos);
  RC_ASSERT(p.find("/./") == std::string::npos);
  RC_ASSERT(p.find("/../") == std::string::npos);
  RC_ASSERT(p == "/" || p.back() != '/');
  RC_ASSERT(!(p.size() >= 2 && p.compare(p.size() - 2, 2, "/.") == 0));
  RC_ASSERT(!(p.size() >= 3 && p.compare(p.size() - 3, 3, "/..") == 0));
  auto again = canonical_path(p);
  RC_ASSERT(again.ok());
  RC_ASSERT(again.value() == p);
}

RC_GTEST_PROP(LeaseProperty, NothingOutsideThePrefixMatches, ()) {
  static const CompiledLease lease =
      CompiledLease::compile(json::object{{"fs.read", json::array{"/srv/allowed/**"}}}, "/srv")
          .value();
  static const Glob glob = Glob::compile("/srv/allowed/**", GlobKind::kPath).value();
  static const std::vector<std::string> kPieces = {
      "srv", "allowed",   "secret",       "a",    "/", "..", ".", "%2e", "%2f",
      "//",  "allowed..", "\xEF\xBC\x8F", "%252e"};
  int n = *rc::gen::inRange(1, 10);
  std::string target;
  for (int i = 0; i < n; ++i) target += kPieces[*rc::gen::inRange<std::size_t>(0, kPieces.size())];
  auto canonical = canonical_path(target, "/srv");
  auto checked = lease.check("fs.read", target);
  RC_ASSERT(canonical.ok() == checked.ok() || !checked.ok());
  if (!canonical) return;
  const std::string& c = canonical.value();
  bool inside = c == "/srv/allowed" || c.rfind("/srv/allowed/", 0) == 0;
  RC_TAG(inside ? "inside" : "outside");
  RC_ASSERT(glob.matches(c) == inside);
  RC_ASSERT(checked.ok() == inside);
  if (checked.ok()) RC_ASSERT(checked.value() == c);
}

}  // namespace
}  // namespace arcp
