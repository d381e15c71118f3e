// JWT parsing and verification on arbitrary bytes, and JWKS parsing: never a
// crash; a token is only ever accepted when a fixed key's signature verifies
// (the fuzzer cannot forge an HMAC-SHA256, so acceptance means the input was
// a token the fixed key signed — there are none in the corpus); whatever a
// JWKS parse yields has at least one key, each with an allowed algorithm.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/jwks.hpp"
#include "auth/jws_verify.hpp"
#include "auth/jwt_claims.hpp"
#include "fuzz_check.hpp"

namespace {

const arcp::auth::Jwks& fixed_keys() {
  // One HMAC key ("k" is 32 bytes of 'k') and one Ed25519 key (RFC 8037 A.2).
  static const auto keys = arcp::auth::parse_jwks(
      R"({"keys":[{"kty":"oct","kid":"hs","k":"a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s"},)"
      R"({"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  return keys.value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto jwks = arcp::auth::parse_jwks(text)) {
    FUZZ_CHECK(!jwks->keys.empty());
    for (const auto& k : jwks->keys) FUZZ_CHECK(!k.algs.empty());
  }

  auto jws = arcp::auth::parse_compact_jws(text);
  if (!jws) {
    FUZZ_CHECK(jws.error().code == arcp::ErrorCode::kUnauthenticated);
    return 0;
  }
  FUZZ_CHECK(size <= arcp::auth::kMaxJwtBytes);
  for (const auto& key : fixed_keys().keys) {
    if (!arcp::auth::verify_jws_signature(key, *jws)) continue;
    FUZZ_CHECK(key.allows(jws->alg));
    (void)arcp::auth::check_jwt_claims(jws->payload, arcp::auth::ClaimRules{},
                                 std::chrono::system_clock::now());
  }
  return 0;
}
