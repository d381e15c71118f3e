// §9.2 / v1.0 §9.2 capability patterns: anchored globs, compiled once.
#pragma once

#include <arcp/error.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace arcp {

/// What a pattern's targets are; decides the segment separators.
enum class GlobKind {
  kPath,   // fs.*: canonical absolute paths, segments split on '/'
  kUrl,    // net.fetch: canonical URLs, segments split on '/'
  kName,   // tool.call, agent.delegate, x-vendor.*: split on '.', '/' and ':'
  kModel,  // model.use: split on '/' only ("gpt-4.1" is one segment)
};

/// An anchored glob: `*` matches within one segment (any run of
/// non-separator characters, possibly empty), `**` as a whole segment
/// matches zero or more whole segments, every other character matches
/// itself. `a/**` matches `a` itself and everything below it. There is no
/// escaping, `?` or `[...]`: they are literal characters.
class Glob {
 public:
  /// INVALID_REQUEST for an empty pattern, a NUL byte, or `**` that is not
  /// a whole segment (e.g. `a**b`).
  static Result<Glob> compile(std::string_view pattern, GlobKind kind);

  /// `target` must already be canonical for the kind (see canonical.hpp).
  bool matches(std::string_view target) const;
  /// Sound subset test: true only when every string `child` matches is also
  /// matched by this glob. It may answer false for some true subsets (then
  /// the caller refuses), never true for a non-subset. Kinds must agree.
  bool covers(const Glob& child) const;

  const std::string& pattern() const;
  GlobKind kind() const;

  Glob(const Glob&);
  Glob(Glob&&) noexcept;
  Glob& operator=(const Glob&);
  Glob& operator=(Glob&&) noexcept;
  ~Glob();

 private:
  struct Compiled;
  explicit Glob(std::unique_ptr<Compiled> c);
  std::unique_ptr<Compiled> c_;
};

}  // namespace arcp
