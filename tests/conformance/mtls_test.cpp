// A08 mTLS: a verified client certificate authenticates a session as its
// principal (first DNS/URI/email SAN, else CN); when required, a connection
// without one gets UNAUTHENTICATED; a certificate from another CA never gets
// past TLS. Every certificate is made at test time (support/test_certs).
#include <gtest/gtest.h>

#include <algorithm>
#include <arcp/job_context.hpp>
#include <arcp/websocket_server.hpp>
#include <future>

#include "support/test_certs.hpp"
#include "support/test_support.hpp"

namespace arcp::test {
namespace {

using Kind = SubjectAltName::Kind;

struct CertFiles {
  std::string cert;
  std::string key;
};

/// One test's certificates on disk: a CA, a localhost server certificate it
/// signs, and client certificates.
struct Pki {
  TempDir dir;
  TestCa ca{"arcp test CA"};
  TestCa other_ca{"someone else's CA"};
  std::string ca_file;
  CertFiles server;
  CertFiles worker;   // CN worker-cn, SAN DNS:worker.example
  CertFiles carol;    // CN carol, no SAN
  CertFiles mallory;  // CN alice, signed by other_ca
  Pki() {
    ca_file = write(ca.cert_pem(), "ca.pem");
    server = save(ca.issue_localhost_server(), "server");
    worker = save(ca.issue({.common_name = "worker-cn", .sans = {{Kind::kDns, "worker.example"}}}),
                  "worker");
    carol = save(ca.issue({.common_name = "carol"}), "carol");
    mallory = save(other_ca.issue({.common_name = "alice"}), "mallory");
  }
  std::string write(const std::string& text, const std::string& name) const {
    return write_text_file(dir.path() + "/" + name, text);
  }
  CertFiles save(const TestCert& c, const std::string& name) const {
    return {write(c.cert_pem, name + ".pem"), write(c.key_pem, name + ".key")};
  }
  WebSocketServerOptions listener() const {
    WebSocketServerOptions wo;
    wo.listen_url = "wss://127.0.0.1:0/arcp";
    wo.tls_cert_file = server.cert;
    wo.tls_key_file = server.key;
    wo.tls_client_ca_file = ca_file;
    return wo;
  }
  WebSocketClientOptions websocket(const CertFiles* client_cert) const {
    WebSocketClientOptions ws;
    ws.ca_file = ca_file;
    if (client_cert != nullptr) {
      ws.tls_client_cert_file = client_cert->cert;
      ws.tls_client_key_file = client_cert->key;
    }
    return ws;
  }
  ClientOptions client(const CertFiles* client_cert, std::string token = {}) const {
    ClientOptions co;
    co.token = std::move(token);
    co.websocket = websocket(client_cert);
    return co;
  }
};

RuntimeOptions mtls_options(bool required) {
  auto o = default_runtime_options();
  o.trust_client_certificates = true;
  o.require_client_certificate = required;
  return o;
}

/// Registers `whoami` (returns its job's principal) and listens with mTLS.
std::string start(TestRuntime& rt, const Pki& pki) {
  auto reg = rt.runtime().register_agent("whoami", [](JobContext& ctx) -> Result<json::value> {
    return json::value(json::string(ctx.principal()));
  });
  EXPECT_TRUE(reg);
  auto url = rt.runtime().listen(pki.listener());
  EXPECT_TRUE(url) << url.error().describe();
  return url ? url.value() : std::string();
}

/// The principal a session authenticated as, as a job of it sees it.
std::string whoami(Client& client) {
  auto job = client.submit({.agent = "whoami"});
  if (!job) return "submit failed: " + job.error().describe();
  auto r = job->result();
  if (!r) return "job failed: " + r.error().describe();
  return std::string(r.value().as_string());
}

std::vector<std::string> visible_jobs(Client& client) {
  std::vector<std::string> ids;
  auto pages = client.list_jobs();
  while (auto page = pages.next()) {
    if (!*page) break;
    for (const auto& j : (*page)->jobs) ids.push_back(j.job_id);
  }
  return ids;
}

TEST(Mtls, ConformanceA08_ClientCertificateMapsToPrincipal) {
  Pki pki;
  TestRuntime rt(mtls_options(false));
  auto url = start(rt, pki);
  auto worker = Client::connect(url, pki.client(&pki.worker));
  ASSERT_TRUE(worker) << worker.error().describe();
  auto job = (*worker)->submit({.agent = "echo", .input = "over mtls"});
  ASSERT_TRUE(job) << job.error().describe();
  EXPECT_EQ(job->result().value(), "over mtls");

  // Another connection with the same certificate is the same principal and
  // sees the job; a different certificate (or a token principal) does not.
  auto again = Client::connect(url, pki.client(&pki.worker));
  ASSERT_TRUE(again) << again.error().describe();
  auto seen = visible_jobs(**again);
  EXPECT_NE(std::find(seen.begin(), seen.end(), job->job_id()), seen.end());
  auto carol = Client::connect(url, pki.client(&pki.carol));
  ASSERT_TRUE(carol) << carol.error().describe();
  seen = visible_jobs(**carol);
  EXPECT_EQ(std::find(seen.begin(), seen.end(), job->job_id()), seen.end());
  auto alice = rt.connect_memory("alice-token");
  seen = visible_jobs(*alice);
  EXPECT_EQ(std::find(seen.begin(), seen.end(), job->job_id()), seen.end());
}

TEST(Mtls, ConformanceA08_SanIsPreferredOverCnAndCnUsedWithoutSan) {
  Pki pki;
  TestRuntime rt(mtls_options(false));
  auto url = start(rt, pki);
  auto worker = Client::connect(url, pki.client(&pki.worker));
  ASSERT_TRUE(worker) << worker.error().describe();
  EXPECT_EQ(whoami(**worker), "worker.example");
  auto carol = Client::connect(url, pki.client(&pki.carol));
  ASSERT_TRUE(carol) << carol.error().describe();
  EXPECT_EQ(whoami(**carol), "carol");
}

TEST(Mtls, ConformanceA08_BearerTokenWithCertificateAuthenticatesAsTokenPrincipal) {
  Pki pki;
  TestRuntime rt(mtls_options(true));
  auto url = start(rt, pki);
  auto both = Client::connect(url, pki.client(&pki.worker, "alice-token"));
  ASSERT_TRUE(both) << both.error().describe();
  EXPECT_EQ(whoami(**both), "alice");
  // A wrong token is refused even with a good certificate: no fallback.
  auto wrong = Client::connect(url, pki.client(&pki.worker, "wrong-token"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
}

TEST(Mtls, ConformanceA08_RequiredCertificateMissingIsUnauthenticatedAndClosed) {
  Pki pki;
  TestRuntime rt(mtls_options(true));
  auto url = start(rt, pki);
  // TLS and the upgrade succeed without a certificate; the hello does not,
  // whatever token it carries.
  for (std::string token : {"alice-token", ""}) {
    auto conn = connect_websocket(url, pki.websocket(nullptr));
    ASSERT_TRUE(conn) << conn.error().describe();
    EXPECT_EQ((*conn)->peer_identity(), "");
    RawPeer peer(*conn);
    auto err = peer.handshake(token);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->type, "session.error");
    EXPECT_EQ(err->payload.at("code"), "UNAUTHENTICATED");
    EXPECT_EQ(err->payload.at("details").at("reason"), "missing_client_certificate");
    EXPECT_TRUE(peer.wait_closed());
  }
  auto client = Client::connect(url, pki.client(nullptr, "alice-token"));
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, ErrorCode::kUnauthenticated);
  auto worker = Client::connect(url, pki.client(&pki.worker));
  ASSERT_TRUE(worker) << worker.error().describe();
  EXPECT_EQ(whoami(**worker), "worker.example");
}

TEST(Mtls, ConformanceA08_AStandaloneResumeWithoutACertificateIsRefusedWhenRequired) {
  Pki pki;
  TestRuntime rt(mtls_options(true));
  auto url = start(rt, pki);
  auto with_cert = connect_websocket(url, pki.websocket(&pki.worker));
  ASSERT_TRUE(with_cert) << with_cert.error().describe();
  RawPeer first(*with_cert);
  auto w = first.handshake("");
  ASSERT_TRUE(w);
  ASSERT_EQ(w->type, "session.welcome");
  first.send("session.bye", json::object{});
  ASSERT_TRUE(first.wait_closed());
  // The resume token alone must not stand in for the certificate.
  auto without = connect_websocket(url, pki.websocket(nullptr));
  ASSERT_TRUE(without) << without.error().describe();
  RawPeer second(*without);
  second.send("session.resume", json::object{{"session_id", first.session_id},
                                             {"resume_token", w->payload.at("resume_token")},
                                             {"last_event_seq", 0}});
  auto err = second.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->type, "session.error");
  EXPECT_EQ(err->payload.at("details").at("reason"), "missing_client_certificate");
  EXPECT_TRUE(second.wait_closed());
}

TEST(Mtls, ConformanceA08_CertificateIsNotTrustedUnlessEnabled) {
  Pki pki;
  TestRuntime rt;  // bearer tokens only; the listener still verifies certificates
  auto url = start(rt, pki);
  auto conn = connect_websocket(url, pki.websocket(&pki.worker));
  ASSERT_TRUE(conn) << conn.error().describe();
  RawPeer peer(*conn);
  auto err = peer.handshake("");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "UNAUTHENTICATED");
  EXPECT_EQ(err->payload.at("details").at("reason"), "missing_token");
  EXPECT_TRUE(peer.wait_closed());
}

TEST(Mtls, ConformanceA08_CertificateFromAnotherCaFailsTheTlsHandshake) {
  Pki pki;
  // The listener alone: anything that got past TLS and the upgrade would be
  // handed to this callback, before any hello.
  std::mutex mu;
  std::vector<std::shared_ptr<Connection>> accepted;  // outlives no server: cleared below
  std::promise<std::string> first_identity;
  auto server = WebSocketServer::start(pki.listener(), [&](std::shared_ptr<Connection> c) {
    c->start({});
    std::lock_guard lock(mu);
    if (accepted.empty()) first_identity.set_value(c->peer_identity());
    accepted.push_back(std::move(c));
  });
  ASSERT_TRUE(server) << server.error().describe();
  std::string url = (*server)->url();

  auto foreign = connect_websocket(url, pki.websocket(&pki.mallory));
  EXPECT_FALSE(foreign);
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(accepted.empty());
  }
  // The listener still serves good certificates, and they carry their identity.
  auto good = connect_websocket(url, pki.websocket(&pki.carol));
  ASSERT_TRUE(good) << good.error().describe();
  auto identity = first_identity.get_future();
  ASSERT_EQ(identity.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(identity.get(), "carol");
  (*good)->close();
  (*server)->stop();
  std::lock_guard lock(mu);
  accepted.clear();  // before the server (and its I/O context) goes
}

TEST(Mtls, ConformanceA08_MisconfigurationFailsClearly) {
  Pki pki;
  WebSocketServerOptions plain = pki.listener();
  plain.listen_url = "ws://127.0.0.1:0/arcp";
  auto ws = WebSocketServer::start(plain, [](std::shared_ptr<Connection>) {});
  ASSERT_FALSE(ws);
  EXPECT_NE(ws.error().message.find("wss://"), std::string::npos) << ws.error().message;

  WebSocketServerOptions missing = pki.listener();
  missing.tls_client_ca_file = pki.dir.path() + "/no-such-ca.pem";
  auto no_ca = WebSocketServer::start(missing, [](std::shared_ptr<Connection>) {});
  ASSERT_FALSE(no_ca);
  EXPECT_NE(no_ca.error().message.find("client CA"), std::string::npos) << no_ca.error().message;

  TestRuntime rt(mtls_options(false));
  auto url = start(rt, pki);
  WebSocketClientOptions half = pki.websocket(&pki.worker);
  half.tls_client_key_file.clear();
  auto r1 = connect_websocket(url, half);
  ASSERT_FALSE(r1);
  EXPECT_NE(r1.error().message.find("key"), std::string::npos) << r1.error().message;

  WebSocketClientOptions mismatched = pki.websocket(&pki.worker);
  mismatched.tls_client_key_file = pki.carol.key;
  auto r2 = connect_websocket(url, mismatched);
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message.find("does not match"), std::string::npos) << r2.error().message;

  WebSocketClientOptions absent = pki.websocket(&pki.worker);
  absent.tls_client_cert_file = pki.dir.path() + "/absent.pem";
  auto r3 = connect_websocket(url, absent);
  ASSERT_FALSE(r3);
  EXPECT_NE(r3.error().message.find("client certificate"), std::string::npos) << r3.error().message;

  auto r4 = connect_websocket(rt.websocket_url(), pki.websocket(&pki.worker));
  ASSERT_FALSE(r4);
  EXPECT_NE(r4.error().message.find("wss://"), std::string::npos) << r4.error().message;
  // Key material never shows in an error.
  for (const auto* e : {&r1.error(), &r2.error(), &r3.error(), &r4.error()})
    EXPECT_EQ(e->message.find("PRIVATE KEY"), std::string::npos);
}

#ifdef ARCP_CLI_PATH
TEST(Cli, ConformanceA08_ServeRequiresClientCertificate) {
  Pki pki;
  const std::string cli = ARCP_CLI_PATH;
  int code = -1;
  std::string out =
      run_command(cli + " serve --listen wss://127.0.0.1:0/arcp --tls-cert " + pki.server.cert +
                      " --tls-key " + pki.server.key + " --token t:a --require-client-cert 2>&1",
                  code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--require-client-cert needs --tls-client-ca"), std::string::npos) << out;
  out = run_command(
      cli + " serve --listen ws://127.0.0.1:0/arcp --tls-client-ca " + pki.ca_file + " 2>&1", code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--tls-client-ca needs a wss:// --listen"), std::string::npos) << out;
  out = run_command(
      cli + " submit --url wss://127.0.0.1:1/arcp --client-cert " + pki.worker.cert + " echo 2>&1",
      code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("--client-key"), std::string::npos) << out;

  FILE* server = ::popen((cli + " serve --listen wss://127.0.0.1:0/arcp --tls-cert " +
                          pki.server.cert + " --tls-key " + pki.server.key + " --tls-client-ca " +
                          pki.ca_file + " --require-client-cert 2>/dev/null & echo $! ; wait")
                             .c_str(),
                         "r");
  ASSERT_NE(server, nullptr);
  char line[512];
  ASSERT_TRUE(std::fgets(line, sizeof line, server));
  std::string pid = std::string(line).substr(0, std::string(line).find('\n'));
  ASSERT_TRUE(std::fgets(line, sizeof line, server));
  std::string l(line);
  auto at = l.find("wss://");
  ASSERT_NE(at, std::string::npos) << l;
  std::string url = l.substr(at, l.find('\n') - at);

  auto tls = [&](const CertFiles* c) {
    std::string flags = " --url " + url + " --ca-file " + pki.ca_file;
    if (c != nullptr) flags += " --client-cert " + c->cert + " --client-key " + c->key;
    return flags;
  };
  out = run_command(cli + " submit" + tls(&pki.worker) + " echo '\"hello mtls\"'", code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("hello mtls"), std::string::npos) << out;
  // The job is the certificate principal's: worker sees it, carol does not.
  out = run_command(cli + " jobs" + tls(&pki.worker), code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("1 job(s)"), std::string::npos) << out;
  out = run_command(cli + " jobs" + tls(&pki.carol), code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("0 job(s)"), std::string::npos) << out;

  // Without a certificate: refused, exit 6 (authentication, docs/cli.md).
  out = run_command(cli + " submit" + tls(nullptr) + " echo 2>&1", code);
  EXPECT_EQ(code, 6) << out;
  EXPECT_NE(out.find("--client-cert"), std::string::npos) << out;
  EXPECT_NE(out.find("UNAUTHENTICATED"), std::string::npos) << out;

  std::system(("kill -TERM " + pid).c_str());
  ::pclose(server);
}
#endif

}  // namespace
}  // namespace arcp::test
