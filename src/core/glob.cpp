// Anchored capability globs compiled to a small NFA. Matching simulates the
// NFA state set (O(|target| x |pattern|), never backtracks); `covers` decides
// language inclusion exactly by exploring (child state, parent state set)
// pairs over the characters the two patterns can tell apart, and refuses
// (answers false) when that exploration exceeds a work budget.
#include <algorithm>
#include <arcp/glob.hpp>
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

namespace arcp {

namespace {

bool is_separator(GlobKind kind, unsigned char c) {
  switch (kind) {
    case GlobKind::kName:
      return c == '.' || c == '/' || c == ':';
    case GlobKind::kPath:
    case GlobKind::kUrl:
    case GlobKind::kModel:
      return c == '/';
  }
  return false;
}

enum class EdgeKind : std::uint8_t { kLiteral, kNonSeparator, kAny };

struct Edge {
  EdgeKind kind;
  unsigned char c;  // kLiteral only
  std::uint32_t to;
};

struct State {
  std::vector<Edge> edges;
  std::vector<std::uint32_t> eps;
};

// A pattern piece; `**` segments absorb one neighbouring separator so that
// "zero segments" leaves exactly one separator behind.
enum class TokenKind : std::uint8_t {
  kLiteral,     // c
  kStar,        // [^sep]*
  kAnything,    // .*           (the whole pattern is `**`)
  kLeadingAny,  // (.* s)?      (`**` then separator s, at the start)
  kSepAny,      // (s .*)?      (separator s then `**`)
};

struct Token {
  TokenKind kind;
  unsigned char c;
};

}  // namespace

struct Glob::Compiled {
  std::string pattern;
  GlobKind kind;
  std::vector<State> states;  // states[accept] accepts
  std::uint32_t accept = 0;

  bool edge_matches(const Edge& e, unsigned char c) const {
    switch (e.kind) {
      case EdgeKind::kLiteral:
        return e.c == c;
      case EdgeKind::kNonSeparator:
        return !is_separator(kind, c);
      case EdgeKind::kAny:
        return true;
    }
    return false;
  }

  // Adds `s` and everything reachable from it by epsilon moves to `set`
  // (marked in `in`, listed in `list`).
  void add_closure(std::uint32_t s, std::vector<char>& in, std::vector<std::uint32_t>& list,
                   std::vector<std::uint32_t>& stack) const {
    if (in[s]) return;
    in[s] = 1;
    list.push_back(s);
    stack.push_back(s);
    while (!stack.empty()) {
      std::uint32_t cur = stack.back();
      stack.pop_back();
      for (std::uint32_t n : states[cur].eps) {
        if (in[n]) continue;
        in[n] = 1;
        list.push_back(n);
        stack.push_back(n);
      }
    }
  }
};

namespace {

std::vector<Token> tokenize(std::string_view pattern, GlobKind kind) {
  // Split into segments and the separators between them.
  std::vector<std::string_view> segs;
  std::vector<unsigned char> seps;  // seps[i] precedes segs[i + 1]
  std::size_t start = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_separator(kind, static_cast<unsigned char>(pattern[i]))) {
      segs.push_back(pattern.substr(start, i - start));
      seps.push_back(static_cast<unsigned char>(pattern[i]));
      start = i + 1;
    }
  }
  segs.push_back(pattern.substr(start));

  // Consecutive `**` segments are one `**` (the separator between them goes).
  std::vector<std::string_view> s2{segs[0]};
  std::vector<unsigned char> p2;
  for (std::size_t i = 1; i < segs.size(); ++i) {
    if (segs[i] == "**" && s2.back() == "**") continue;
    s2.push_back(segs[i]);
    p2.push_back(seps[i - 1]);
  }

  std::vector<Token> out;
  auto emit_segment = [&](std::string_view seg) {
    for (char ch : seg)
      out.push_back(ch == '*' ? Token{TokenKind::kStar, 0}
                              : Token{TokenKind::kLiteral, static_cast<unsigned char>(ch)});
  };
  if (s2.size() == 1 && s2[0] == "**") return {Token{TokenKind::kAnything, 0}};
  bool sep_consumed = false;
  if (s2[0] == "**") {
    out.push_back(Token{TokenKind::kLeadingAny, p2[0]});
    sep_consumed = true;
  } else {
    emit_segment(s2[0]);
  }
  for (std::size_t i = 1; i < s2.size(); ++i) {
    unsigned char sep = p2[i - 1];
    if (s2[i] == "**") {
      out.push_back(Token{TokenKind::kSepAny, sep});  // never follows kLeadingAny: collapsed
    } else {
      if (!sep_consumed) out.push_back(Token{TokenKind::kLiteral, sep});
      emit_segment(s2[i]);
    }
    sep_consumed = false;
  }
  return out;
}

// Main chain: state i is "before token i", state tokens.size() accepts;
// tokens with an inner loop get an extra state after the chain.
void build_nfa(const std::vector<Token>& tokens, std::vector<State>& states,
               std::uint32_t& accept) {
  auto n = static_cast<std::uint32_t>(tokens.size());
  states.assign(n + 1, State{});
  accept = n;
  for (std::uint32_t i = 0; i < n; ++i) {
    const Token& t = tokens[i];
    switch (t.kind) {
      case TokenKind::kLiteral:
        states[i].edges.push_back({EdgeKind::kLiteral, t.c, i + 1});
        break;
      case TokenKind::kStar:
        states[i].edges.push_back({EdgeKind::kNonSeparator, 0, i});
        states[i].eps.push_back(i + 1);
        break;
      case TokenKind::kAnything:
        states[i].edges.push_back({EdgeKind::kAny, 0, i});
        states[i].eps.push_back(i + 1);
        break;
      case TokenKind::kLeadingAny: {
        auto in = static_cast<std::uint32_t>(states.size());
        states.push_back(State{});
        states[i].eps.push_back(i + 1);
        states[i].eps.push_back(in);
        states[in].edges.push_back({EdgeKind::kAny, 0, in});
        states[in].edges.push_back({EdgeKind::kLiteral, t.c, i + 1});
        break;
      }
      case TokenKind::kSepAny: {
        auto in = static_cast<std::uint32_t>(states.size());
        states.push_back(State{});
        states[i].eps.push_back(i + 1);
        states[i].edges.push_back({EdgeKind::kLiteral, t.c, in});
        states[in].edges.push_back({EdgeKind::kAny, 0, in});
        states[in].eps.push_back(i + 1);
        break;
      }
    }
  }
}

// Exploring (child state, parent set) pairs is exact but can blow up on
// adversarial patterns; past this many edge visits covers() refuses.
constexpr std::size_t kCoversWorkBudget = 4'000'000;

}  // namespace

Result<Glob> Glob::compile(std::string_view pattern, GlobKind kind) {
  if (pattern.empty()) return Error(ErrorCode::kInvalidRequest, "a pattern must not be empty");
  if (pattern.find('\0') != std::string_view::npos)
    return Error(ErrorCode::kInvalidRequest, "a pattern must not contain NUL");
  std::size_t start = 0;
  for (std::size_t i = 0; i <= pattern.size(); ++i) {
    if (i < pattern.size() && !is_separator(kind, static_cast<unsigned char>(pattern[i]))) continue;
    std::string_view seg = pattern.substr(start, i - start);
    if (seg != "**" && seg.find("**") != std::string_view::npos)
      return Error(ErrorCode::kInvalidRequest, "'**' must be a whole pattern segment");
    start = i + 1;
  }
  auto c = std::make_unique<Compiled>();
  c->pattern = std::string(pattern);
  c->kind = kind;
  build_nfa(tokenize(pattern, kind), c->states, c->accept);
  return Glob(std::move(c));
}

bool Glob::matches(std::string_view target) const {
  const Compiled& g = *c_;
  std::size_t n = g.states.size();
  std::vector<char> in_cur(n, 0), in_next(n, 0);
  std::vector<std::uint32_t> cur, next, stack;
  g.add_closure(0, in_cur, cur, stack);
  for (char ch : target) {
    auto c = static_cast<unsigned char>(ch);
    for (std::uint32_t s : cur)
      for (const Edge& e : g.states[s].edges)
        if (g.edge_matches(e, c)) g.add_closure(e.to, in_next, next, stack);
    if (next.empty()) return false;
    for (std::uint32_t s : cur) in_cur[s] = 0;
    cur.swap(next);
    in_cur.swap(in_next);
    next.clear();
  }
  return in_cur[g.accept] != 0;
}

bool Glob::covers(const Glob& child) const {
  const Compiled& p = *c_;
  const Compiled& c = *child.c_;
  if (p.kind != c.kind) return false;

  // Bytes neither pattern names (and that are not separators) behave alike
  // in both automata: one representative stands for all of them.
  std::array<bool, 256> named{};
  for (unsigned char ch : p.pattern) named[ch] = true;
  for (unsigned char ch : c.pattern) named[ch] = true;
  for (int ch = 0; ch < 256; ++ch)
    if (is_separator(p.kind, static_cast<unsigned char>(ch))) named[ch] = true;
  std::vector<unsigned char> alphabet;
  bool other_added = false;
  for (int ch = 0; ch < 256; ++ch) {
    if (named[ch] || !other_added) {
      alphabet.push_back(static_cast<unsigned char>(ch));
      if (!named[ch]) other_added = true;
    }
  }

  std::size_t pn = p.states.size();
  std::vector<char> mark(pn, 0);
  std::vector<std::uint32_t> stack;
  std::size_t work = 0;

  auto key_of = [](std::uint32_t cs, std::vector<std::uint32_t> set) {
    std::sort(set.begin(), set.end());
    std::string k(reinterpret_cast<const char*>(&cs), sizeof cs);
    k.append(reinterpret_cast<const char*>(set.data()), set.size() * sizeof(std::uint32_t));
    return std::make_pair(std::move(k), std::move(set));
  };

  std::unordered_set<std::string> seen;
  std::deque<std::pair<std::uint32_t, std::vector<std::uint32_t>>> queue;
  auto push = [&](std::uint32_t cs, std::vector<std::uint32_t> set) {
    auto [k, sorted] = key_of(cs, std::move(set));
    if (seen.insert(std::move(k)).second) queue.emplace_back(cs, std::move(sorted));
  };

  {
    std::vector<std::uint32_t> start;
    p.add_closure(0, mark, start, stack);
    for (auto s : start) mark[s] = 0;
    push(0, std::move(start));
  }
  while (!queue.empty()) {
    auto [cs, pset] = std::move(queue.front());
    queue.pop_front();
    bool parent_accepts = false;
    for (auto s : pset) parent_accepts = parent_accepts || s == p.accept;
    if (cs == c.accept && !parent_accepts) return false;
    for (std::uint32_t e : c.states[cs].eps) push(e, pset);
    for (const Edge& ce : c.states[cs].edges) {
      for (unsigned char a : alphabet) {
        if (!c.edge_matches(ce, a)) continue;
        std::vector<std::uint32_t> next;
        for (auto s : pset) {
          for (const Edge& pe : p.states[s].edges) {
            if (++work > kCoversWorkBudget) return false;
            if (p.edge_matches(pe, a)) p.add_closure(pe.to, mark, next, stack);
          }
        }
        for (auto s : next) mark[s] = 0;
        // Every child state can still reach acceptance, so a child word the
        // parent has already rejected is a counterexample.
        if (next.empty()) return false;
        push(ce.to, std::move(next));
      }
    }
  }
  return true;
}

const std::string& Glob::pattern() const {
  return c_->pattern;
}
GlobKind Glob::kind() const {
  return c_->kind;
}

Glob::Glob(std::unique_ptr<Compiled> c) : c_(std::move(c)) {}
Glob::Glob(const Glob& other) : c_(std::make_unique<Compiled>(*other.c_)) {}
Glob::Glob(Glob&&) noexcept = default;
Glob& Glob::operator=(const Glob& other) {
  if (this != &other) c_ = std::make_unique<Compiled>(*other.c_);
  return *this;
}
Glob& Glob::operator=(Glob&&) noexcept = default;
Glob::~Glob() = default;

}  // namespace arcp
