// W01–W07: envelope handling on a live session (memory transport).
#include <gtest/gtest.h>

#include <arcp/ids.hpp>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

class Wire : public ::testing::Test {
 protected:
  TestRuntime rt;
};

TEST_F(Wire, ConformanceW01_UnknownTopLevelFieldsAreIgnored) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  std::string id = new_id("msg");
  peer.send_text(R"({"arcp":"1.1","id":")" + id + R"(","type":"job.submit","session_id":")" +
                 peer.session_id +
                 R"(","x_future_field":{"a":1},"payload":{"agent":"echo","input":{"v":1}}})");
  auto accepted = peer.next_of("job.accepted");
  ASSERT_TRUE(accepted);
  auto result = peer.next_of("job.result");
  ASSERT_TRUE(result);
  EXPECT_EQ(json::serialize(result->payload.at("result")), R"({"v":1})");
}

TEST_F(Wire, ConformanceW02_EmitsOnePointOneAcceptsOneAndOnePointZero) {
  RawPeer peer(rt.memory_connection());
  auto welcome = peer.handshake();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->arcp, "1.1");
  for (std::string version : {"1", "1.0"}) {
    peer.send_text(R"({"arcp":")" + version + R"(","id":")" + new_id("msg") +
                   R"(","type":"job.submit","payload":{"agent":"echo","input":1}})");
    auto acc = peer.next_of("job.accepted");
    ASSERT_TRUE(acc) << version;
    EXPECT_EQ(acc->arcp, "1.1");
  }
  std::string id = new_id("msg");
  peer.send_text(R"({"arcp":"2.0","id":")" + id +
                 R"(","type":"job.submit","payload":{"agent":"echo"}})");
  auto err = peer.next_of("session.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
  EXPECT_EQ(err->payload.at("details").at("request_id"), json::value(id));
}

TEST_F(Wire, ConformanceW03_FirstMessageMustBeHello) {
  RawPeer peer(rt.memory_connection());
  std::string id = peer.send("job.submit", json::object{{"agent", "echo"}});
  auto err = peer.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->type, "session.error");
  EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
  EXPECT_EQ(err->payload.at("details").at("request_id"), json::value(id));
  // The connection is still usable for a proper hello.
  auto welcome = peer.handshake();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->type, "session.welcome");
}

TEST_F(Wire, ConformanceW04_UnknownCoreTypeKeepsSession) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  std::string id = peer.send("job.frobnicate", json::object{});
  auto err = peer.next_of("session.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
  EXPECT_EQ(err->payload.at("details").at("request_id"), json::value(id));
  EXPECT_EQ(err->session_id, peer.session_id);
  peer.send("job.submit", json::object{{"agent", "echo"}, {"input", "still alive"}});
  auto result = peer.next_of("job.result");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->payload.at("result"), "still alive");
}

TEST_F(Wire, ConformanceW05_VendorTypesReachHandlerOrAreIgnored) {
  rt.runtime().register_extension(
      "x-vendor.acme.echo", [](const std::string& principal, const Envelope& env) {
        return std::optional<json::object>(
            json::object{{"principal", principal}, {"got", env.payload}});
      });
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  peer.send("x-vendor.unknown.thing", json::object{{"a", 1}});  // ignored silently
  peer.send("x-vendor.acme.echo", json::object{{"n", 7}});
  auto reply = peer.next();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, "x-vendor.acme.echo");  // first frame back: nothing for the unknown type
  EXPECT_EQ(reply->payload.at("principal"), "alice");
  EXPECT_EQ(reply->payload.at("got").at("n"), 7);
}

TEST_F(Wire, ConformanceW06_BadFramesGetErrorsAndSessionSurvives) {
  RuntimeOptions o = default_runtime_options();
  o.max_frame_bytes = 4096;
  TestRuntime small(o);
  auto [client_end, runtime_end] = make_memory_pair(4096);
  small.runtime().serve(runtime_end);
  RawPeer peer(client_end);
  ASSERT_TRUE(peer.handshake());
  const std::vector<std::string> bad = {"{not json", "[1,2,3]",
                                        R"({"arcp":"1.1","id":"m1","payload":{}})",
                                        "\"just a string\"", std::string(5000, ' ')};
  for (const auto& frame : bad) {
    peer.send_text(frame);
    auto err = peer.next();
    ASSERT_TRUE(err) << frame.substr(0, 20);
    EXPECT_EQ(err->type, "session.error");
    EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
  }
  peer.send("job.submit", json::object{{"agent", "echo"}, {"input", 42}});
  auto result = peer.next_of("job.result");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->payload.at("result"), 42);
}

TEST_F(Wire, ConformanceW07_DuplicateEnvelopeIdProcessedOnce) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  std::string frame = R"({"arcp":"1.1","id":"dup-1","type":"job.submit","session_id":")" +
                      peer.session_id + R"(","payload":{"agent":"echo","input":"once"}})";
  peer.send_text(frame);
  peer.send_text(frame);
  peer.send("job.submit", json::object{{"agent", "echo"}, {"input", "marker"}});
  int accepted = 0;
  for (;;) {
    auto env = peer.next();
    ASSERT_TRUE(env);
    if (env->type == "job.accepted") ++accepted;
    if (env->type == "job.result" && env->payload.at("result") == "marker") break;
  }
  EXPECT_EQ(accepted, 2);  // "once" and "marker", not "once" twice
}

}  // namespace
}  // namespace arcp::test
