// /metrics, /healthz and /readyz over real HTTP on the runtime's listener;
// structured logs and the audit trail, with no secret in either (issue:
// metrics, health endpoints, structured logs and the audit log).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <arcp/log.hpp>
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "store/store.hpp"
#include "support/test_support.hpp"

namespace arcp::test {
namespace {

using namespace std::chrono_literals;

struct HttpResult {
  int status = -1;
  std::string head;
  std::string body;
};

std::uint16_t port_of(const std::string& url) {
  auto colon = url.rfind(':');
  return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1, url.find('/', colon) - colon)));
}

/// One GET over a plain socket, read to the server's close (it answers with
/// `Connection: close`). `host` empty: the listener's own 127.0.0.1:port.
HttpResult http_get(const std::string& ws_url, const std::string& path, std::string host = {}) {
  HttpResult r;
  std::uint16_t port = port_of(ws_url);
  if (host.empty()) host = "127.0.0.1:" + std::to_string(port);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return r;
  timeval tv{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return r;
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return r;
  }
  std::string data;
  char buf[8192];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;  // EOF (the server's close), or the timeout
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto split = data.find("\r\n\r\n");
  if (data.rfind("HTTP/1.1 ", 0) != 0 || split == std::string::npos) return r;
  r.status = std::stoi(data.substr(9, 3));
  r.head = data.substr(0, split);
  r.body = data.substr(split + 4);
  return r;
}

/// Series (name and labels, as written) → value; comments skipped.
std::map<std::string, double> parse_metrics(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    if (space == std::string::npos) throw std::runtime_error("bad metrics line: " + line);
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double at(const std::map<std::string, double>& m, const std::string& series) {
  auto it = m.find(series);
  return it == m.end() ? 0 : it->second;
}

/// Collects lines from a log or audit sink.
struct Lines {
  mutable std::mutex mu;
  std::vector<std::string> lines;
  std::function<void(std::string_view)> log_sink() {
    return [this](std::string_view l) {
      std::lock_guard lock(mu);
      lines.emplace_back(l);
    };
  }
  std::function<void(const std::string&)> audit_sink() {
    return [this](const std::string& l) {
      std::lock_guard lock(mu);
      lines.push_back(l);
    };
  }
  std::vector<json::object> parsed() const {
    std::lock_guard lock(mu);
    std::vector<json::object> out;
    for (const auto& l : lines) {
      auto v = parse_json(l);
      EXPECT_TRUE(v && v->is_object()) << l;
      if (v && v->is_object()) out.push_back(v->get_object());
    }
    return out;
  }
  std::vector<json::object> of(std::string_view event) const {
    std::vector<json::object> out;
    for (auto& o : parsed())
      if (o.contains("event") && o.at("event").is_string() && o.at("event").get_string() == event)
        out.push_back(o);
    return out;
  }
  std::string all() const {
    std::lock_guard lock(mu);
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
};

std::function<void(std::string_view)> quiet() {
  return [](std::string_view) {};
}

std::string resume_token_of(const Envelope& welcome) {
  return std::string(welcome.payload.at("resume_token").as_string());
}

TEST(Observability, MetricsCountAJobAnAuthFailureResumesAndAHeartbeatLoss) {
  TempDir dir;
  RuntimeOptions o = default_runtime_options();
  o.data_dir = dir.path();  // the SQLite store: its commits are timed
  o.heartbeat_interval = 1s;
  o.log_sink = quiet();
  o.audit_log = [](const std::string&) {};
  TestRuntime rt(o);
  const std::string url = rt.websocket_url();

  auto first = http_get(url, "/metrics");
  ASSERT_EQ(first.status, 200) << first.head;
  EXPECT_NE(first.head.find("Content-Type: text/plain; version=0.0.4"), std::string::npos)
      << first.head;
  auto before = parse_metrics(first.body);

  // A job.
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "echo", .input = 1});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->result());
  // An authentication failure.
  {
    RawPeer bad(rt.memory_connection());
    auto refused = bad.handshake("not-a-token");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->type, "session.error");
  }
  // A resume, and a refused one. No heartbeat feature: these peers stay silent.
  RawPeer peer(rt.memory_connection());
  auto welcome = peer.handshake("alice-token", json::array{});
  ASSERT_TRUE(welcome);
  const std::string sid = peer.session_id;
  peer.send("session.bye", json::object{});
  ASSERT_TRUE(peer.wait_closed());
  RawPeer resumed(rt.memory_connection());
  resumed.send("session.hello", resume_hello("alice-token", sid, resume_token_of(*welcome), 0));
  ASSERT_TRUE(resumed.next_of("session.welcome"));
  RawPeer refused(rt.memory_connection());
  refused.send("session.hello", resume_hello("alice-token", sid, "not-the-token", 0));
  ASSERT_TRUE(refused.next_of("session.error"));
  // A heartbeat loss: this one negotiates heartbeats and answers none.
  RawPeer silent(rt.memory_connection());
  ASSERT_TRUE(silent.handshake());
  auto lost = silent.next_of("session.error", 10s);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->payload.at("code"), "HEARTBEAT_LOST");

  // Counters move as their events complete (a job's end is counted after its
  // result goes out), so wait for the last of them before scraping.
  ASSERT_TRUE(eventually([&] {
    auto now = parse_metrics(rt.runtime().metrics_text());
    return at(now, "arcp_jobs_finished_total{status=\"success\"}") >
           at(before, "arcp_jobs_finished_total{status=\"success\"}");
  }));
  auto scraped = http_get(url, "/metrics");
  ASSERT_EQ(scraped.status, 200);
  auto after = parse_metrics(scraped.body);
  auto delta = [&](const std::string& series) { return at(after, series) - at(before, series); };
  EXPECT_EQ(delta("arcp_jobs_finished_total{status=\"success\"}"), 1);
  EXPECT_EQ(delta("arcp_jobs_finished_total{status=\"error\"}"), 0);
  EXPECT_EQ(delta("arcp_auth_failures_total{reason=\"unknown_token\"}"), 1);
  EXPECT_EQ(delta("arcp_resumes_total{outcome=\"ok\"}"), 1);
  EXPECT_EQ(delta("arcp_resumes_total{outcome=\"rejected\"}"), 1);
  EXPECT_EQ(delta("arcp_heartbeat_losses_total"), 1);
  EXPECT_EQ(delta("arcp_connections_opened_total"), 6);
  EXPECT_GE(delta("arcp_events_sent_total"), 1);  // the job's result, at least
  EXPECT_GT(delta("arcp_bytes_sent_total"), 0);
  EXPECT_GT(delta("arcp_store_operation_seconds_count{op=\"commit\"}"), 0);
  EXPECT_EQ(at(after, "arcp_store_operation_seconds_bucket{op=\"commit\",le=\"+Inf\"}"),
            at(after, "arcp_store_operation_seconds_count{op=\"commit\"}"));
  EXPECT_EQ(at(after, "arcp_ready"), 1);
  // Gauges from the runtime's state: the client's session and the resumed one are attached.
  EXPECT_EQ(at(after, "arcp_sessions_open"), 2);
  EXPECT_EQ(at(after, "arcp_jobs{state=\"running\"}"), 0);
}

TEST(Observability, HealthzIsOkAndReadyzFollowsTheStore) {
  TempDir dir;
  // Owned by the hook: the store may outlive this scope by a commit.
  auto failing = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool>& fail = *failing;
  store::SqliteOptions so;
  so.commit_attempts = 1;
  so.logger = std::make_shared<const Logger>(quiet());
  so.before_commit = [failing] {
    if (*failing) throw std::runtime_error("disk unplugged");
  };
  auto st = store::open_sqlite_store(dir.path(), so);
  ASSERT_TRUE(st);
  RuntimeOptions o = default_runtime_options();
  o.store = *st;
  o.log_sink = quiet();
  TestRuntime rt(o);
  const std::string url = rt.websocket_url();

  auto health = http_get(url, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  auto ready = http_get(url, "/readyz?verbose=1");  // a query does not change the path
  EXPECT_EQ(ready.status, 200);
  EXPECT_TRUE(rt.runtime().ready());

  fail = true;
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());  // persisting the new session fails the store
  ASSERT_TRUE(eventually([&] { return !rt.runtime().ready(); }));
  auto unready = http_get(url, "/readyz");
  EXPECT_EQ(unready.status, 503);
  EXPECT_NE(unready.body.find("store failed"), std::string::npos) << unready.body;
  EXPECT_EQ(http_get(url, "/healthz").status, 200);  // still serving
  EXPECT_NE(rt.runtime().metrics_text().find("\narcp_ready 0\n"), std::string::npos);
}

TEST(Observability, NotReadyOnceShutdownBegins) {
  RuntimeOptions o = default_runtime_options();
  o.log_sink = quiet();
  TestRuntime rt(o);
  EXPECT_TRUE(rt.runtime().ready());
  rt.runtime().shutdown();
  EXPECT_FALSE(rt.runtime().ready());
  EXPECT_NE(rt.runtime().metrics_text().find("\narcp_ready 0\n"), std::string::npos);
}

TEST(Observability, TheHostAllowListGuardsTheHttpPathsToo) {
  RuntimeOptions o = default_runtime_options();
  o.log_sink = quiet();
  TestRuntime rt(o);
  const std::string url = rt.websocket_url();
  for (const char* path : {"/metrics", "/healthz", "/readyz"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(http_get(url, path, "attacker.example").status, 403);
    EXPECT_EQ(http_get(url, path, "localhost:" + std::to_string(port_of(url))).status, 200);
  }
  // Other paths keep today's answer: this listener speaks WebSocket.
  EXPECT_EQ(http_get(url, "/arcp").status, 426);
  EXPECT_EQ(http_get(url, "/other").status, 426);
}

void drive_a_job_and_an_auth_failure(TestRuntime& rt) {
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "echo", .input = 1});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->result());
  RawPeer bad(rt.memory_connection());
  ASSERT_TRUE(bad.handshake("not-a-token"));
}

TEST(Observability, LogLinesAreJsonWithTsLevelAndEvent) {
  Lines logs;
  RuntimeOptions o = default_runtime_options();
  o.log_sink = logs.log_sink();
  o.log_level = LogLevel::kDebug;
  o.audit_log = [](const std::string&) {};
  TestRuntime rt(o);
  drive_a_job_and_an_auth_failure(rt);
  ASSERT_TRUE(eventually([&] { return !logs.of("job.ended").empty(); }));

  const std::set<std::string> levels{"debug", "info", "warn", "error"};
  for (const auto& line : logs.parsed()) {
    ASSERT_TRUE(line.contains("ts") && line.contains("level") && line.contains("event"))
        << json::serialize(line);
    EXPECT_TRUE(parse_rfc3339(std::string(line.at("ts").as_string())));
    EXPECT_TRUE(levels.count(std::string(line.at("level").as_string()))) << json::serialize(line);
  }
  for (const char* event :
       {"connection.opened", "session.opened", "job.accepted", "job.ended", "auth.failure"})
    EXPECT_FALSE(logs.of(event).empty()) << event << "\n" << logs.all();
  auto ended = logs.of("job.ended").at(0);
  EXPECT_EQ(ended.at("status"), "success");
  EXPECT_EQ(ended.at("agent"), "echo@1.0.0");
  EXPECT_EQ(ended.at("principal"), "alice");
  EXPECT_TRUE(ended.at("duration_ms").is_int64());
  auto failure = logs.of("auth.failure").at(0);
  EXPECT_EQ(failure.at("level"), "warn");
  EXPECT_EQ(failure.at("reason"), "unknown_token");
}

TEST(Observability, TheLevelFilterKeepsOnlyLinesAtOrAboveIt) {
  Lines logs;
  RuntimeOptions o = default_runtime_options();
  o.log_sink = logs.log_sink();
  o.log_level = LogLevel::kWarn;
  o.audit_log = [](const std::string&) {};
  TestRuntime rt(o);
  drive_a_job_and_an_auth_failure(rt);
  ASSERT_TRUE(eventually([&] { return !logs.of("auth.failure").empty(); }));
  for (const auto& line : logs.parsed()) {
    std::string level(line.at("level").as_string());
    EXPECT_TRUE(level == "warn" || level == "error") << json::serialize(line);
  }
  EXPECT_TRUE(logs.of("job.accepted").empty());
  EXPECT_TRUE(logs.of("session.opened").empty());
}

TEST(Observability, NoLogOrAuditLineCarriesATokenOrACredential) {
  Lines logs;
  Lines audit;
  auto demo = make_demo_provisioner();
  RuntimeOptions o = default_runtime_options();
  o.credential_provisioner = demo;
  o.credential_ledger_durable = true;
  o.credential_revoke_backoff = {1ms};
  o.log_sink = logs.log_sink();
  o.log_level = LogLevel::kDebug;
  o.audit_log = audit.audit_sink();
  TestRuntime rt(o);
  Latch latch;
  ASSERT_TRUE(rt.runtime().register_agent("latch", latch.coroutine_agent()));
  std::vector<std::string> secrets{"alice-token", "bob-token"};

  // Authentication failures with bearer tokens that look like real ones.
  for (std::string token :
       {"sk-live-0123456789abcdef", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig"}) {
    secrets.push_back(token);
    RawPeer bad(rt.memory_connection());
    auto refused = bad.handshake(token);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->type, "session.error");
  }
  // A credentialed job, cancelled by its submitter and observed by another session.
  ClientOptions with_credentials;
  with_credentials.features.add(feature::kProvisionedCredentials);
  auto client = rt.connect_memory("alice-token", with_credentials);
  auto job = client->submit({.agent = "latch"});
  ASSERT_TRUE(job) << job.error().describe();
  ASSERT_EQ(job->accepted().credentials.size(), 1U);
  secrets.push_back(job->accepted().credentials[0].value);
  ASSERT_TRUE(latch.wait_for_waiting(1));
  ASSERT_TRUE(rt.connect_memory("alice-token")->subscribe(job->job_id()));
  ASSERT_TRUE(job->cancel("enough"));
  EXPECT_FALSE(job->result());
  // A resume: the old and the rotated resume token.
  RawPeer peer(rt.memory_connection());
  auto welcome = peer.handshake("alice-token", json::array{});
  ASSERT_TRUE(welcome);
  secrets.push_back(resume_token_of(*welcome));
  peer.send("session.bye", json::object{});
  ASSERT_TRUE(peer.wait_closed());
  RawPeer resumed(rt.memory_connection());
  resumed.send("session.hello",
               resume_hello("alice-token", peer.session_id, resume_token_of(*welcome), 0));
  auto again = resumed.next_of("session.welcome");
  ASSERT_TRUE(again);
  secrets.push_back(resume_token_of(*again));

  ASSERT_TRUE(eventually([&] { return !audit.of("credential.revoke").empty(); }));
  ASSERT_TRUE(eventually([&] { return !logs.of("job.ended").empty(); }));
  const std::string all = logs.all() + audit.all();
  for (const auto& secret : secrets)
    EXPECT_EQ(all.find(secret), std::string::npos) << "'" << secret << "' leaked:\n" << all;

  for (const char* event :
       {"auth.failure", "job.cancel", "credential.issue", "credential.revoke", "job.subscribe"})
    EXPECT_FALSE(audit.of(event).empty()) << event << "\n" << audit.all();
  for (const auto& line : audit.parsed()) {
    EXPECT_TRUE(line.contains("ts")) << json::serialize(line);
    EXPECT_TRUE(line.contains("event")) << json::serialize(line);
  }
  auto cancel = audit.of("job.cancel").at(0);
  EXPECT_EQ(cancel.at("canceller"), "alice");
  EXPECT_EQ(cancel.at("job_id"), json::value(job->job_id()));
  EXPECT_EQ(cancel.at("outcome"), "cancelled");
  auto issued = audit.of("credential.issue").at(0);
  EXPECT_EQ(issued.at("outcome"), "ok");
  EXPECT_EQ(issued.at("job_id"), json::value(job->job_id()));
  EXPECT_EQ(audit.of("auth.failure").size(), 2U);
  // The log has them too, apart from the audit.
  EXPECT_FALSE(logs.of("credential.issue").empty());
  EXPECT_FALSE(logs.of("session.resumed").empty());
  auto metrics = parse_metrics(rt.runtime().metrics_text());
  EXPECT_EQ(at(metrics, "arcp_credentials_total{op=\"issue\",outcome=\"ok\"}"), 1);
  EXPECT_EQ(at(metrics, "arcp_credentials_total{op=\"revoke\",outcome=\"ok\"}"), 1);
  EXPECT_EQ(at(metrics, "arcp_jobs_finished_total{status=\"cancelled\"}"), 1);
}

TEST(Observability, AThousandDistinctBadTokensAddOneLabelledSeries) {
  RuntimeOptions o = default_runtime_options();
  o.log_sink = quiet();
  o.audit_log = [](const std::string&) {};
  TestRuntime rt(o);
  for (int i = 0; i < 1000; ++i) {
    RawPeer bad(rt.memory_connection());
    auto refused = bad.handshake("bad-token-" + std::to_string(i));
    ASSERT_TRUE(refused);
    ASSERT_EQ(refused->type, "session.error");
  }
  std::string text = rt.runtime().metrics_text();
  std::size_t series = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("arcp_auth_failures_total{", 0) == 0) ++series;
  EXPECT_EQ(series, 1U) << text;
  EXPECT_EQ(at(parse_metrics(text), "arcp_auth_failures_total{reason=\"unknown_token\"}"), 1000);
}

#ifdef ARCP_CLI_PATH
std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Observability, ServeWritesItsLogAndAuditToFilesAndServesMetrics) {
  TempDir dir;
  const std::string log = dir.path() + "/arcp.log";
  const std::string audit = dir.path() + "/audit.log";
  ServeProcess server("--token alice-token:alice --log-level debug --log-file " + log +
                      " --audit-log " + audit);
  const std::string cli = ARCP_CLI_PATH;
  int code = -1;
  run_command(cli + " submit --url " + server.url() + " --token wrong-token echo 1 2>&1", code);
  EXPECT_NE(code, 0);
  std::string out =
      run_command(cli + " submit --url " + server.url() + " --token alice-token echo 1 2>&1", code);
  EXPECT_EQ(code, 0) << out;
  ASSERT_TRUE(eventually([&] {
    auto m = http_get(server.url(), "/metrics");
    return m.status == 200 &&
           at(parse_metrics(m.body), "arcp_jobs_finished_total{status=\"success\"}") == 1;
  }));
  EXPECT_EQ(http_get(server.url(), "/readyz").status, 200);
  server.kill(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0);

  std::string log_text = read_file(log);
  std::string audit_text = read_file(audit);
  for (const char* event : {"\"event\":\"session.opened\"", "\"event\":\"job.ended\"",
                            "\"event\":\"auth.failure\"", "\"level\":\"debug\""})
    EXPECT_NE(log_text.find(event), std::string::npos) << event << "\n" << log_text;
  EXPECT_NE(audit_text.find("\"event\":\"auth.failure\""), std::string::npos) << audit_text;
  EXPECT_EQ(audit_text.find("arcp audit: "), std::string::npos);  // plain JSON lines in a file
  for (const char* secret : {"wrong-token", "alice-token"}) {
    EXPECT_EQ(log_text.find(secret), std::string::npos) << log_text;
    EXPECT_EQ(audit_text.find(secret), std::string::npos) << audit_text;
  }
  std::istringstream lines(log_text + audit_text);
  for (std::string line; std::getline(lines, line);) {
    auto v = parse_json(line);
    EXPECT_TRUE(v && v->is_object()) << line;
  }
}
#endif

}  // namespace
}  // namespace arcp::test
