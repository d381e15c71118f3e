// A08: which name of a verified client certificate becomes the peer identity
// (and so the mTLS principal), and which certificates name nobody.
#include "transport/tls_peer_identity.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <memory>

#include "support/test_certs.hpp"

namespace arcp::test {
namespace {

using Kind = SubjectAltName::Kind;
using transport::peer_identity_of;

class TlsPeerIdentity : public ::testing::Test {
 protected:
  static std::string identity(const CertSpec& spec) {
    auto issued = ca().issue(spec);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(issued.cert_pem.data(), static_cast<int>(issued.cert_pem.size())),
        &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    EXPECT_NE(cert, nullptr);
    return peer_identity_of(cert.get());
  }
  static const TestCa& ca() {
    static const TestCa instance("identity test CA");
    return instance;
  }
};

TEST_F(TlsPeerIdentity, ConformanceA08_SanIsPreferredOverCn) {
  EXPECT_EQ(identity({.common_name = "worker-cn", .sans = {{Kind::kDns, "worker.example"}}}),
            "worker.example");
}

TEST_F(TlsPeerIdentity, ConformanceA08_FirstDnsUriOrEmailSanInCertificateOrder) {
  // IP addresses are skipped; among the rest the certificate's order decides.
  EXPECT_EQ(identity({.common_name = "cn",
                      .sans = {{Kind::kIp, "10.0.0.1"},
                               {Kind::kUri, "spiffe://arcp.test/worker"},
                               {Kind::kDns, "worker.example"}}}),
            "spiffe://arcp.test/worker");
  EXPECT_EQ(identity({.sans = {{Kind::kEmail, "ops@example.com"}, {Kind::kDns, "x.example"}}}),
            "ops@example.com");
  // Only an IP SAN: the CN names the peer.
  EXPECT_EQ(identity({.common_name = "carol", .sans = {{Kind::kIp, "10.0.0.1"}}}), "carol");
}

TEST_F(TlsPeerIdentity, ConformanceA08_CnWhenNoSan) {
  EXPECT_EQ(identity({.common_name = "carol"}), "carol");
  EXPECT_EQ(identity({}), "");  // neither: nobody
}

TEST_F(TlsPeerIdentity, ConformanceA08_LongOrOddNamesMapToNobody) {
  EXPECT_EQ(identity({.common_name = std::string(256, 'a')}), std::string(256, 'a'));
  EXPECT_EQ(identity({.common_name = std::string(257, 'a')}), "");
  EXPECT_EQ(identity({.common_name = "line\nbreak"}), "");
  EXPECT_EQ(identity({.common_name = std::string("nul\0byte", 8)}), "");
  EXPECT_EQ(identity({.common_name = "J\xc3\xbcrgen"}), "");  // non-ASCII UTF-8
  EXPECT_EQ(identity({.common_name = "\x1b[31mred"}), "");
  // An unusable first SAN does not fall back to a later name or the CN.
  EXPECT_EQ(identity({.common_name = "carol",
                      .sans = {{Kind::kDns, std::string(300, 'd')}, {Kind::kDns, "ok.example"}}}),
            "");
  EXPECT_EQ(identity({.common_name = "carol", .sans = {{Kind::kDns, ""}}}), "");
}

TEST(TlsPeerIdentityBasics, ConformanceA08_NoCertificateIsNoIdentity) {
  EXPECT_EQ(peer_identity_of(nullptr), "");
  EXPECT_EQ(transport::verified_peer_identity(nullptr), "");
  EXPECT_TRUE(transport::is_acceptable_peer_identity("a"));
  EXPECT_FALSE(transport::is_acceptable_peer_identity(""));
  EXPECT_FALSE(transport::is_acceptable_peer_identity("tab\there"));
}

}  // namespace
}  // namespace arcp::test
