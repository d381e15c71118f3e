// §8.2 event kinds: body shapes (E01), progress (E02), vendor kinds (E03).
#include <gtest/gtest.h>

#include <arcp/event.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {
namespace {

FeatureSet all_negotiated() {
  FeatureSet s;
  for (const auto& f : all_features()) s.add(f);
  return s;
}

json::object obj(std::string_view text) {
  auto v = parse_json(text);
  EXPECT_TRUE(v && v->is_object()) << text;
  return v && v->is_object() ? v->get_object() : json::object{};
}

::testing::AssertionResult valid(std::string_view kind, std::string_view body,
                                 const FeatureSet& features = all_negotiated()) {
  json::object b = obj(body);
  auto r = validate_event_body(kind, b, features);
  if (r.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << kind << " " << body << ": " << r.error().describe();
}

::testing::AssertionResult invalid(std::string_view kind, std::string_view body,
                                   const FeatureSet& features = all_negotiated()) {
  json::object b = obj(body);
  auto r = validate_event_body(kind, b, features);
  if (r.ok()) return ::testing::AssertionFailure() << kind << " " << body << " was accepted";
  if (r.error().code != ErrorCode::kInvalidRequest)
    return ::testing::AssertionFailure() << "wrong code " << r.error().describe();
  return ::testing::AssertionSuccess();
}

TEST(Event, TenReservedKinds) {
  std::vector<std::string_view> kinds{event_kind::kLog,         event_kind::kThought,
                                      event_kind::kToolCall,    event_kind::kToolResult,
                                      event_kind::kStatus,      event_kind::kMetric,
                                      event_kind::kArtifactRef, event_kind::kDelegate,
                                      event_kind::kProgress,    event_kind::kResultChunk};
  std::vector<std::string_view> names{"log",      "thought",     "tool_call",    "tool_result",
                                      "status",   "metric",      "artifact_ref", "delegate",
                                      "progress", "result_chunk"};
  EXPECT_EQ(kinds, names);
  for (auto k : kinds) EXPECT_TRUE(is_reserved_event_kind(k)) << k;
  for (std::string_view k : {"", "Log", "error", "x-vendor.log", "result", "chunk"})
    EXPECT_FALSE(is_reserved_event_kind(k)) << k;
}

TEST(Event, ConformanceE01_Log) {
  EXPECT_TRUE(valid("log", R"({"level":"info","message":"hello"})"));
  EXPECT_TRUE(valid("log", R"({"level":"debug","message":"","extra":1})"));
  EXPECT_TRUE(invalid("log", R"({"message":"no level"})"));
  EXPECT_TRUE(invalid("log", R"({"level":"info"})"));
  EXPECT_TRUE(invalid("log", R"({"level":3,"message":"x"})"));
  EXPECT_TRUE(invalid("log", R"({"level":"info","message":{"text":"x"}})"));
  EXPECT_TRUE(invalid("log", R"({})"));
}

TEST(Event, ConformanceE01_Thought) {
  EXPECT_TRUE(valid("thought", R"({"text":"considering options"})"));
  EXPECT_TRUE(invalid("thought", R"({})"));
  EXPECT_TRUE(invalid("thought", R"({"text":null})"));
  EXPECT_TRUE(invalid("thought", R"({"message":"wrong field"})"));
}

TEST(Event, ConformanceE01_ToolCall) {
  EXPECT_TRUE(valid("tool_call", R"({"tool":"search","args":{"q":"x"},"call_id":"c1"})"));
  EXPECT_TRUE(valid("tool_call", R"({"tool":"noop","args":null,"call_id":"c2"})"));
  EXPECT_TRUE(invalid("tool_call", R"({"tool":"search","call_id":"c1"})"));
  EXPECT_TRUE(invalid("tool_call", R"({"args":{},"call_id":"c1"})"));
  EXPECT_TRUE(invalid("tool_call", R"({"tool":"search","args":{}})"));
  EXPECT_TRUE(invalid("tool_call", R"({"tool":"search","args":{},"call_id":1})"));
}

TEST(Event, ConformanceE01_ToolResult) {
  EXPECT_TRUE(valid("tool_result", R"({"call_id":"c1","result":{"hits":3}})"));
  EXPECT_TRUE(valid("tool_result", R"({"call_id":"c1","result":null})"));
  EXPECT_TRUE(valid(
      "tool_result",
      R"({"call_id":"c1","error":{"code":"PERMISSION_DENIED","message":"no","retryable":false}})"));
  EXPECT_TRUE(invalid("tool_result", R"({"call_id":"c1"})"));  // neither
  EXPECT_TRUE(
      invalid("tool_result",
              R"({"call_id":"c1","result":1,"error":{"code":"X","message":"y"}})"));  // both
  EXPECT_TRUE(invalid("tool_result", R"({"result":1})"));
  EXPECT_TRUE(invalid("tool_result", R"({"call_id":"c1","error":"boom"})"));
  EXPECT_TRUE(invalid("tool_result", R"({"call_id":"c1","error":{"message":"no code"}})"));
  EXPECT_TRUE(invalid("tool_result", R"({"call_id":"c1","error":{"code":"X"}})"));
}

TEST(Event, ConformanceE01_Status) {
  EXPECT_TRUE(valid("status", R"({"phase":"running"})"));
  EXPECT_TRUE(valid("status", R"({"phase":"back_pressure","message":"lagging"})"));
  EXPECT_TRUE(invalid("status", R"({"message":"no phase"})"));
  EXPECT_TRUE(invalid("status", R"({"phase":1})"));
  EXPECT_TRUE(invalid("status", R"({"phase":"x","message":5})"));
}

TEST(Event, ConformanceE01_Metric) {
  EXPECT_TRUE(valid("metric", R"({"name":"cost.inference","value":0.0234,"unit":"USD"})"));
  EXPECT_TRUE(valid("metric", R"({"name":"tokens","value":12})"));
  EXPECT_TRUE(valid("metric", R"({"name":"t","value":-1.5,"dimensions":{"model":"m"}})"));
  EXPECT_TRUE(invalid("metric", R"({"value":1})"));
  EXPECT_TRUE(invalid("metric", R"({"name":"t"})"));
  EXPECT_TRUE(invalid("metric", R"({"name":"t","value":"1"})"));
  EXPECT_TRUE(invalid("metric", R"({"name":"t","value":1,"unit":1})"));
  EXPECT_TRUE(invalid("metric", R"({"name":"t","value":1,"dimensions":["a"]})"));
  EXPECT_TRUE(invalid("metric", R"({"name":"t","value":1,"dims":"a"})"));
}

TEST(Event, MetricDimsIsRenamedToDimensions) {
  json::object body = obj(R"({"name":"latency","value":3,"dims":{"region":"eu"}})");
  ASSERT_TRUE(validate_event_body("metric", body, FeatureSet{}).ok());
  EXPECT_FALSE(body.contains("dims"));
  ASSERT_TRUE(body.contains("dimensions"));
  EXPECT_EQ(body.at("dimensions").at("region"), "eu");

  // When both are present the spec's name wins and is left untouched.
  json::object both = obj(R"({"name":"l","value":3,"dims":{"a":1},"dimensions":{"b":2}})");
  ASSERT_TRUE(validate_event_body("metric", both, FeatureSet{}).ok());
  EXPECT_EQ(both.at("dimensions"), obj(R"({"b":2})"));
}

TEST(Event, ConformanceE01_ArtifactRef) {
  const std::string sha(64, 'a');
  EXPECT_TRUE(valid("artifact_ref", R"({"uri":"file:///out.txt","content_type":"text/plain"})"));
  EXPECT_TRUE(valid("artifact_ref", R"({"uri":"s3://b/k","content_type":"application/zip",)"
                                    R"("byte_size":1024,"sha256":")" +
                                        sha + R"("})"));
  EXPECT_TRUE(valid("artifact_ref", R"({"uri":"u","content_type":"c","byte_size":0,"sha256":")" +
                                        std::string(64, 'F') + R"("})"));
  EXPECT_TRUE(invalid("artifact_ref", R"({"content_type":"text/plain"})"));
  EXPECT_TRUE(invalid("artifact_ref", R"({"uri":"u"})"));
  EXPECT_TRUE(invalid("artifact_ref", R"({"uri":"u","content_type":"c","byte_size":-1})"));
  EXPECT_TRUE(invalid("artifact_ref", R"({"uri":"u","content_type":"c","byte_size":1.5})"));
  EXPECT_TRUE(invalid("artifact_ref", R"({"uri":"u","content_type":"c","byte_size":"1"})"));
  EXPECT_TRUE(invalid("artifact_ref", R"({"uri":"u","content_type":"c","sha256":"abc"})"));
  EXPECT_TRUE(invalid("artifact_ref", R"({"uri":"u","content_type":"c","sha256":")" +
                                          std::string(63, 'a') + "g" + R"("})"));
  EXPECT_TRUE(invalid("artifact_ref", R"({"uri":"u","content_type":"c","sha256":")" +
                                          std::string(65, 'a') + R"("})"));
}

TEST(Event, ConformanceE01_Delegate) {
  EXPECT_TRUE(valid("delegate", R"({"delegate_id":"del_1","agent":"test-runner","input":{},)"
                                R"("lease_request":{"fs.read":["/w/**"]}})"));
  EXPECT_TRUE(invalid("delegate", R"({"delegate_id":"del_1"})"));
  EXPECT_TRUE(invalid("delegate", R"({"agent":7})"));
}

TEST(Event, ConformanceE01_ResultChunk) {
  EXPECT_TRUE(valid(
      "result_chunk",
      R"({"result_id":"res_1","chunk_seq":0,"data":"aGk=","encoding":"base64","more":true})"));
  EXPECT_TRUE(
      valid("result_chunk",
            R"({"result_id":"res_1","chunk_seq":3,"data":"hi","encoding":"utf8","more":false})"));
  const char* base = R"("result_id":"r","chunk_seq":0,"data":"d","encoding":"utf8","more":true)";
  EXPECT_TRUE(valid("result_chunk", std::string("{") + base + "}"));
  for (const char* bad : {
           R"({"chunk_seq":0,"data":"d","encoding":"utf8","more":true})",
           R"({"result_id":"r","data":"d","encoding":"utf8","more":true})",
           R"({"result_id":"r","chunk_seq":-1,"data":"d","encoding":"utf8","more":true})",
           R"({"result_id":"r","chunk_seq":"0","data":"d","encoding":"utf8","more":true})",
           R"({"result_id":"r","chunk_seq":0,"encoding":"utf8","more":true})",
           R"({"result_id":"r","chunk_seq":0,"data":"d","more":true})",
           R"({"result_id":"r","chunk_seq":0,"data":"d","encoding":"hex","more":true})",
           R"({"result_id":"r","chunk_seq":0,"data":"d","encoding":"UTF8","more":true})",
           R"({"result_id":"r","chunk_seq":0,"data":"d","encoding":"utf8"})",
           R"({"result_id":"r","chunk_seq":0,"data":"d","encoding":"utf8","more":"yes"})",
       })
    EXPECT_TRUE(invalid("result_chunk", bad));
}

TEST(Event, ResultChunkRefusedWhenFeatureNotNegotiated) {
  const char* body = R"({"result_id":"r","chunk_seq":0,"data":"d","encoding":"utf8","more":false})";
  EXPECT_TRUE(invalid("result_chunk", body, FeatureSet{"progress"}));
  EXPECT_TRUE(valid("result_chunk", body, FeatureSet{"result_chunk"}));
}

TEST(Event, ConformanceE02_ProgressBodyShape) {
  EXPECT_TRUE(valid("progress", R"({"current":47,"total":120,"units":"files","message":"m"})"));
  EXPECT_TRUE(valid("progress", R"({"current":0})"));
  EXPECT_TRUE(valid("progress", R"({"current":0.5,"total":1.0})"));
  EXPECT_TRUE(valid("progress", R"({"current":0,"total":0})"));
  EXPECT_TRUE(invalid("progress", R"({})"));
  EXPECT_TRUE(invalid("progress", R"({"current":"47"})"));
  EXPECT_TRUE(invalid("progress", R"({"current":47,"total":"120"})"));
  EXPECT_TRUE(invalid("progress", R"({"current":47,"units":5})"));
  EXPECT_TRUE(invalid("progress", R"({"current":47,"message":false})"));
}

TEST(Event, ConformanceE02_ProgressCurrentMustBeNonNegative) {
  EXPECT_TRUE(invalid("progress", R"({"current":-1})"));
  EXPECT_TRUE(invalid("progress", R"({"current":-0.001,"total":10})"));
  EXPECT_TRUE(invalid("progress", R"({"current":1,"total":-1})"));
}

TEST(Event, ConformanceE02_ProgressCurrentMustNotExceedTotal) {
  EXPECT_TRUE(valid("progress", R"({"current":120,"total":120})"));
  EXPECT_TRUE(invalid("progress", R"({"current":121,"total":120})"));
  EXPECT_TRUE(invalid("progress", R"({"current":1.01,"total":1})"));
}

TEST(Event, ConformanceE02_ProgressRefusedWhenFeatureNotNegotiated) {
  const char* body = R"({"current":1,"total":2})";
  EXPECT_TRUE(invalid("progress", body, FeatureSet{}));
  EXPECT_TRUE(invalid("progress", body, FeatureSet{"heartbeat", "result_chunk"}));
  EXPECT_TRUE(valid("progress", body, FeatureSet{"progress"}));
}

TEST(Event, ConformanceE03_VendorKindsPassThroughUntouched) {
  const char* text = R"({"anything":[1,{"deep":true}],"dims":{"x":1},"n":9007199254740993})";
  json::object body = obj(text);
  json::object before = body;
  auto r = validate_event_body("x-vendor.acme.trace", body, FeatureSet{});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(body, before);
  json::object empty;
  EXPECT_TRUE(validate_event_body("x-vendor.k", empty, FeatureSet{}).ok());
}

TEST(Event, UnknownBareKindsAreInvalidRequest) {
  for (std::string_view kind : {"custom", "", "LOG", "x-vendor.", "x-vendor", "vendor.acme"}) {
    json::object body = obj(R"({"text":"t"})");
    auto r = validate_event_body(kind, body, all_negotiated());
    ASSERT_FALSE(r.ok()) << kind;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  }
}

}  // namespace
}  // namespace arcp
