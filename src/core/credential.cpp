// The §9.8.1 credential object.
#include <arcp/credentials.hpp>

namespace arcp {

json::object Credential::to_json() const {
  json::object o{{"id", id}, {"scheme", scheme}, {"value", value}, {"endpoint", endpoint}};
  if (!profile.empty()) o["profile"] = profile;
  if (!constraints.empty()) o["constraints"] = constraints;
  return o;
}

Result<Credential> Credential::from_json(const json::object& object) {
  Credential c;
  for (auto [field, out] : {std::pair{"id", &c.id}, std::pair{"scheme", &c.scheme},
                            std::pair{"value", &c.value}, std::pair{"endpoint", &c.endpoint}}) {
    const auto* s = get_string(object, field);
    if (!s || s->empty())
      return Error(ErrorCode::kInvalidRequest,
                   std::string("a credential needs a non-empty string '") + field + "' (§9.8.1)");
    *out = std::string(*s);
  }
  if (const auto* p = get_string(object, "profile")) c.profile = std::string(*p);
  if (const auto* k = get_object(object, "constraints")) c.constraints = *k;
  return c;
}

Credential Credential::redacted() const {
  Credential c = *this;
  c.value = std::string(kRedactedValue);
  return c;
}

}  // namespace arcp
