// JWK → OpenSSL 3 public keys (EVP_PKEY_fromdata for RSA and EC, raw keys for
// Ed25519) with each key's allowed algorithms.
#include "auth/jwks.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <arcp/json.hpp>
#include <optional>
#include <fstream>
#include <sstream>

#include "core/base64.hpp"

namespace arcp::auth {
namespace {

constexpr std::size_t kMinHmacBytes = 32;
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMaxKidBytes = 256;

Error bad(std::string message) {
  return Error(ErrorCode::kInvalidRequest, std::move(message));
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

std::optional<std::string> b64_member(const json::object& jwk, std::string_view name) {
  const auto* s = get_string(jwk, name);
  if (s == nullptr) return std::nullopt;
  return core::base64url_decode(std::string_view(s->data(), s->size()));
}

// A public key checked by OpenSSL's own validation (point on the curve, …).
std::shared_ptr<EVP_PKEY> from_params(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) <= 0) return nullptr;
  std::shared_ptr<EVP_PKEY> key(raw, PkeyFree{});
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) <= 0) return nullptr;
  return key;
}

Result<std::shared_ptr<EVP_PKEY>> rsa_key(const json::object& jwk, const std::string& where) {
  auto n = b64_member(jwk, "n");
  auto e = b64_member(jwk, "e");
  if (!n || !e || n->empty() || e->empty() || e->size() > 8)
    return bad(where + ": an RSA key needs base64url members 'n' and 'e'");
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                                                 static_cast<int>(n->size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                                                 static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e) return bad(where + ": out of memory");
  if (BN_num_bits(bn_n.get()) < kMinRsaBits)
    return bad(where + ": the RSA modulus is shorter than 2048 bits");
  if (BN_num_bits(bn_n.get()) > 16384) return bad(where + ": the RSA modulus is too large");
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) <= 0 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) <= 0)
    return bad(where + ": out of memory");
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  auto key = params ? from_params("RSA", params.get()) : nullptr;
  if (!key) return bad(where + ": not a valid RSA public key");
  return key;
}

Result<std::shared_ptr<EVP_PKEY>> ec_key(const json::object& jwk, const std::string& where) {
  auto x = b64_member(jwk, "x");
  auto y = b64_member(jwk, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32)
    return bad(where + ": a P-256 key needs 32-byte base64url members 'x' and 'y'");
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) <=
          0 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) <= 0)
    return bad(where + ": out of memory");
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  auto key = params ? from_params("EC", params.get()) : nullptr;
  if (!key) return bad(where + ": not a point on P-256");
  return key;
}

Result<std::shared_ptr<EVP_PKEY>> ed25519_key(const json::object& jwk, const std::string& where) {
  auto x = b64_member(jwk, "x");
  if (!x || x->size() != 32)
    return bad(where + ": an Ed25519 key needs a 32-byte base64url member 'x'");
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size());
  if (raw == nullptr) return bad(where + ": not a valid Ed25519 public key");
  return std::shared_ptr<EVP_PKEY>(raw, PkeyFree{});
}

// kind: the algorithms a kty/crv may verify at all.
std::vector<JwsAlg> algs_of_kind(std::string_view kty, std::string_view crv) {
  if (kty == "oct") return {JwsAlg::kHs256, JwsAlg::kHs384, JwsAlg::kHs512};
  if (kty == "RSA") return {JwsAlg::kRs256, JwsAlg::kPs256};
  if (kty == "EC" && crv == "P-256") return {JwsAlg::kEs256};
  if (kty == "OKP" && crv == "Ed25519") return {JwsAlg::kEdDsa};
  return {};
}

// nullopt: skip this key (not for signatures, or a kind we do not verify).
Result<std::optional<Jwk>> parse_jwk(const json::value& v, std::size_t index) {
  std::string where = "key " + std::to_string(index);
  if (!v.is_object()) return bad(where + " is not a JSON object");
  const auto& jwk = v.as_object();
  Jwk out;
  if (const auto* kid = jwk.if_contains("kid")) {
    if (!kid->is_string() || kid->as_string().size() > kMaxKidBytes)
      return bad(where + ": 'kid' must be a string of at most 256 bytes");
    out.kid = std::string(kid->as_string());
    where += " ('" + out.kid + "')";
  }
  if (const auto* use = jwk.if_contains("use");
      use != nullptr && !(use->is_string() && use->as_string() == "sig"))
    return std::optional<Jwk>{};
  const auto* kty = get_string(jwk, "kty");
  if (kty == nullptr) return bad(where + " has no 'kty'");
  const auto* crv = get_string(jwk, "crv");
  std::string_view crv_v = crv != nullptr ? std::string_view(*crv) : std::string_view{};
  auto possible = algs_of_kind(*kty, crv_v);
  if (possible.empty()) return std::optional<Jwk>{};
  if (const auto* alg = jwk.if_contains("alg")) {
    if (!alg->is_string()) return bad(where + ": 'alg' must be a string");
    auto parsed = parse_jws_alg(alg->as_string());
    if (!parsed) return std::optional<Jwk>{};  // an algorithm we do not verify
    if (std::find(possible.begin(), possible.end(), *parsed) == possible.end())
      return bad(where + ": 'alg' " + std::string(alg->as_string()) + " does not fit kty " +
                 std::string(*kty));
    out.algs = {*parsed};
  } else {
    out.algs = possible;
  }
  if (*kty == "oct") {
    auto k = b64_member(jwk, "k");
    if (!k) return bad(where + ": an oct key needs a base64url member 'k'");
    if (k->size() < kMinHmacBytes) return bad(where + ": the HMAC secret is shorter than 32 bytes");
    out.secret = std::move(*k);
    return std::optional<Jwk>(std::move(out));
  }
  auto key = *kty == "RSA"  ? rsa_key(jwk, where)
             : *kty == "EC" ? ec_key(jwk, where)
                            : ed25519_key(jwk, where);
  if (!key) return key.error();
  out.key = std::move(key.value());
  return std::optional<Jwk>(std::move(out));
}

}  // namespace

std::optional<JwsAlg> parse_jws_alg(std::string_view name) {
  if (name == "HS256") return JwsAlg::kHs256;
  if (name == "HS384") return JwsAlg::kHs384;
  if (name == "HS512") return JwsAlg::kHs512;
  if (name == "RS256") return JwsAlg::kRs256;
  if (name == "PS256") return JwsAlg::kPs256;
  if (name == "ES256") return JwsAlg::kEs256;
  if (name == "EdDSA") return JwsAlg::kEdDsa;
  return std::nullopt;
}

std::string_view jws_alg_name(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kHs256:
      return "HS256";
    case JwsAlg::kHs384:
      return "HS384";
    case JwsAlg::kHs512:
      return "HS512";
    case JwsAlg::kRs256:
      return "RS256";
    case JwsAlg::kPs256:
      return "PS256";
    case JwsAlg::kEs256:
      return "ES256";
    case JwsAlg::kEdDsa:
      return "EdDSA";
  }
  return "?";
}

bool Jwk::allows(JwsAlg alg) const {
  return std::find(algs.begin(), algs.end(), alg) != algs.end();
}

Result<Jwks> parse_jwks(std::string_view text) {
  if (text.size() > kMaxJwksBytes) return bad("the JWKS is larger than 1 MiB");
  auto doc = parse_json(text);
  if (!doc || !doc->is_object()) return bad("the JWKS is not a JSON object");
  const auto* keys = get_array(doc->as_object(), "keys");
  if (keys == nullptr) return bad("the JWKS has no 'keys' array");
  if (keys->size() > kMaxJwksKeys) return bad("the JWKS has more than 256 keys");
  Jwks out;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    auto jwk = parse_jwk((*keys)[i], i);
    if (!jwk) return jwk.error();
    if (*jwk) out.keys.push_back(std::move(**jwk));
  }
  if (out.keys.empty())
    return bad("the JWKS has no usable signature key (HS256/384/512, RS256, PS256, ES256, EdDSA)");
  return out;
}

Result<Jwks> load_jwks_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad("cannot read the JWKS file '" + path + "'");
  std::string text;
  text.resize(kMaxJwksBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return bad("cannot read the JWKS file '" + path + "'");
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto jwks = parse_jwks(text);
  if (!jwks) return bad("the JWKS file '" + path + "' is invalid: " + jwks.error().message);
  return jwks;
}

}  // namespace arcp::auth
