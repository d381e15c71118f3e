#include "support/jwt_signer.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "core/base64.hpp"

namespace arcp::test {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("JwtSigner: ") + what);
}

std::string bn_param(EVP_PKEY* key, const char* name, int width = 0) {
  BIGNUM* bn = nullptr;
  check(EVP_PKEY_get_bn_param(key, name, &bn) == 1, name);
  int len = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(len), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len);
  BN_free(bn);
  return out;
}

std::string digest_sign(EVP_PKEY* key, const EVP_MD* md, bool pss, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  check(EVP_DigestSignInit(ctx, &pctx, md, nullptr, key) == 1, "sign init");
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t len = 0;
  check(EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1,
        "sign size");
  std::string sig(len, '\0');
  check(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1,
        "sign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return sig;
}

// DER ECDSA → the fixed-width r||s of JWS.
std::string der_to_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  check(sig != nullptr, "ecdsa der");
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

const EVP_MD* hmac_md(const std::string& alg) {
  if (alg == "HS384") return EVP_sha384();
  if (alg == "HS512") return EVP_sha512();
  return EVP_sha256();
}

}  // namespace

std::string b64url(std::string_view bytes) {
  return core::base64url_encode(bytes);
}

struct JwtSigner::Keys {
  EVP_PKEY* rsa = nullptr;
  EVP_PKEY* ec = nullptr;
  EVP_PKEY* ed = nullptr;
  std::string secret;
  ~Keys() {
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(ed);
  }
};

JwtSigner::JwtSigner() : keys_(std::make_unique<Keys>()) {
  keys_->rsa = EVP_RSA_gen(2048);
  keys_->ec = EVP_EC_gen("P-256");
  keys_->ed = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  check(keys_->rsa && keys_->ec && keys_->ed, "keygen");
  keys_->secret.resize(32);
  check(RAND_bytes(reinterpret_cast<unsigned char*>(keys_->secret.data()), 32) == 1, "rand");
}

JwtSigner::~JwtSigner() = default;

json::object JwtSigner::rsa_jwk(const std::string& kid) const {
  return {{"kty", "RSA"},
          {"kid", kid},
          {"use", "sig"},
          {"n", b64url(bn_param(keys_->rsa, OSSL_PKEY_PARAM_RSA_N))},
          {"e", b64url(bn_param(keys_->rsa, OSSL_PKEY_PARAM_RSA_E))}};
}

json::object JwtSigner::ec_jwk(const std::string& kid) const {
  return {{"kty", "EC"},
          {"kid", kid},
          {"crv", "P-256"},
          {"x", b64url(bn_param(keys_->ec, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", b64url(bn_param(keys_->ec, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

json::object JwtSigner::ed25519_jwk(const std::string& kid) const {
  std::string x(32, '\0');
  std::size_t len = x.size();
  check(
      EVP_PKEY_get_raw_public_key(keys_->ed, reinterpret_cast<unsigned char*>(x.data()), &len) == 1,
      "ed raw");
  return {{"kty", "OKP"}, {"kid", kid}, {"crv", "Ed25519"}, {"x", b64url(x)}};
}

json::object JwtSigner::hmac_jwk(const std::string& kid) const {
  return {{"kty", "oct"}, {"kid", kid}, {"k", b64url(keys_->secret)}};
}

json::object JwtSigner::jwks() const {
  return {{"keys", json::array{rsa_jwk("rsa"), ec_jwk("ec"), ed25519_jwk("ed"), hmac_jwk("hs")}}};
}

std::string JwtSigner::sign(const std::string& alg, const json::object& payload,
                            const std::string& kid, json::object header) const {
  std::string k = kid;
  if (k == "default")
    k = alg.rfind("HS", 0) == 0 ? "hs" : alg == "ES256" ? "ec" : alg == "EdDSA" ? "ed" : "rsa";
  json::object h{{"alg", alg}, {"typ", "JWT"}};
  if (!k.empty()) h["kid"] = k;
  for (const auto& m : header) h[m.key()] = m.value();
  std::string input = b64url(json::serialize(h)) + "." + b64url(json::serialize(payload));
  std::string sig;
  if (alg.rfind("HS", 0) == 0) return sign_hmac_raw(h, payload, keys_->secret, alg);
  if (alg == "RS256" || alg == "PS256")
    sig = digest_sign(keys_->rsa, EVP_sha256(), alg == "PS256", input);
  else if (alg == "ES256")
    sig = der_to_raw(digest_sign(keys_->ec, EVP_sha256(), false, input));
  else if (alg == "EdDSA")
    sig = digest_sign(keys_->ed, nullptr, false, input);
  else
    throw std::runtime_error("JwtSigner: unknown alg " + alg);
  return input + "." + b64url(sig);
}

std::string JwtSigner::sign_hmac_raw(const json::object& header, const json::object& payload,
                                     std::string_view secret, const std::string& hmac_alg) {
  std::string input = b64url(json::serialize(header)) + "." + b64url(json::serialize(payload));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(hmac_md(hmac_alg), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + b64url(std::string_view(reinterpret_cast<char*>(mac), len));
}

std::string JwtSigner::rsa_public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, keys_->rsa);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

const std::string& JwtSigner::hmac_secret() const {
  return keys_->secret;
}

}  // namespace arcp::test
