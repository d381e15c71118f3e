#include <arcp/envelope.hpp>
#include <arcp/lease.hpp>
#include <array>

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
  for (const auto& [key, value] : lease) {
    if (auto ok = check_identifier("lease capability name", key); !ok) return ok.error();
    std::string k(key);
    if (!is_reserved_capability(k) && !is_vendor_name(k))
      return Error(ErrorCode::kInvalidRequest, "unknown lease capability '" + k + "'",
                   json::object{{"capability", k}});
    if (!value.is_array())
      return Error(ErrorCode::kInvalidRequest, "lease capability '" + k + "' must be an array",
                   json::object{{"capability", k}});
    for (const auto& p : value.get_array()) {
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

}  // namespace arcp
