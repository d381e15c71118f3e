// §9 lease grammar: capability namespaces, `cost.budget` amounts and constraints.
#pragma once

#include <arcp/error.hpp>
#include <arcp/glob.hpp>
#include <arcp/json.hpp>
#include <arcp/time.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {

/// §14 caps on a lease: capabilities, patterns per capability, bytes per pattern.
inline constexpr std::size_t kMaxLeaseCapabilities = 64;
inline constexpr std::size_t kMaxLeasePatterns = 256;
inline constexpr std::size_t kMaxLeasePatternBytes = 1024;

/// The seven reserved namespaces of §9.2.
bool is_reserved_capability(std::string_view name);

/// Validates a `lease_request` object: keys reserved or `x-vendor.*`, values
/// arrays of non-empty strings, `cost.budget` entries `currency:decimal`.
/// Violations → INVALID_REQUEST naming the offending key.
Result<void> validate_lease(const json::object& lease);

/// Validates `lease_constraints`: `expires_at` must be RFC 3339, `Z`, and after `now`.
Result<void> validate_lease_constraints(const json::object& constraints, SystemTime now);

/// A parsed `cost.budget` amount; `units` is the value in 10^-9 of the currency
/// so arithmetic is exact (no float drift).
struct BudgetAmount {
  std::string currency;
  std::int64_t nano_units = 0;
  double as_double() const { return static_cast<double>(nano_units) / 1e9; }
};
std::optional<BudgetAmount> parse_budget_amount(std::string_view text);
/// The inverse: "USD:1.5" from 1,500,000,000 nano-units (negatives as 0).
std::string format_budget_amount(std::string_view currency, std::int64_t nano_units);

/// The glob kind a capability's patterns use (`fs.*` paths, `net.fetch`
/// URLs, `model.use` models, everything else names). nullopt for
/// `cost.budget`, whose entries are amounts, not patterns.
std::optional<GlobKind> glob_kind_of(std::string_view capability);

/// A validated lease with every pattern compiled once (per job). Targets are
/// canonicalised for their capability's kind before matching.
class CompiledLease {
 public:
  /// `lease` must pass `validate_lease`. Relative `fs.*` patterns and
  /// targets resolve against `base_dir` (absolute). INVALID_REQUEST names
  /// the capability of a pattern that does not compile.
  static Result<CompiledLease> compile(const json::object& lease, std::string_view base_dir = "/");

  /// True when the lease names `capability` at all.
  bool grants(std::string_view capability) const;
  /// Canonicalises `target` for `capability`, then matches it against the
  /// capability's patterns. Returns the canonical target (the one to act
  /// on). PERMISSION_DENIED with details {capability, target?, reason} when
  /// the capability is absent, no pattern matches, or the target cannot be
  /// canonicalised (then `target` is omitted from the details).
  Result<std::string> check(std::string_view capability, std::string_view target) const;
  /// check() for an already canonical target (e.g. a symlink-resolved path).
  Result<void> check_canonical(std::string_view capability, std::string_view canonical) const;

  /// Sound subset (§9.4, v1.0 §9.4): every pattern of every capability of
  /// `child` is covered by a pattern of the same capability here, and every
  /// `cost.budget` currency of the child is budgeted here with at least the
  /// child's amount. LEASE_SUBSET_VIOLATION with details {capability,
  /// pattern} naming the first offender. (Budgets against the parent's
  /// *remaining* counters are the caller's to check.)
  Result<void> covers(const CompiledLease& child) const;

  /// This lease as a ceiling over `requested` (v1.0 §7.1: the runtime may
  /// narrow, never widen): the requested patterns this lease covers, each
  /// capability it does not grant dropped, and each budget lowered to this
  /// one's (a budget of this lease the request lacks is added). The result
  /// is the effective lease to grant, echoed in job.accepted.
  json::object narrow(const CompiledLease& requested) const;

  const json::object& json() const { return lease_; }
  const std::string& base_dir() const { return base_dir_; }

 private:
  struct Capability {
    std::string name;
    GlobKind kind;
    std::vector<Glob> patterns;
  };
  const Capability* find(std::string_view capability) const;

  json::object lease_;
  std::string base_dir_;
  std::vector<Capability> capabilities_;
};

}  // namespace arcp
