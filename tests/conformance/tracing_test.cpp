// D04 (§11): trace propagation and OpenTelemetry spans. The runtime mints a
// trace id when the submit has none and puts it in job.accepted; a caller's
// traceparent is continued; the job span carries the §11 attributes; tools,
// fetches and delegated children nest under the job span with the trace
// forwarded to them; credential spans never carry a secret; the client's
// submit span parents the runtime's job span.
#ifdef ARCP_WITH_OTEL
#include <gtest/gtest.h>

#include <arcp/ids.hpp>
#include <arcp/job_context.hpp>
#include <arcp/time.hpp>
#include <arcp/transports.hpp>
#include <mutex>

#include "support/http_test_server.hpp"
#include "support/test_support.hpp"
#include "support/tracing_capture.hpp"

namespace arcp::test {
namespace {

using namespace std::chrono_literals;

bool is_hex(const std::string& s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

enum class Link { kMemory, kWebSocket };

struct LinkName {
  std::string operator()(const testing::TestParamInfo<Link>& info) const {
    return info.param == Link::kMemory ? "Memory" : "WebSocket";
  }
};

class Tracing : public testing::TestWithParam<Link> {
 protected:
  std::shared_ptr<Connection> raw_connection() {
    if (GetParam() == Link::kMemory) return rt_.memory_connection();
    auto c = connect_websocket(rt_.websocket_url());
    EXPECT_TRUE(c) << c.error().describe();
    return c ? c.value() : nullptr;
  }
  std::shared_ptr<Client> client() {
    if (GetParam() == Link::kMemory) return rt_.connect_memory();
    auto c = Client::connect(rt_.websocket_url(), ClientOptions{.token = "alice-token"});
    EXPECT_TRUE(c) << c.error().describe();
    return c ? c.value() : nullptr;
  }
  /// job.submit with an explicit envelope trace_id (or none).
  static std::string submit_frame(const json::object& payload, const std::string& trace_id) {
    json::object env{
        {"arcp", "1.1"}, {"id", new_id("msg")}, {"type", "job.submit"}, {"payload", payload}};
    if (!trace_id.empty()) env["trace_id"] = trace_id;
    return json::serialize(env);
  }

  TracingCapture capture_;  // installed before the runtime: its sessions are traced
  TestRuntime rt_;
};

TEST_P(Tracing, ConformanceD04_TraceIdMintedWhenAbsentIsTheJobSpansTraceWithItsAttributes) {
  RawPeer peer(raw_connection());
  ASSERT_TRUE(peer.handshake("alice-token", json::array{"lease_expires_at", "cost.budget"}));
  const std::string expires = format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now() + std::chrono::hours(1)));
  peer.send_text(submit_frame(
      json::object{{"agent", "echo"},
                   {"input", json::object{{"secret_input", "do-not-trace-me"}}},
                   {"lease_request", json::object{{"fs.read", json::array{"/tmp/**"}},
                                                  {"cost.budget", json::array{"USD:2.50"}}}},
                   {"lease_constraints", json::object{{"expires_at", expires}}}},
      ""));
  auto accepted = peer.next_of("job.accepted");
  ASSERT_TRUE(accepted);
  const std::string trace = std::string(accepted->payload.at("trace_id").as_string());
  EXPECT_TRUE(is_hex(trace, 32)) << trace;  // minted: the submit had none
  EXPECT_EQ(accepted->trace_id, trace);
  auto result = peer.next_of("job.result");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->trace_id, trace);

  auto job = capture_.wait_for("arcp.job", "arcp.job_id", accepted->job_id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->trace_id, trace);  // the job span's trace IS the job's trace_id
  EXPECT_TRUE(job->is_root());
  EXPECT_EQ(job->kind, "server");
  EXPECT_EQ(job->attr("arcp.session_id"), peer.session_id);
  EXPECT_EQ(job->attr("arcp.agent"), std::string(accepted->payload.at("agent").as_string()));
  const auto caps = job->attr("arcp.lease.capabilities");
  EXPECT_TRUE(caps == "cost.budget,fs.read" || caps == "fs.read,cost.budget") << caps;
  EXPECT_EQ(job->attr("arcp.lease.expires_at"), expires);
  EXPECT_EQ(job->attr("arcp.job.status"), "success");
  EXPECT_EQ(job->attr("arcp.budget.remaining"), "USD:2.5");
  EXPECT_FALSE(job->error);
  for (const auto& [k, v] : job->attributes)
    EXPECT_EQ(v.find("do-not-trace-me"), std::string::npos) << k;  // never the input

  // The session has its own span, with the session id, once forgotten; at
  // least it is named and not mixed into the job's trace.
  for (const auto& s : capture_.spans())
    if (s.name == "arcp.session") EXPECT_NE(s.trace_id, trace);
}

TEST_P(Tracing, ConformanceD04_ACallersTraceparentIsContinuedAndErrorsAreRecorded) {
  RawPeer peer(raw_connection());
  ASSERT_TRUE(peer.handshake());
  const std::string trace = new_trace_id();
  const std::string parent_span = new_trace_id().substr(0, 16);
  // Upper case on the wire is accepted (and normalised) like a bare trace id.
  std::string traceparent = "00-" + trace + "-" + parent_span + "-01";
  for (auto& c : traceparent) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  peer.send_text(submit_frame(
      json::object{{"agent", "failing"}, {"input", json::object{{"code", "PERMISSION_DENIED"}}}},
      traceparent));
  auto accepted = peer.next_of("job.accepted");
  ASSERT_TRUE(accepted);
  // Peers see the 32-hex trace id, as before.
  EXPECT_EQ(accepted->payload.at("trace_id").as_string(), trace);
  EXPECT_EQ(accepted->trace_id, trace);
  auto error = peer.next_of("job.error");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->trace_id, trace);

  auto job = capture_.wait_for("arcp.job", "arcp.job_id", accepted->job_id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->trace_id, trace);
  EXPECT_EQ(job->parent_span_id, parent_span);
  EXPECT_EQ(job->attr("arcp.job.status"), "error");
  EXPECT_TRUE(job->error);
  EXPECT_EQ(job->attr("arcp.error.code"), std::string(error->payload.at("code").as_string()));

  // A bare 32-hex trace id: the job joins that trace as a root span.
  const std::string other = new_trace_id();
  peer.send_text(submit_frame(json::object{{"agent", "echo"}, {"input", json::object{}}}, other));
  accepted = peer.next_of("job.accepted");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->payload.at("trace_id").as_string(), other);
  job = capture_.wait_for("arcp.job", "arcp.job_id", accepted->job_id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->trace_id, other);
  EXPECT_TRUE(job->is_root());
}

TEST_P(Tracing, ConformanceD04_ClientSubmitSpanParentsTheRuntimeJobSpan) {
  auto c = client();
  ASSERT_TRUE(c);
  auto job = c->submit({.agent = "echo", .input = json::object{{"x", 1}}});
  ASSERT_TRUE(job) << job.error().describe();
  ASSERT_TRUE(job->result());
  auto submit = capture_.wait_for("arcp.submit", "arcp.job_id", job->job_id());
  auto server = capture_.wait_for("arcp.job", "arcp.job_id", job->job_id());
  ASSERT_TRUE(submit);
  ASSERT_TRUE(server);
  EXPECT_EQ(submit->kind, "client");
  EXPECT_EQ(submit->attr("arcp.job.status"), "success");
  EXPECT_EQ(server->trace_id, submit->trace_id);
  EXPECT_EQ(server->parent_span_id, submit->span_id);
  EXPECT_EQ(job->accepted().trace_id, submit->trace_id);

  // A caller's own trace context is continued by the submit span.
  const std::string trace = new_trace_id();
  const std::string caller_span = new_trace_id().substr(16);
  auto traced = c->submit({.agent = "echo", .trace_id = "00-" + trace + "-" + caller_span + "-01"});
  ASSERT_TRUE(traced);
  ASSERT_TRUE(traced->result());
  submit = capture_.wait_for("arcp.submit", "arcp.job_id", traced->job_id());
  server = capture_.wait_for("arcp.job", "arcp.job_id", traced->job_id());
  ASSERT_TRUE(submit);
  ASSERT_TRUE(server);
  EXPECT_EQ(submit->trace_id, trace);
  EXPECT_EQ(submit->parent_span_id, caller_span);
  EXPECT_EQ(server->trace_id, trace);
  EXPECT_EQ(server->parent_span_id, submit->span_id);
  EXPECT_EQ(traced->accepted().trace_id, trace);
}

TEST_P(Tracing, ConformanceD04_AToolCallIsAChildOfTheJobSpanAndSeesItsTrace) {
  std::mutex mu;
  std::string tool_saw;
  ASSERT_TRUE(rt_.runtime().register_tool(
      "probe.lookup", ToolHandler([&](JobContext& ctx, const json::value&) -> Result<json::value> {
        std::lock_guard lock(mu);
        tool_saw = ctx.traceparent();
        return json::value("found");
      })));
  ASSERT_TRUE(rt_.runtime().register_agent(
      "tool-user", AgentHandler([](JobContext& ctx) -> Result<json::value> {
        return ctx.call_tool("probe.lookup", json::object{{"q", "x"}});
      })));
  auto c = client();
  ASSERT_TRUE(c);
  auto job = c->submit(
      {.agent = "tool-user", .lease_request = json::object{{"tool.call", json::array{"probe.*"}}}});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  auto job_span = capture_.wait_for("arcp.job", "arcp.job_id", job->job_id());
  auto tool = capture_.wait_for("arcp.tool", "arcp.job_id", job->job_id());
  ASSERT_TRUE(job_span);
  ASSERT_TRUE(tool);
  EXPECT_EQ(tool->attr("arcp.tool.name"), "probe.lookup");
  EXPECT_EQ(tool->trace_id, job_span->trace_id);
  EXPECT_EQ(tool->parent_span_id, job_span->span_id);
  EXPECT_FALSE(tool->error);
  std::lock_guard lock(mu);
  EXPECT_EQ(tool_saw, "00-" + job_span->trace_id + "-" + job_span->span_id + "-01");
}

TEST_P(Tracing, ConformanceD04_AFetchForwardsTheTraceparentOfItsOwnSpan) {
  TestHttpServer server([](const Received&) { return response(200, "OK", "hello"); });
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/doc";
  ASSERT_TRUE(rt_.runtime().register_agent(
      "fetcher", AgentHandler([url](JobContext& ctx) -> Result<json::value> {
        auto r = ctx.fetch(FetchRequest{.url = url});
        if (!r) return r.error();
        return json::value(r->status);
      })));
  auto c = client();
  ASSERT_TRUE(c);
  auto job = c->submit(
      {.agent = "fetcher", .lease_request = json::object{{"net.fetch", json::array{url}}}});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  auto seen = server.next_request();
  ASSERT_TRUE(seen);
  auto job_span = capture_.wait_for("arcp.job", "arcp.job_id", job->job_id());
  auto fetch = capture_.wait_for("arcp.tool", "arcp.job_id", job->job_id());
  ASSERT_TRUE(job_span);
  ASSERT_TRUE(fetch);
  EXPECT_EQ(fetch->attr("arcp.tool.name"), "net.fetch");
  EXPECT_EQ(fetch->parent_span_id, job_span->span_id);
  EXPECT_EQ(seen->header("traceparent"), "00-" + job_span->trace_id + "-" + fetch->span_id + "-01");
}

TEST_P(Tracing, ConformanceD04_ADelegatedChildsJobSpanDescendsFromTheParentJobSpan) {
  auto c = client();
  ASSERT_TRUE(c);
  auto job = c->submit({.agent = "delegator",
                        .input = json::object{{"child", "echo"}, {"wait_ms", 10000}},
                        .lease_request = json::object{{"agent.delegate", json::array{"echo"}}}});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(job->children().size(), 1U);
  const std::string child_id = job->children()[0].job_id();

  auto parent = capture_.wait_for("arcp.job", "arcp.job_id", job->job_id());
  auto child = capture_.wait_for("arcp.job", "arcp.job_id", child_id);
  auto delegate = capture_.wait_for("arcp.delegate", "arcp.child_job_id", child_id);
  ASSERT_TRUE(parent);
  ASSERT_TRUE(child);
  ASSERT_TRUE(delegate);
  EXPECT_EQ(child->trace_id, parent->trace_id);
  EXPECT_EQ(child->parent_span_id, parent->span_id);
  EXPECT_EQ(child->attr("arcp.parent_job_id"), job->job_id());
  EXPECT_EQ(delegate->trace_id, parent->trace_id);
  EXPECT_EQ(delegate->parent_span_id, parent->span_id);
  EXPECT_EQ(job->children()[0].accepted().trace_id, parent->trace_id);
}

INSTANTIATE_TEST_SUITE_P(Links, Tracing, testing::Values(Link::kMemory, Link::kWebSocket),
                         LinkName());

TEST(TracingCredentials, ConformanceD04_CredentialSpansNeverCarryTheValueOrTheBearerToken) {
  TracingCapture capture;
  auto demo = make_demo_provisioner();
  RuntimeOptions o = default_runtime_options();
  o.credential_provisioner = demo;
  o.credential_ledger_durable = true;  // the memory store, standing in for a durable one
  TestRuntime rt(o);
  ClientOptions co;
  co.token = "alice-token";
  co.features.add(feature::kProvisionedCredentials);
  auto c = rt.connect_memory("alice-token", co);
  ASSERT_TRUE(c);
  auto job = c->submit({.agent = "echo",
                        .lease_request = json::object{{"model.use", json::array{"tier-fast/*"}},
                                                      {"cost.budget", json::array{"USD:1.00"}}}});
  ASSERT_TRUE(job) << job.error().describe();
  ASSERT_EQ(job->accepted().credentials.size(), 1U);
  const std::string value = job->accepted().credentials[0].value;
  const std::string cred_id = job->accepted().credentials[0].id;
  ASSERT_FALSE(value.empty());
  ASSERT_TRUE(job->result());

  auto job_span = capture.wait_for("arcp.job", "arcp.job_id", job->job_id());
  auto issue = capture.wait_for("arcp.credential.issue", "arcp.job_id", job->job_id());
  auto revoke = capture.wait_for("arcp.credential.revoke", "arcp.credential.id", cred_id);
  ASSERT_TRUE(job_span);
  ASSERT_TRUE(issue);
  ASSERT_TRUE(revoke);
  EXPECT_EQ(issue->attr("arcp.credential.id"), cred_id);
  EXPECT_EQ(issue->parent_span_id, job_span->span_id);
  EXPECT_EQ(revoke->parent_span_id, job_span->span_id);
  EXPECT_EQ(revoke->trace_id, job_span->trace_id);
  EXPECT_FALSE(issue->error);
  EXPECT_FALSE(revoke->error);
  EXPECT_FALSE(demo->is_live(value));

  // Every attribute and event of every span, all of them.
  auto all = capture.spans();
  EXPECT_GE(all.size(), 4U);
  for (const auto& s : all) {
    for (const auto& [k, v] : s.attributes) {
      EXPECT_EQ(v.find(value), std::string::npos) << s.name << " " << k;
      EXPECT_EQ(v.find("alice-token"), std::string::npos) << s.name << " " << k;
    }
    for (const auto& e : s.events) {
      EXPECT_EQ(e.find(value), std::string::npos) << s.name;
      EXPECT_EQ(e.find("alice-token"), std::string::npos) << s.name;
    }
    EXPECT_EQ(s.status_description.find(value), std::string::npos) << s.name;
  }
}

TEST(TracingDisabled, ConformanceD04_WithoutAProviderTheTraceIdIsStillMintedAndForwarded) {
  TestRuntime rt;
  auto c = rt.connect_memory();
  auto job = c->submit({.agent = "echo"});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->result());
  EXPECT_TRUE(is_hex(job->accepted().trace_id, 32));
}

}  // namespace
}  // namespace arcp::test
#endif  // ARCP_WITH_OTEL
