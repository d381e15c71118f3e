// §5 / v1.0 §5.1 envelope codec: decode_envelope, encode_envelope, is_vendor_name.
#include <gtest/gtest.h>

#include <arcp/envelope.hpp>
#include <string>

namespace arcp {
namespace {

Error expect_invalid(const Result<Envelope>& r) {
  if (r.ok()) {
    ADD_FAILURE() << "decoded although invalid: " << encode_envelope(r.value());
    return Error{};
  }
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  return r.error();
}

std::string request_id_of(const Error& e) {
  const auto* id = get_string(e.details, "request_id");
  return id ? std::string(*id) : std::string();
}

TEST(Envelope, DecodesEveryStandardField) {
  auto r = decode_envelope(R"({
    "arcp": "1.1", "id": "msg_1", "type": "job.event", "session_id": "sess_1",
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "job_id": "job_1", "event_seq": 42,
    "payload": {"kind": "log", "body": {"level": "info", "message": "hi"}}})");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->arcp, "1.1");
  EXPECT_EQ(r->id, "msg_1");
  EXPECT_EQ(r->type, "job.event");
  EXPECT_EQ(r->session_id, "sess_1");
  EXPECT_EQ(r->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(r->job_id, "job_1");
  ASSERT_TRUE(r->event_seq.has_value());
  EXPECT_EQ(*r->event_seq, 42);
  ASSERT_NE(get_string(r->payload, "kind"), nullptr);
  EXPECT_EQ(*get_string(r->payload, "kind"), "log");
}

TEST(Envelope, OptionalFieldsAbsentOrNullDecodeAsEmpty) {
  auto r = decode_envelope(
      R"({"arcp":"1.1","id":"m","type":"session.ping","session_id":null,"job_id":null,)"
      R"("trace_id":null,"event_seq":null,"payload":null})");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->session_id.empty());
  EXPECT_TRUE(r->job_id.empty());
  EXPECT_TRUE(r->trace_id.empty());
  EXPECT_FALSE(r->event_seq.has_value());
  EXPECT_TRUE(r->payload.empty());

  auto bare = decode_envelope(R"({"arcp":"1.1","id":"m","type":"session.ping"})");
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->payload.empty());
  EXPECT_FALSE(bare->event_seq.has_value());
}

TEST(Envelope, ConformanceW01_UnknownTopLevelFieldsIgnored) {
  auto r = decode_envelope(
      R"({"arcp":"1.1","id":"m1","type":"session.ping","priority":7,"x-future":{"a":[1,2]},)"
      R"("extensions":null,"payload":{"nonce":"n"}})");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->type, "session.ping");
  EXPECT_EQ(r->id, "m1");
  // Unknown fields are not carried into the payload nor re-emitted.
  EXPECT_FALSE(r->payload.contains("priority"));
  std::string out = encode_envelope(*r);
  EXPECT_EQ(out.find("priority"), std::string::npos);
  EXPECT_EQ(out.find("x-future"), std::string::npos);
}

TEST(Envelope, ConformanceW01_EncodeDecodeRoundTripsAllFields) {
  Envelope env;
  env.id = "msg_01J";
  env.type = "job.result";
  env.session_id = "sess_01J";
  env.job_id = "job_01J";
  env.trace_id = "0af7651916cd43dd8448eb211c80319c";
  env.event_seq = 9007199254740993;
  env.payload = json::object{{"final_status", "success"},
                             {"result", json::object{{"text", "quote \" backslash \\ nl \n"}}}};
  auto back = decode_envelope(encode_envelope(env));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->arcp, "1.1");
  EXPECT_EQ(back->id, env.id);
  EXPECT_EQ(back->type, env.type);
  EXPECT_EQ(back->session_id, env.session_id);
  EXPECT_EQ(back->job_id, env.job_id);
  EXPECT_EQ(back->trace_id, env.trace_id);
  EXPECT_EQ(back->event_seq, env.event_seq);
  EXPECT_EQ(back->payload, env.payload);
}

TEST(Envelope, EncodeUsesStableFieldOrderAndOmitsAbsentFields) {
  Envelope env;
  env.id = "m";
  env.type = "job.event";
  env.session_id = "s";
  env.job_id = "j";
  env.event_seq = 3;
  env.trace_id = "0af7651916cd43dd8448eb211c80319c";
  env.payload = json::object{{"k", 1}};
  EXPECT_EQ(encode_envelope(env),
            R"({"arcp":"1.1","id":"m","type":"job.event","session_id":"s","job_id":"j",)"
            R"("event_seq":3,"trace_id":"0af7651916cd43dd8448eb211c80319c","payload":{"k":1}})");

  Envelope minimal;
  minimal.id = "m";
  minimal.type = "session.hello";
  EXPECT_EQ(encode_envelope(minimal),
            R"({"arcp":"1.1","id":"m","type":"session.hello","payload":{}})");
}

TEST(Envelope, EncodeEscapesControlCharactersInHeaderFields) {
  Envelope env;
  env.id = std::string(
      "a\x01"
      "b\"c\\d\te",
      9);
  env.type = "x-vendor.t";
  std::string out = encode_envelope(env);
  EXPECT_NE(out.find(R"(a\u0001b\"c\\d\te)"), std::string::npos) << out;
  auto back = decode_envelope(out);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->id, env.id);
}

TEST(Envelope, ConformanceW02_DefaultEnvelopeEmitsVersion11) {
  EXPECT_EQ(kProtocolVersion, "1.1");
  Envelope env;
  EXPECT_EQ(env.arcp, "1.1");
  env.id = "m";
  env.type = "session.ping";
  EXPECT_EQ(encode_envelope(env).rfind(R"({"arcp":"1.1",)", 0), 0u);
}

TEST(Envelope, ConformanceW02_AcceptsVersions1And10And11) {
  for (const char* v : {"1", "1.0", "1.1"}) {
    auto r =
        decode_envelope(std::string(R"({"arcp":")") + v + R"(","id":"m","type":"session.ping"})");
    ASSERT_TRUE(r.ok()) << v << ": " << r.error().describe();
    EXPECT_EQ(r->arcp, v);
  }
}

TEST(Envelope, ConformanceW02_OtherVersionsAreInvalidRequestWithRequestId) {
  for (const char* frame : {
           R"({"arcp":"2","id":"m7","type":"session.ping"})",
           R"({"arcp":"1.2","id":"m7","type":"session.ping"})",
           R"({"arcp":"1.1.0","id":"m7","type":"session.ping"})",
           R"({"arcp":"","id":"m7","type":"session.ping"})",
           R"({"arcp":" 1.1","id":"m7","type":"session.ping"})",
           R"({"arcp":1,"id":"m7","type":"session.ping"})",
           R"({"arcp":1.1,"id":"m7","type":"session.ping"})",
           R"({"id":"m7","type":"session.ping"})",
       }) {
    SCOPED_TRACE(frame);
    Error e = expect_invalid(decode_envelope(frame));
    EXPECT_EQ(request_id_of(e), "m7");
  }
}

TEST(Envelope, ConformanceW06_MalformedJsonIsInvalidRequest) {
  for (const char* frame : {"", "{", "{\"arcp\":\"1.1\",", "not json", "{'a':1}",
                            R"({"arcp":"1.1","id":"m","type":"t",})", "\xff\xfe",
                            R"({"arcp":"1.1","id":"m","type":"t"} trailing)"}) {
    SCOPED_TRACE(frame);
    Error e = expect_invalid(decode_envelope(frame));
    EXPECT_FALSE(e.message.empty());
    EXPECT_FALSE(e.retryable);
  }
}

TEST(Envelope, ConformanceW06_NonObjectIsInvalidRequest) {
  for (const char* frame :
       {"[]", R"(["arcp","1.1"])", "null", "42", R"("session.hello")", "true"}) {
    SCOPED_TRACE(frame);
    Error e = expect_invalid(decode_envelope(frame));
    EXPECT_FALSE(e.details.contains("request_id"));
  }
}

TEST(Envelope, ConformanceW06_MissingTypeCarriesRequestIdWhenIdReadable) {
  for (const char* frame :
       {R"({"arcp":"1.1","id":"msg_42"})", R"({"arcp":"1.1","id":"msg_42","type":""})",
        R"({"arcp":"1.1","id":"msg_42","type":7})",
        R"({"arcp":"1.1","id":"msg_42","type":null,"payload":{}})"}) {
    SCOPED_TRACE(frame);
    Error e = expect_invalid(decode_envelope(frame));
    EXPECT_EQ(request_id_of(e), "msg_42");
  }
}

TEST(Envelope, ConformanceW06_UnreadableIdGivesNoRequestId) {
  for (const char* frame : {R"({"arcp":"1.1","type":"session.ping"})",
                            R"({"arcp":"1.1","id":"","type":"session.ping"})",
                            R"({"arcp":"1.1","id":17,"type":"session.ping"})",
                            R"({"arcp":"1.1","id":{"x":1},"type":"session.ping"})"}) {
    SCOPED_TRACE(frame);
    Error e = expect_invalid(decode_envelope(frame));
    EXPECT_FALSE(e.details.contains("request_id"));
  }
}

TEST(Envelope, ConformanceW06_WrongFieldTypesAreInvalidRequestWithRequestId) {
  for (const char* frame : {
           R"({"arcp":"1.1","id":"m9","type":"t","session_id":5})",
           R"({"arcp":"1.1","id":"m9","type":"t","job_id":["j"]})",
           R"({"arcp":"1.1","id":"m9","type":"t","trace_id":12})",
           R"({"arcp":"1.1","id":"m9","type":"t","event_seq":"1"})",
           R"({"arcp":"1.1","id":"m9","type":"t","event_seq":-1})",
           R"({"arcp":"1.1","id":"m9","type":"t","event_seq":1.5})",
           R"({"arcp":"1.1","id":"m9","type":"t","event_seq":18446744073709551615})",
           R"({"arcp":"1.1","id":"m9","type":"t","payload":[]})",
           R"({"arcp":"1.1","id":"m9","type":"t","payload":"x"})",
       }) {
    SCOPED_TRACE(frame);
    Error e = expect_invalid(decode_envelope(frame));
    EXPECT_EQ(request_id_of(e), "m9");
  }
}

// A huge float seq must be refused without an out-of-range double→int64 cast
// (undefined behaviour, caught by UBSan).
TEST(Envelope, ConformanceW06_HugeFloatEventSeqIsInvalidRequest) {
  Error e =
      expect_invalid(decode_envelope(R"({"arcp":"1.1","id":"m9","type":"t","event_seq":1e300})"));
  EXPECT_EQ(request_id_of(e), "m9");
}

TEST(Envelope, EventSeqAcceptsZeroAndLargeIntegers) {
  auto zero = decode_envelope(R"({"arcp":"1.1","id":"m","type":"t","event_seq":0})");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->event_seq, 0);
  auto big =
      decode_envelope(R"({"arcp":"1.1","id":"m","type":"t","event_seq":9223372036854775807})");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->event_seq, INT64_MAX);
}

TEST(Envelope, TraceIdIsNormalisedOnDecode) {
  auto upper = decode_envelope(
      R"({"arcp":"1.1","id":"m","type":"t","trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736"})");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");

  auto parent =
      decode_envelope(R"({"arcp":"1.1","id":"m","type":"t",)"
                      R"("trace_id":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})");
  ASSERT_TRUE(parent.ok());
  EXPECT_EQ(parent->trace_id, "0af7651916cd43dd8448eb211c80319c");

  Error e = expect_invalid(decode_envelope(
      R"({"arcp":"1.1","id":"m5","type":"t","trace_id":"00000000000000000000000000000000"})"));
  EXPECT_EQ(request_id_of(e), "m5");
  expect_invalid(decode_envelope(R"({"arcp":"1.1","id":"m","type":"t","trace_id":"xyz"})"));
}

TEST(Envelope, PayloadNumbersSurviveRoundTripExactly) {
  auto r = decode_envelope(
      R"({"arcp":"1.1","id":"m","type":"t","payload":{"a":9007199254740993,"b":0.1,"c":1e300,)"
      R"("d":-9223372036854775808,"e":18446744073709551615}})");
  ASSERT_TRUE(r.ok());
  std::string out = encode_envelope(*r);
  EXPECT_NE(out.find("9007199254740993"), std::string::npos) << out;
  EXPECT_NE(out.find("-9223372036854775808"), std::string::npos) << out;
  EXPECT_NE(out.find("18446744073709551615"), std::string::npos) << out;
  auto back = decode_envelope(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->payload, r->payload);
  EXPECT_EQ(back->payload.at("a").as_int64(), 9007199254740993LL);
  EXPECT_EQ(back->payload.at("b").as_double(), 0.1);
  EXPECT_EQ(back->payload.at("c").as_double(), 1e300);
}

TEST(Envelope, IsVendorNameRequiresPrefixAndSuffix) {
  EXPECT_TRUE(is_vendor_name("x-vendor.acme"));
  EXPECT_TRUE(is_vendor_name("x-vendor.acme.trace.v2"));
  EXPECT_FALSE(is_vendor_name("x-vendor."));
  EXPECT_FALSE(is_vendor_name("x-vendor"));
  EXPECT_FALSE(is_vendor_name("X-VENDOR.acme"));
  EXPECT_FALSE(is_vendor_name("acme.x-vendor.foo"));
  EXPECT_FALSE(is_vendor_name("x-vendorz.acme"));
  EXPECT_FALSE(is_vendor_name(""));
}

}  // namespace
}  // namespace arcp
