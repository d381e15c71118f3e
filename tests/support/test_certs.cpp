#include "support/test_certs.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <stdexcept>

namespace arcp::test {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

KeyPtr new_key() {
  KeyPtr key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  check(key != nullptr, "EC key generation");
  return key;
}

std::string key_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "key PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string cert_pem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "certificate PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void add_sans(X509* cert, const std::vector<SubjectAltName>& sans) {
  if (sans.empty()) return;
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  for (const auto& san : sans) {
    GENERAL_NAME* gn = nullptr;
    if (san.kind == SubjectAltName::Kind::kIp) {
      gn = GENERAL_NAME_new();
      gn->type = GEN_IPADD;
      gn->d.iPAddress = a2i_IPADDRESS(san.value.c_str());
      check(gn->d.iPAddress != nullptr, "IP SAN");
    } else {
      // Set directly (not through the config parser) so any bytes go in.
      ASN1_IA5STRING* s = ASN1_IA5STRING_new();
      ASN1_STRING_set(s, san.value.data(), static_cast<int>(san.value.size()));
      int type = san.kind == SubjectAltName::Kind::kDns   ? GEN_DNS
                 : san.kind == SubjectAltName::Kind::kUri ? GEN_URI
                                                          : GEN_EMAIL;
      gn = GENERAL_NAME_new();
      GENERAL_NAME_set0_value(gn, type, s);
    }
    sk_GENERAL_NAME_push(names, gn);
  }
  check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1,
        "subjectAltName");
  GENERAL_NAMES_free(names);
}

CertPtr make_cert(const std::string& cn, EVP_PKEY* key, X509* issuer, long serial) {
  CertPtr cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("arcp tests"), -1, -1, 0);
  if (!cn.empty())
    check(X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING,
                                     reinterpret_cast<const unsigned char*>(cn.data()),
                                     static_cast<int>(cn.size()), -1, 0) == 1,
          "CN");
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  check(X509_sign(cert, key, EVP_sha256()) > 0, "sign");
}

}  // namespace

struct TestCa::State {
  KeyPtr key{nullptr, &EVP_PKEY_free};
  CertPtr cert{nullptr, &X509_free};
  std::string pem;
  mutable long next_serial = 2;
};

TestCa::TestCa(const std::string& name) : st_(std::make_unique<State>()) {
  st_->key = new_key();
  st_->cert = make_cert(name, st_->key.get(), nullptr, 1);
  add_ext(st_->cert.get(), st_->cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(st_->cert.get(), st_->cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(st_->cert.get(), st_->cert.get(), NID_subject_key_identifier, "hash");
  sign(st_->cert.get(), st_->key.get());
  st_->pem = arcp::test::cert_pem(st_->cert.get());
}

TestCa::~TestCa() = default;

const std::string& TestCa::cert_pem() const {
  return st_->pem;
}

TestCert TestCa::issue(const CertSpec& spec) const {
  KeyPtr key = new_key();
  CertPtr cert = make_cert(spec.common_name, key.get(), st_->cert.get(), st_->next_serial++);
  add_ext(cert.get(), st_->cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), st_->cert.get(), NID_key_usage, "critical,digitalSignature");
  add_ext(cert.get(), st_->cert.get(), NID_ext_key_usage,
          spec.server ? "serverAuth" : "clientAuth");
  add_ext(cert.get(), st_->cert.get(), NID_authority_key_identifier, "keyid:always");
  add_sans(cert.get(), spec.sans);
  sign(cert.get(), st_->key.get());
  return TestCert{arcp::test::cert_pem(cert.get()), key_pem(key.get())};
}

TestCert TestCa::issue_localhost_server() const {
  using K = SubjectAltName::Kind;
  return issue(CertSpec{.common_name = "localhost",
                        .sans = {{K::kIp, "127.0.0.1"}, {K::kDns, "localhost"}},
                        .server = true});
}

std::string write_text_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  check(fd >= 0, "open file");
  std::size_t off = 0;
  while (off < text.size()) {
    auto n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ::close(fd);
      check(false, "write file");
    }
    off += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

}  // namespace arcp::test
