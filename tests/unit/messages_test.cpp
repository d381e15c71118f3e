// Typed payloads of the §6 session and §7–§8 job messages.
#include <gtest/gtest.h>

#include <arcp/job_messages.hpp>
#include <arcp/session_messages.hpp>
#include <string>
#include <string_view>

namespace arcp {
namespace {

json::object obj(std::string_view text) {
  auto v = parse_json(text);
  EXPECT_TRUE(v && v->is_object()) << text;
  return v && v->is_object() ? v->get_object() : json::object{};
}

SystemTime at(std::string_view rfc3339) {
  return parse_rfc3339(rfc3339).value();
}

const SystemTime kNow = at("2026-05-13T19:30:00Z");

// ---- session messages ---------------------------------------------------------------------

TEST(SessionMessages, CoreTypesAreTheSpecDialect) {
  for (std::string_view t :
       {"session.hello",  "session.welcome", "session.resume",    "session.error", "session.ping",
        "session.pong",   "session.ack",     "session.list_jobs", "session.jobs",  "session.close",
        "session.closed", "session.bye",     "job.submit",        "job.accepted",  "job.event",
        "job.result",     "job.error",       "job.cancel",        "job.cancelled", "job.subscribe",
        "job.subscribed", "job.unsubscribe"})
    EXPECT_TRUE(is_core_message_type(t)) << t;
  // The Rust SDK's older dialect and vendor types are not core.
  for (std::string_view t : {"session.open", "tool.invoke", "job.completed", "session.heartbeat",
                             "x-vendor.acme.ping", "", "SESSION.HELLO", "job.submit "})
    EXPECT_FALSE(is_core_message_type(t)) << t;
}

TEST(SessionMessages, HelloFromTypeScriptSdkShape) {
  auto h = Hello::from_json(obj(R"({
    "client": {"name": "arcp-ts-test-client/A", "version": "1.0.0"},
    "auth": {"scheme": "bearer", "token": "test-token"},
    "capabilities": {"encodings": ["json"],
                     "features": ["heartbeat", "ack", "progress", "x-vendor.zip"]}})"));
  ASSERT_TRUE(h.ok()) << h.error().describe();
  EXPECT_EQ(h->client_name, "arcp-ts-test-client/A");
  EXPECT_EQ(h->client_version, "1.0.0");
  EXPECT_EQ(h->auth_scheme, "bearer");
  EXPECT_EQ(h->token, "test-token");
  ASSERT_TRUE(h->features.has_value());
  EXPECT_TRUE(h->features->has("heartbeat"));
  EXPECT_TRUE(h->features->has("x-vendor.zip"));
  EXPECT_FALSE(h->features->has("subscribe"));
  EXPECT_FALSE(h->resume.has_value());
}

TEST(SessionMessages, HelloWithoutCapabilitiesHasNoFeatureSet) {
  auto h = Hello::from_json(obj(R"({"client":{"name":"c","version":"1"}})"));
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->features.has_value());
  EXPECT_TRUE(h->token.empty());
  auto empty = Hello::from_json(obj(R"({"capabilities":{"features":[]}})"));
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->features.has_value());
  EXPECT_TRUE(empty->features->empty());
}

TEST(SessionMessages, HelloRoundTrips) {
  Hello h;
  h.client_name = "arcp-cpp";
  h.client_version = "0.1.0";
  h.token = "tok";
  h.features = FeatureSet{"ack", "heartbeat"};
  h.resume = ResumeRequest{"sess_1", "rt_1", 17};
  json::object wire = h.to_json();
  EXPECT_EQ(wire.at("auth").at("scheme"), "bearer");
  EXPECT_EQ(wire.at("capabilities").at("encodings"), json::array{"json"});
  auto back = Hello::from_json(wire);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->client_name, h.client_name);
  EXPECT_EQ(back->client_version, h.client_version);
  EXPECT_EQ(back->token, "tok");
  ASSERT_TRUE(back->features.has_value());
  EXPECT_EQ(back->features->to_json(), h.features->to_json());
  ASSERT_TRUE(back->resume.has_value());
  EXPECT_EQ(back->resume->session_id, "sess_1");
  EXPECT_EQ(back->resume->resume_token, "rt_1");
  EXPECT_EQ(back->resume->last_event_seq, 17);
}

TEST(SessionMessages, HelloWithoutTokenOmitsIt) {
  Hello h;
  EXPECT_FALSE(h.to_json().at("auth").as_object().contains("token"));
  EXPECT_FALSE(h.to_json().at("capabilities").as_object().contains("features"));
}

TEST(SessionMessages, HelloRejectsMalformedAuthAndResume) {
  for (const char* bad :
       {R"({"auth":"bearer x"})", R"({"auth":{"scheme":"bearer","token":42}})",
        R"({"resume":"sess_1"})", R"({"resume":{"session_id":"s"}})",
        R"({"resume":{"resume_token":"t"}})",
        R"({"resume":{"session_id":"s","resume_token":"t","last_event_seq":-1}})",
        R"({"resume":{"session_id":"s","resume_token":"t","last_event_seq":"3"}})",
        R"({"resume":{"session_id":"","resume_token":"t"}})"}) {
    auto h = Hello::from_json(obj(bad));
    ASSERT_FALSE(h.ok()) << bad;
    EXPECT_EQ(h.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(SessionMessages, ResumeLastEventSeqDefaultsToZero) {
  auto r = ResumeRequest::from_json(obj(R"({"session_id":"s","resume_token":"t"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->last_event_seq, 0);
  auto back = ResumeRequest::from_json(r->to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->session_id, "s");
}

TEST(SessionMessages, WelcomeFromTypeScriptSdkShape) {
  auto w = Welcome::from_json(obj(R"({
    "runtime": {"name": "arcp-ts-reference-peer", "version": "2.0.0"},
    "resume_token": "rt_d1aa", "resume_window_sec": 600, "heartbeat_interval_sec": 30,
    "capabilities": {"encodings": ["json"],
      "agents": [{"name": "echo", "versions": []},
                 {"name": "versioned", "versions": ["1.0.0", "2.0.0"], "default": "2.0.0"},
                 "legacy-agent", 7],
      "features": ["heartbeat", "ack", "agent_versions"]}})"));
  ASSERT_TRUE(w.ok()) << w.error().describe();
  EXPECT_EQ(w->runtime_name, "arcp-ts-reference-peer");
  EXPECT_EQ(w->runtime_version, "2.0.0");
  EXPECT_EQ(w->resume_token, "rt_d1aa");
  EXPECT_EQ(w->resume_window_sec, 600);
  EXPECT_EQ(w->heartbeat_interval_sec, 30);
  EXPECT_TRUE(w->features.has("agent_versions"));
  EXPECT_FALSE(w->features.has("progress"));
  ASSERT_EQ(w->agents.size(), 3u);
  EXPECT_EQ(w->agents[0].name, "echo");
  EXPECT_TRUE(w->agents[0].versions.empty());
  EXPECT_EQ(w->agents[0].default_version, "");
  EXPECT_EQ(w->agents[1].versions, (std::vector<std::string>{"1.0.0", "2.0.0"}));
  EXPECT_EQ(w->agents[1].default_version, "2.0.0");
  EXPECT_EQ(w->agents[2].name, "legacy-agent");
}

TEST(SessionMessages, ConformanceA06_WelcomeCarriesHeartbeatAndResumeWindow) {
  Welcome w;
  w.runtime_name = "arcp-cpp";
  w.runtime_version = "0.1.0";
  w.resume_token = "rt_x";
  w.resume_window_sec = 600;
  w.heartbeat_interval_sec = 30;
  w.features = FeatureSet{"heartbeat", "agent_versions"};
  w.agents.push_back(AgentInfo{"echo", {"1.0.0", "2.0.0"}, "2.0.0"});
  w.agents.push_back(AgentInfo{"bare", {}, ""});
  json::object wire = w.to_json();
  EXPECT_EQ(wire.at("resume_window_sec"), 600);
  EXPECT_EQ(wire.at("heartbeat_interval_sec"), 30);
  const auto& agents = wire.at("capabilities").at("agents").as_array();
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents[0].at("default"), "2.0.0");
  EXPECT_FALSE(agents[1].as_object().contains("default"));
  EXPECT_EQ(agents[1].at("versions"), json::array{});

  auto back = Welcome::from_json(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->resume_token, "rt_x");
  EXPECT_EQ(back->heartbeat_interval_sec, 30);
  EXPECT_EQ(back->features.to_json(), w.features.to_json());
  ASSERT_EQ(back->agents.size(), 2u);
  EXPECT_EQ(back->agents[0].versions, w.agents[0].versions);

  Welcome no_heartbeat;
  EXPECT_FALSE(no_heartbeat.to_json().contains("heartbeat_interval_sec"));
}

TEST(SessionMessages, PingAndPongNeedTheirNonce) {
  auto ping = Ping::from_json(obj(R"({"nonce":"n1","sent_at":"2026-05-13T19:42:13.842Z"})"));
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping->nonce, "n1");
  EXPECT_EQ(ping->sent_at, "2026-05-13T19:42:13.842Z");
  EXPECT_FALSE(Ping::from_json(obj(R"({"sent_at":"x"})")).ok());
  EXPECT_FALSE(Ping::from_json(obj(R"({"nonce":5})")).ok());
  EXPECT_FALSE(Ping::from_json(obj(R"({"nonce":""})")).ok());

  Pong pong{"n1", "2026-05-13T19:42:13.900Z"};
  auto back = Pong::from_json(pong.to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ping_nonce, "n1");
  EXPECT_EQ(back->received_at, pong.received_at);
  EXPECT_FALSE(Pong::from_json(obj(R"({"nonce":"n1"})")).ok());
}

// ---- job.submit ---------------------------------------------------------------------------

TEST(SubmitRequest, SpecExampleIsAccepted) {
  auto s = SubmitRequest::from_json(obj(R"({
    "agent": "code-refactor@2.0.0",
    "input": {"task": "x"},
    "lease_request": {"fs.read": ["/workspace/myapp/**"], "fs.write": ["/workspace/myapp/src/**"],
                      "cost.budget": ["USD:5.00"], "model.use": ["tier-fast/*"]},
    "lease_constraints": {"expires_at": "2026-05-13T23:42:00Z"},
    "idempotency_key": "refactor-auth-2026-W19",
    "max_runtime_sec": 1800})"),
                                    kNow);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->agent, "code-refactor@2.0.0");
  EXPECT_EQ(s->input.at("task"), "x");
  EXPECT_EQ(s->lease_request.size(), 4u);
  ASSERT_TRUE(s->lease_constraints.has_value());
  EXPECT_EQ(s->lease_constraints->at("expires_at"), "2026-05-13T23:42:00Z");
  EXPECT_EQ(s->idempotency_key, "refactor-auth-2026-W19");
  EXPECT_EQ(s->max_runtime_sec, 1800);
}

TEST(SubmitRequest, MinimalSubmitHasOnlyAnAgent) {
  auto s = SubmitRequest::from_json(obj(R"({"agent":"echo"})"), kNow);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_TRUE(s->input.is_null());
  EXPECT_TRUE(s->lease_request.empty());
  EXPECT_FALSE(s->lease_constraints.has_value());
  EXPECT_TRUE(s->idempotency_key.empty());
  EXPECT_FALSE(s->max_runtime_sec.has_value());
}

TEST(SubmitRequest, NullOptionalFieldsCountAsAbsent) {
  auto s = SubmitRequest::from_json(
      obj(R"({"agent":"echo","lease_constraints":null,"idempotency_key":null,"max_runtime_sec":null})"),
      kNow);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_FALSE(s->lease_constraints.has_value());
  EXPECT_FALSE(s->max_runtime_sec.has_value());
}

TEST(SubmitRequest, RoundTripsThroughJson) {
  SubmitRequest s;
  s.agent = "echo@1.0.0";
  s.input = json::object{{"text", "hi"}, {"n", 9007199254740993LL}};
  s.lease_request = json::object{{"tool.call", json::array{"search"}}};
  s.lease_constraints = json::object{{"expires_at", "2026-05-14T00:00:00Z"}};
  s.idempotency_key = "k1";
  s.max_runtime_sec = 60;
  auto back = SubmitRequest::from_json(s.to_json(), kNow);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->agent, s.agent);
  EXPECT_EQ(back->input, s.input);
  EXPECT_EQ(back->lease_request, s.lease_request);
  EXPECT_EQ(back->lease_constraints, s.lease_constraints);
  EXPECT_EQ(back->idempotency_key, s.idempotency_key);
  EXPECT_EQ(back->max_runtime_sec, s.max_runtime_sec);

  SubmitRequest bare;
  bare.agent = "echo";
  json::object wire = bare.to_json();
  EXPECT_FALSE(wire.contains("lease_request"));
  EXPECT_FALSE(wire.contains("idempotency_key"));
  EXPECT_FALSE(wire.contains("max_runtime_sec"));
}

TEST(SubmitRequest, MaxRuntimeSecMustBePositiveIntegerUpToAYear) {
  for (const char* v : {"0", "-1", "1.5", "\"60\"", "true", "31622401", "[]"}) {
    auto s = SubmitRequest::from_json(
        obj(std::string(R"({"agent":"echo","max_runtime_sec":)") + v + "}"), kNow);
    ASSERT_FALSE(s.ok()) << v;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
  }
  for (const char* v : {"1", "60.0", "31622400"}) {
    auto s = SubmitRequest::from_json(
        obj(std::string(R"({"agent":"echo","max_runtime_sec":)") + v + "}"), kNow);
    EXPECT_TRUE(s.ok()) << v << ": " << s.error().describe();
  }
}

TEST(SubmitRequest, AgentMustBeAValidReference) {
  for (const char* payload :
       {R"({})", R"({"agent":null})", R"({"agent":7})", R"({"agent":""})",
        R"({"agent":"Code-Refactor"})", R"({"agent":"echo@"})", R"({"agent":"echo@1 0"})",
        R"({"agent":"-echo"})", R"({"agent":["echo"]})"}) {
    auto s = SubmitRequest::from_json(obj(payload), kNow);
    ASSERT_FALSE(s.ok()) << payload;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(SubmitRequest, IdempotencyKeyMustBe1To256CharacterString) {
  auto with_key = [](const std::string& v) {
    return SubmitRequest::from_json(obj(R"({"agent":"echo","idempotency_key":)" + v + "}"), kNow);
  };
  EXPECT_TRUE(with_key("\"" + std::string(256, 'k') + "\"").ok());
  EXPECT_FALSE(with_key("\"" + std::string(257, 'k') + "\"").ok());
  EXPECT_FALSE(with_key("\"\"").ok());
  EXPECT_FALSE(with_key("42").ok());
  EXPECT_FALSE(with_key("{}").ok());
}

TEST(SubmitRequest, ConformanceP04_LeaseRequestIsValidated) {
  auto unknown = SubmitRequest::from_json(
      obj(R"({"agent":"echo","lease_request":{"fs.delete":["/"]}})"), kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(unknown.error().details.at("capability"), "fs.delete");

  auto vendor = SubmitRequest::from_json(
      obj(R"({"agent":"echo","lease_request":{"x-vendor.acme.gpu":["a100"]}})"), kNow);
  EXPECT_TRUE(vendor.ok()) << vendor.error().describe();

  EXPECT_FALSE(
      SubmitRequest::from_json(obj(R"({"agent":"echo","lease_request":["fs.read"]})"), kNow).ok());
  EXPECT_FALSE(SubmitRequest::from_json(
                   obj(R"({"agent":"echo","lease_request":{"cost.budget":["5 USD"]}})"), kNow)
                   .ok());
}

TEST(SubmitRequest, ConformanceP06_LeaseConstraintsAreValidatedAgainstNow) {
  auto past = SubmitRequest::from_json(
      obj(R"({"agent":"echo","lease_constraints":{"expires_at":"2026-05-13T19:00:00Z"}})"), kNow);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kInvalidRequest);
  auto offset = SubmitRequest::from_json(
      obj(R"({"agent":"echo","lease_constraints":{"expires_at":"2026-05-14T19:00:00+00:00"}})"),
      kNow);
  EXPECT_FALSE(offset.ok());
  auto garbage = SubmitRequest::from_json(
      obj(R"({"agent":"echo","lease_constraints":{"expires_at":"soon"}})"), kNow);
  EXPECT_FALSE(garbage.ok());
  EXPECT_FALSE(
      SubmitRequest::from_json(obj(R"({"agent":"echo","lease_constraints":"x"})"), kNow).ok());
  // The same payload is fine an hour earlier.
  EXPECT_TRUE(
      SubmitRequest::from_json(
          obj(R"({"agent":"echo","lease_constraints":{"expires_at":"2026-05-13T19:00:00Z"}})"),
          at("2026-05-13T18:00:00Z"))
          .ok());
}

// ---- job.accepted / job.event / job.result / job.error -----------------------------------

TEST(JobStatus, NamesRoundTripAndTerminality) {
  for (JobStatus s : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kSuccess,
                      JobStatus::kError, JobStatus::kCancelled, JobStatus::kTimedOut})
    EXPECT_EQ(job_status_from_string(to_string(s)), s);
  EXPECT_EQ(to_string(JobStatus::kTimedOut), "timed_out");
  EXPECT_EQ(job_status_from_string("completed"), std::nullopt);
  EXPECT_EQ(job_status_from_string("SUCCESS"), std::nullopt);
  EXPECT_FALSE(is_terminal(JobStatus::kPending));
  EXPECT_FALSE(is_terminal(JobStatus::kRunning));
  EXPECT_TRUE(is_terminal(JobStatus::kSuccess));
  EXPECT_TRUE(is_terminal(JobStatus::kError));
  EXPECT_TRUE(is_terminal(JobStatus::kCancelled));
  EXPECT_TRUE(is_terminal(JobStatus::kTimedOut));
}

TEST(Accepted, RoundTripsAndRequiresJobId) {
  Accepted a;
  a.job_id = "job_1";
  a.agent = "echo@1.0.0";
  a.lease = json::object{{"fs.read", json::array{"/w/**"}}};
  a.lease_constraints = json::object{{"expires_at", "2026-05-13T23:42:00Z"}};
  a.budget = json::object{{"USD", 5.0}};
  a.accepted_at = "2026-05-13T19:30:00.000Z";
  a.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  a.parent_job_id = "job_0";
  auto back = Accepted::from_json(a.to_json());
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->job_id, a.job_id);
  EXPECT_EQ(back->agent, a.agent);
  EXPECT_EQ(back->lease, a.lease);
  EXPECT_EQ(back->lease_constraints, a.lease_constraints);
  EXPECT_EQ(back->budget, a.budget);
  EXPECT_EQ(back->accepted_at, a.accepted_at);
  EXPECT_EQ(back->trace_id, a.trace_id);
  EXPECT_EQ(back->parent_job_id, a.parent_job_id);

  Accepted minimal;
  minimal.job_id = "job_2";
  json::object wire = minimal.to_json();
  EXPECT_FALSE(wire.contains("budget"));
  EXPECT_FALSE(wire.contains("parent_job_id"));
  EXPECT_FALSE(wire.contains("trace_id"));
  EXPECT_FALSE(wire.contains("lease_constraints"));

  EXPECT_FALSE(Accepted::from_json(obj(R"({"agent":"echo"})")).ok());
  EXPECT_FALSE(Accepted::from_json(obj(R"({"job_id":5})")).ok());
}

TEST(EventPayload, RoundTripsAndRequiresKind) {
  EventPayload e{"log", "2026-05-13T19:42:13.842Z",
                 json::object{{"level", "info"}, {"message", "m"}}};
  json::object wire = e.to_json();
  EXPECT_EQ(
      wire,
      obj(R"({"kind":"log","ts":"2026-05-13T19:42:13.842Z","body":{"level":"info","message":"m"}})"));
  auto back = EventPayload::from_json(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->kind, "log");
  EXPECT_EQ(back->ts, e.ts);
  EXPECT_EQ(back->body, e.body);
  EXPECT_FALSE(EventPayload::from_json(obj(R"({"ts":"t","body":{}})")).ok());
  EXPECT_FALSE(EventPayload::from_json(obj(R"({"kind":"","body":{}})")).ok());
  EXPECT_FALSE(EventPayload::from_json(obj(R"({"kind":3})")).ok());
}

TEST(JobResult, InlineResultRoundTrips) {
  JobResult r;
  r.result = json::object{{"answer", 42}};
  r.summary = "done";
  json::object wire = r.to_json();
  EXPECT_EQ(wire.at("final_status"), "success");
  EXPECT_EQ(wire.at("result").at("answer"), 42);
  EXPECT_FALSE(wire.contains("result_id"));
  auto back = JobResult::from_json(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->result, r.result);
  EXPECT_EQ(back->summary, "done");
  EXPECT_TRUE(back->result_id.empty());
}

TEST(JobResult, AcceptsOutputAndValueAliasesPreferringResult) {
  auto out = JobResult::from_json(obj(R"({"final_status":"success","output":{"x":1}})"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->result, obj(R"({"x":1})"));
  auto val = JobResult::from_json(obj(R"({"final_status":"success","value":"v"})"));
  ASSERT_TRUE(val.ok());
  EXPECT_EQ(val->result, "v");
  auto both = JobResult::from_json(obj(R"({"result":1,"output":2,"value":3})"));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->result, 1);
}

TEST(JobResult, StreamedResultCarriesResultIdNotInlineResult) {
  JobResult r;
  r.result_id = "res_1";
  r.result_size = 31457280;
  r.summary = "Generated report in 137 chunks.";
  json::object wire = r.to_json();
  EXPECT_EQ(wire.at("result_id"), "res_1");
  EXPECT_EQ(wire.at("result_size"), 31457280);
  EXPECT_FALSE(wire.contains("result"));
  auto back = JobResult::from_json(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->result_id, "res_1");
  EXPECT_EQ(back->result_size, 31457280);
}

TEST(JobError, RoundTripsWithFinalStatus) {
  JobError e;
  e.final_status = JobStatus::kCancelled;
  e.error = Error(ErrorCode::kCancelled, "cancelled by client");
  json::object wire = e.to_json();
  EXPECT_EQ(wire.at("final_status"), "cancelled");
  EXPECT_EQ(wire.at("code"), "CANCELLED");
  EXPECT_EQ(wire.at("retryable"), false);
  auto back = JobError::from_json(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->final_status, JobStatus::kCancelled);
  EXPECT_EQ(back->error.code, ErrorCode::kCancelled);
  EXPECT_EQ(back->error.message, "cancelled by client");
}

TEST(JobError, TimeoutMapsToTimedOut) {
  auto e = JobError::from_json(
      obj(R"({"final_status":"timed_out","code":"TIMEOUT","message":"t","retryable":true})"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->final_status, JobStatus::kTimedOut);
  EXPECT_EQ(e->error.code, ErrorCode::kTimeout);
}

TEST(JobError, NonTerminalOrSuccessFinalStatusBecomesError) {
  for (const char* status : {"success", "running", "pending", "bogus", ""}) {
    auto e = JobError::from_json(
        obj(std::string(R"({"code":"INTERNAL_ERROR","message":"x","final_status":")") + status +
            "\"}"));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->final_status, JobStatus::kError) << status;
  }
}

TEST(JobError, LeaseExpiredIsSentNonRetryableWithErrorStatus) {
  JobError e;
  e.error = Error(ErrorCode::kLeaseExpired, "lease expired");
  e.error.retryable = true;
  json::object wire = e.to_json();
  EXPECT_EQ(wire.at("final_status"), "error");
  EXPECT_EQ(wire.at("retryable"), false);
}

TEST(JobError, UnknownPeerCodeBecomesInternalError) {
  auto e =
      JobError::from_json(obj(R"({"final_status":"error","code":"AGENT_CRASHED","message":"m"})"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->error.code, ErrorCode::kInternalError);
  EXPECT_EQ(e->error.details.at("original_code"), "AGENT_CRASHED");
}

}  // namespace
}  // namespace arcp
