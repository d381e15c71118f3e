#include <algorithm>
#include <arcp/canonical.hpp>
#include <arcp/envelope.hpp>
#include <arcp/lease.hpp>
#include <array>
#include <map>

#include "core/url_pattern.hpp"

namespace arcp {

bool is_reserved_capability(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kReserved{
      "fs.read",        "fs.write",    "net.fetch", "tool.call",
      "agent.delegate", "cost.budget", "model.use"};
  for (auto r : kReserved)
    if (r == name) return true;
  return false;
}

std::optional<BudgetAmount> parse_budget_amount(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 32) return std::nullopt;
  std::string_view currency = text.substr(0, colon);
  std::string_view number = text.substr(colon + 1);
  for (std::size_t i = 0; i < currency.size(); ++i) {
    char c = currency[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool ok = alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '_' || c == '-'));
    if (!ok) return std::nullopt;
  }
  auto dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view frac =
      dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);
  if (whole.empty() || whole.size() > 9) return std::nullopt;  // ≤ 999,999,999 units
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 9)) return std::nullopt;
  std::int64_t value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  std::int64_t nanos = 0;
  std::int64_t scale = 100000000;
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    nanos += (c - '0') * scale;
    scale /= 10;
  }
  return BudgetAmount{std::string(currency), value * 1000000000LL + nanos};
}

Result<void> validate_lease(const json::object& lease) {
  // Patterns are stored with the job and matched on every operation: a
  // lease cannot make either unbounded (§14).
  if (lease.size() > kMaxLeaseCapabilities)
    return Error(ErrorCode::kInvalidRequest,
                 "a lease names at most " + std::to_string(kMaxLeaseCapabilities) + " capabilities",
                 json::object{{"field", "lease_request"}, {"max", kMaxLeaseCapabilities}});
  for (const auto& [key, value] : lease) {
    if (auto ok = check_identifier("lease capability name", key); !ok) return ok.error();
    std::string k(key);
    if (!is_reserved_capability(k) && !is_vendor_name(k))
      return Error(ErrorCode::kInvalidRequest, "unknown lease capability '" + k + "'",
                   json::object{{"capability", k}});
    if (!value.is_array())
      return Error(ErrorCode::kInvalidRequest, "lease capability '" + k + "' must be an array",
                   json::object{{"capability", k}});
    if (value.get_array().size() > kMaxLeasePatterns)
      return Error(ErrorCode::kInvalidRequest,
                   "lease capability '" + k + "' has more than " +
                       std::to_string(kMaxLeasePatterns) + " patterns",
                   json::object{{"capability", k}, {"max", kMaxLeasePatterns}});
    for (const auto& p : value.get_array()) {
      if (p.is_string() && p.get_string().size() > kMaxLeasePatternBytes)
        return Error(
            ErrorCode::kInvalidRequest,
            "a lease pattern is longer than " + std::to_string(kMaxLeasePatternBytes) + " bytes",
            json::object{{"capability", k}, {"max_bytes", kMaxLeasePatternBytes}});
      if (!p.is_string() || p.get_string().empty())
        return Error(ErrorCode::kInvalidRequest,
                     "lease capability '" + k + "' patterns must be non-empty strings",
                     json::object{{"capability", k}});
      if (k == "cost.budget" && !parse_budget_amount(p.get_string()))
        return Error(ErrorCode::kInvalidRequest,
                     p.get_string().size() > kMaxIdentifierBytes
                         ? std::string("a cost.budget amount must be currency:decimal")
                         : "cost.budget amount '" + std::string(p.get_string()) +
                               "' must be currency:decimal",
                     json::object{{"capability", k}});
    }
  }
  return {};
}

Result<void> validate_lease_constraints(const json::object& constraints, SystemTime now) {
  auto it = constraints.find("expires_at");
  if (it == constraints.end()) return {};
  if (!it->value().is_string())
    return Error(ErrorCode::kInvalidRequest, "lease_constraints.expires_at must be a string");
  std::string_view text = it->value().get_string();
  auto when = parse_rfc3339(text);
  if (!when)
    return Error(ErrorCode::kInvalidRequest, "lease_constraints.expires_at is not RFC 3339");
  if (!is_utc_designator(text))
    return Error(ErrorCode::kInvalidRequest, "lease_constraints.expires_at MUST be UTC ('Z')");
  if (*when <= now)
    return Error(ErrorCode::kInvalidRequest, "lease_constraints.expires_at MUST be in the future");
  return {};
}

std::optional<GlobKind> glob_kind_of(std::string_view capability) {
  if (capability == "cost.budget") return std::nullopt;
  if (capability.substr(0, 3) == "fs.") return GlobKind::kPath;
  if (capability == "net.fetch") return GlobKind::kUrl;
  if (capability == "model.use") return GlobKind::kModel;
  return GlobKind::kName;
}

namespace {

// Echoed targets and patterns stay small in messages and details: at most
// 256 bytes, cut on a UTF-8 character boundary.
std::string capped(std::string_view s) {
  constexpr std::size_t kMax = 256;
  if (s.size() <= kMax) return std::string(s);
  std::size_t cut = kMax - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "\u2026";
}

Error denied(std::string_view capability, const std::string* target, std::string reason) {
  json::object details{{"capability", capped(capability)}, {"reason", reason}};
  if (target) details["target"] = capped(*target);
  return Error(ErrorCode::kPermissionDenied, "permission denied: " + reason, std::move(details));
}

Result<std::string> canonical_target(GlobKind kind, std::string_view target,
                                     std::string_view base_dir) {
  switch (kind) {
    case GlobKind::kPath:
      return canonical_path(target, base_dir);
    case GlobKind::kUrl:
      return canonical_url(target);
    case GlobKind::kName:
    case GlobKind::kModel:
      return canonical_name(target);
  }
  return Error(ErrorCode::kInternalError, "unknown glob kind");
}

// The smallest amount per currency (two amounts in one currency: the smaller wins).
std::map<std::string, std::pair<std::int64_t, std::string>, std::less<>> budget_minima(
    const json::object& lease) {
  std::map<std::string, std::pair<std::int64_t, std::string>, std::less<>> out;
  const json::array* amounts = get_array(lease, "cost.budget");
  if (!amounts) return out;
  for (const auto& v : *amounts) {
    if (!v.is_string()) continue;
    auto a = parse_budget_amount(v.get_string());
    if (!a) continue;
    auto it = out.find(a->currency);
    if (it == out.end() || a->nano_units < it->second.first)
      out[a->currency] = {a->nano_units, std::string(v.get_string())};
  }
  return out;
}

Error subset_violation(std::string_view capability, std::string_view pattern,
                       std::string_view why) {
  std::string cap = capped(capability);
  std::string pat = capped(pattern);
  return Error(ErrorCode::kLeaseSubsetViolation,
               "lease capability '" + cap + "' entry '" + pat + "' " + std::string(why),
               json::object{{"capability", cap}, {"pattern", pat}});
}

}  // namespace

Result<CompiledLease> CompiledLease::compile(const json::object& lease, std::string_view base_dir) {
  if (auto ok = validate_lease(lease); !ok) return ok.error();
  if (base_dir.empty() || base_dir.front() != '/' || base_dir.find('\0') != std::string_view::npos)
    return Error(ErrorCode::kInvalidRequest, "the lease base directory must be absolute");
  CompiledLease out;
  out.lease_ = lease;
  out.base_dir_ = std::string(base_dir);
  for (const auto& [key, value] : lease) {
    auto kind = glob_kind_of(key);
    if (!kind) continue;  // cost.budget: amounts, see covers() and BudgetCounters
    Capability cap{std::string(key), *kind, {}};
    for (const auto& p : value.get_array()) {
      std::string_view text = p.get_string();
      Result<std::string> canonical = std::string();
      if (*kind == GlobKind::kPath) {
        canonical = canonical_path(text, base_dir);  // `*` and `**` are ordinary bytes here
      } else if (*kind == GlobKind::kUrl) {
        canonical = canonical_url_pattern(text);
      } else {
        canonical = canonical_name(text);
      }
      Result<Glob> glob = canonical ? Glob::compile(*canonical, *kind) : canonical.error();
      if (!glob)
        return Error(
            ErrorCode::kInvalidRequest,
            "lease capability '" + cap.name + "' has an invalid pattern: " + glob.error().message,
            json::object{{"capability", cap.name}});
      cap.patterns.push_back(std::move(glob.value()));
    }
    out.capabilities_.push_back(std::move(cap));
  }
  return out;
}

const CompiledLease::Capability* CompiledLease::find(std::string_view capability) const {
  for (const auto& c : capabilities_)
    if (c.name == capability) return &c;
  return nullptr;
}

bool CompiledLease::grants(std::string_view capability) const {
  return lease_.contains(capability);
}

Result<std::string> CompiledLease::check(std::string_view capability,
                                         std::string_view target) const {
  auto kind = glob_kind_of(capability);
  if (!kind)
    return denied(capability, nullptr, "cost.budget is an amount, not a pattern capability");
  auto canonical = canonical_target(*kind, target, base_dir_);
  if (!canonical)
    return denied(capability, nullptr,
                  "the target cannot be canonicalised: " + canonical.error().message);
  if (auto ok = check_canonical(capability, *canonical); !ok) return ok.error();
  return canonical;
}

Result<void> CompiledLease::check_canonical(std::string_view capability,
                                            std::string_view canonical) const {
  // A URL's query may hold an API key: a denial names the URL without it.
  std::string target(glob_kind_of(capability) == GlobKind::kUrl
                         ? canonical.substr(0, canonical.find_first_of("?#"))
                         : canonical);
  const Capability* cap = find(capability);
  if (!cap) return denied(capability, &target, "the lease does not grant " + capped(capability));
  for (const auto& g : cap->patterns)
    if (g.matches(canonical)) return {};
  return denied(capability, &target,
                "no " + cap->name + " pattern of the lease matches the target");
}

Result<void> CompiledLease::covers(const CompiledLease& child) const {
  auto mine = budget_minima(lease_);
  for (const auto& [key, value] : child.lease_) {
    if (key == "cost.budget") {
      for (const auto& [currency, theirs] : budget_minima(child.lease_)) {
        auto it = mine.find(currency);
        if (it == mine.end())
          return subset_violation(key, theirs.second,
                                  "names a currency the parent does not budget");
        if (theirs.first > it->second.first)
          return subset_violation(key, theirs.second, "exceeds the parent's budget");
      }
      continue;
    }
    const Capability* parent_cap = find(key);
    const Capability* child_cap = child.find(key);
    if (!child_cap) continue;
    const json::array& sources = value.get_array();
    for (std::size_t i = 0; i < child_cap->patterns.size(); ++i) {
      const Glob& g = child_cap->patterns[i];
      bool covered = false;
      if (parent_cap)
        for (const auto& p : parent_cap->patterns) covered = covered || p.covers(g);
      if (!covered) {
        std::string_view source = i < sources.size() && sources[i].is_string()
                                      ? std::string_view(sources[i].get_string())
                                      : std::string_view(g.pattern());
        return subset_violation(key, source,
                                parent_cap ? "is not within the parent lease"
                                           : "names a capability the parent lease does not grant");
      }
    }
  }
  return {};
}

std::string format_budget_amount(std::string_view currency, std::int64_t nano) {
  nano = std::max<std::int64_t>(nano, 0);
  std::string out = std::string(currency) + ":" + std::to_string(nano / 1000000000LL);
  std::int64_t frac = nano % 1000000000LL;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

json::object CompiledLease::narrow(const CompiledLease& requested) const {
  json::object out;
  for (const auto& cap : requested.capabilities_) {
    const Capability* mine = find(cap.name);
    if (!mine) continue;
    const json::array& sources = requested.lease_.at(cap.name).get_array();
    json::array kept;
    for (std::size_t i = 0; i < cap.patterns.size(); ++i) {
      bool covered = false;
      for (const auto& p : mine->patterns) covered = covered || p.covers(cap.patterns[i]);
      if (covered) kept.push_back(sources[i]);
    }
    if (!kept.empty()) out[cap.name] = std::move(kept);
  }
  auto ceiling = budget_minima(lease_);
  auto asked = budget_minima(requested.lease_);
  json::array amounts;
  if (lease_.contains("cost.budget")) {
    for (const auto& [currency, cap] : ceiling) {
      auto it = asked.find(currency);
      std::int64_t nano = it == asked.end() ? cap.first : std::min(cap.first, it->second.first);
      amounts.emplace_back(format_budget_amount(currency, nano));
    }
  } else {
    for (const auto& [currency, want] : asked) amounts.emplace_back(want.second);
  }
  if (!amounts.empty()) out["cost.budget"] = std::move(amounts);
  return out;
}

}  // namespace arcp
