// Certificates made at test time with OpenSSL (EC P-256): a throwaway CA,
// server certificates for 127.0.0.1/localhost and client certificates with
// chosen names, for TLS and mTLS tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace arcp::test {

struct SubjectAltName {
  enum class Kind { kDns, kUri, kEmail, kIp };
  Kind kind;
  std::string value;  // raw bytes: odd values are allowed on purpose
};

struct CertSpec {
  std::string common_name;  // empty: the subject has no CN
  /// Any bytes (a CN over 64 bytes is written as a UTF8String, bypassing
  /// OpenSSL's own length check, to test what a verifier does with it).
  std::vector<SubjectAltName> sans;
  bool server = false;  // extendedKeyUsage serverAuth, else clientAuth
};

/// A PEM certificate and its PEM private key.
struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

class TestCa {
 public:
  explicit TestCa(const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;
  const std::string& cert_pem() const;
  /// A certificate this CA signs (valid from an hour ago for a day).
  TestCert issue(const CertSpec& spec) const;
  /// A server certificate for 127.0.0.1 and localhost.
  TestCert issue_localhost_server() const;

 private:
  struct State;
  std::unique_ptr<State> st_;
};

/// Writes `text` to `path` (mode 0600) and returns `path`; throws on failure.
std::string write_text_file(const std::string& path, const std::string& text);

}  // namespace arcp::test
