// S01–S05: streamed results (§8.4) — the runtime's rules for result_chunk,
// its caps, and the client's assembly, over memory, WebSocket and stdio.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

std::vector<JobEvent> chunks_of(const std::vector<JobEvent>& events) {
  std::vector<JobEvent> out;
  for (const auto& e : events)
    if (e.kind == "result_chunk") out.push_back(e);
  return out;
}

std::string expected_text(int chunks, int bytes) {
  std::string s;
  for (int c = 0; c < chunks; ++c) s += std::string(static_cast<std::size_t>(bytes), 'a' + c % 26);
  return s;
}

// One run of the `chunked` agent, checked end to end.
void expect_streamed_text(Client& client) {
  auto job = client.submit(
      {.agent = "chunked", .input = json::object{{"chunks", 8}, {"chunk_bytes", 64}}});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  auto chunks = chunks_of(events);
  ASSERT_EQ(chunks.size(), 8U);
  std::string id(chunks[0].body.at("result_id").as_string());
  EXPECT_TRUE(id.starts_with("res_"));
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].body.at("result_id"), id.c_str());
    EXPECT_EQ(chunks[i].body.at("chunk_seq"), static_cast<std::int64_t>(i));
    EXPECT_EQ(chunks[i].body.at("encoding"), "utf8");
    EXPECT_EQ(chunks[i].body.at("more"), i + 1 < chunks.size());
  }
  auto reference = job->result();
  ASSERT_TRUE(reference) << reference.error().describe();
  EXPECT_EQ(reference->at("result_id"), id.c_str());
  EXPECT_EQ(reference->at("result_size"), 512);
  EXPECT_EQ(reference->at("summary"), "streamed 8 chunks");
  auto bytes = job->result_bytes();
  ASSERT_TRUE(bytes) << bytes.error().describe();
  EXPECT_EQ(*bytes, expected_text(8, 64));
}

TEST(ResultStreaming, ConformanceS01_ChunksInOrderThenAReferencingResultOverMemory) {
  TestRuntime rt;
  expect_streamed_text(*rt.connect_memory());
}

TEST(ResultStreaming, ConformanceS01_AssembledOverWebSocket) {
  TestRuntime rt;
  auto ws = Client::connect(rt.websocket_url(), ClientOptions{.token = "alice-token"});
  ASSERT_TRUE(ws) << ws.error().describe();
  expect_streamed_text(**ws);
}

#ifdef ARCP_CLI_PATH
TEST(ResultStreaming, ConformanceS01_AssembledOverStdio) {
  auto stdio =
      Client::connect(std::string("stdio:") + ARCP_CLI_PATH + " serve --stdio --token t:alice",
                      ClientOptions{.token = "t"});
  ASSERT_TRUE(stdio) << stdio.error().describe();
  expect_streamed_text(**stdio);
}
#endif

TEST(ResultStreaming, ConformanceS02_AnInlineResultAfterChunksEndsTheJobWithAnError) {
  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("mixes", [](JobContext& ctx) -> Result<json::value> {
    auto w = ctx.stream_result();
    if (!w) return w.error();
    (void)w->write("part");
    (void)w->finish();
    return json::object{{"inline", true}};  // §8.4 forbids this
  }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "mixes"});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  EXPECT_EQ(chunks_of(events).size(), 1U);
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternalError);
  EXPECT_NE(r.error().message.find("inline"), std::string::npos);
}

TEST(ResultStreaming, ConformanceS03_OutOfOrderForeignAndAfterFinalChunksAreRefused) {
  TestRuntime rt;
  std::vector<std::string> outcomes;
  ASSERT_TRUE(
      rt.runtime().register_agent("unruly", [&outcomes](JobContext& ctx) -> Result<json::value> {
        auto before = ctx.emit("result_chunk", json::object{{"result_id", "res_mine"},
                                                            {"chunk_seq", 0},
                                                            {"data", "x"},
                                                            {"encoding", "utf8"},
                                                            {"more", true}});
        outcomes.emplace_back(before ? "ok" : to_string(before.error().code));
        auto w = ctx.stream_result();
        if (!w) return w.error();
        auto chunk = [&](std::string id, int seq, bool more) {
          auto r = ctx.emit("result_chunk", json::object{{"result_id", id},
                                                         {"chunk_seq", seq},
                                                         {"data", "x"},
                                                         {"encoding", "utf8"},
                                                         {"more", more}});
          outcomes.emplace_back(r ? "ok" : to_string(r.error().code));
        };
        chunk(w->result_id(), 1, true);   // skips 0
        chunk("res_other", 0, true);      // not this job's stream
        chunk(w->result_id(), 0, true);   // in order
        chunk(w->result_id(), 1, false);  // final
        chunk(w->result_id(), 2, true);   // after the final one
        auto second = ctx.stream_result();
        outcomes.emplace_back(second ? "ok" : to_string(second.error().code));
        return json::value(nullptr);
      }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "unruly"});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  EXPECT_EQ(outcomes,
            (std::vector<std::string>{"INVALID_REQUEST", "INVALID_REQUEST", "INVALID_REQUEST", "ok",
                                      "ok", "INVALID_REQUEST", "INVALID_REQUEST"}));
  EXPECT_EQ(chunks_of(events).size(), 2U);  // refused chunks never reach the wire
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->at("result_size"), 2);
  EXPECT_EQ(job->result_bytes().value(), "xx");
}

TEST(ResultStreaming, ConformanceS04_ChunkAndTotalCapsEndTheJobWithInternalError) {
  RuntimeOptions o = default_runtime_options();
  o.max_result_chunk_bytes = 100;
  o.max_result_bytes = 300;
  TestRuntime rt(o);
  ASSERT_TRUE(rt.runtime().register_agent("big-chunk", [](JobContext& ctx) -> Result<json::value> {
    auto w = ctx.stream_result();
    if (!w) return w.error();
    auto r = ctx.emit("result_chunk", json::object{{"result_id", w->result_id()},
                                                   {"chunk_seq", 0},
                                                   {"data", std::string(101, 'x')},
                                                   {"encoding", "utf8"},
                                                   {"more", false}});
    EXPECT_EQ(r.error().code, ErrorCode::kInternalError);
    return json::value(nullptr);
  }));
  ASSERT_TRUE(rt.runtime().register_agent("too-long", [](JobContext& ctx) -> Result<json::value> {
    auto w = ctx.stream_result(ResultEncoding::kUtf8, 100);
    if (!w) return w.error();
    for (int i = 0; i < 4; ++i)
      if (auto r = w->write(std::string(100, 'y')); !r) return r.error();
    return w->finish();
  }));
  auto client = rt.connect_memory();
  for (auto [agent, limit] : {std::pair{"big-chunk", "max_result_chunk_bytes"},
                              std::pair{"too-long", "max_result_bytes"}}) {
    auto job = client->submit({.agent = agent});
    ASSERT_TRUE(job);
    auto events = drain_events(*job);
    auto r = job->result();
    ASSERT_FALSE(r) << agent;
    EXPECT_EQ(r.error().code, ErrorCode::kInternalError) << agent;
    EXPECT_EQ(r.error().details.at("limit"), limit) << agent;
    // Nothing past the cap was sent: never a truncated result that looks whole.
    for (const auto& c : chunks_of(events)) EXPECT_EQ(c.body.at("more"), true) << agent;
  }
}

TEST(ResultStreaming, ConformanceS05_Base64AssemblyIsByteExact) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "chunked",
       .input = json::object{{"chunks", 5}, {"chunk_bytes", 100}, {"encoding", "base64"}}});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  for (const auto& c : chunks_of(events)) EXPECT_EQ(c.body.at("encoding"), "base64");
  auto bytes = job->result_bytes();
  ASSERT_TRUE(bytes) << bytes.error().describe();
  ASSERT_EQ(bytes->size(), 500U);
  for (int c = 0; c < 5; ++c)
    for (int b = 0; b < 100; ++b)
      ASSERT_EQ(static_cast<unsigned char>((*bytes)[static_cast<std::size_t>(c * 100 + b)]),
                (c * 31 + b) & 0xFF);
  EXPECT_EQ(job->result()->at("result_size"), 500);
}

TEST(ResultStreaming, ConformanceS05_ClientAssemblyCapFailsTheBytesNotTheJob) {
  TestRuntime rt;
  Latch latch;  // holds the stream back until the test has set its sink
  ASSERT_TRUE(
      rt.runtime().register_agent("gated-chunks", [&latch](JobContext& ctx) -> Result<json::value> {
        if (auto waited = latch.blocking_agent()(ctx); !waited) return waited.error();
        auto w = ctx.stream_result(ResultEncoding::kUtf8, 64);
        if (!w) return w.error();
        if (auto r = w->write(expected_text(8, 64)); !r) return r.error();
        return w->finish();
      }));
  auto client = rt.connect_memory("alice-token", ClientOptions{.max_result_bytes = 100});
  auto job = client->submit(
      {.agent = "chunked", .input = json::object{{"chunks", 8}, {"chunk_bytes", 64}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->result());  // the job succeeded
  auto bytes = job->result_bytes();
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().code, ErrorCode::kInternalError);
  EXPECT_NE(bytes.error().message.find("cap"), std::string::npos);

  // A sink takes any size, in order, as the chunks arrive.
  auto streamed = client->submit({.agent = "gated-chunks"});
  ASSERT_TRUE(streamed);
  std::string sunk;
  streamed->stream_result_to([&sunk](std::string_view b) -> Result<void> {
    sunk += b;
    return {};
  });
  latch.open();
  ASSERT_TRUE(streamed->result());
  EXPECT_EQ(sunk, expected_text(8, 64));
}

TEST(ResultStreaming, StreamingNeedsTheFeatureAndAnUnfinishedStreamIsClosedForTheAgent) {
  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("forgets", [](JobContext& ctx) -> Result<json::value> {
    auto w = ctx.stream_result();
    if (!w) return w.error();
    (void)w->write("ab");
    (void)w->write("cd");
    return json::value(nullptr);  // no finish(): the writer closes the stream
  }));
  ClientOptions without;
  without.features = FeatureSet{"heartbeat", "ack"};
  auto old_client = rt.connect_memory("alice-token", without);
  auto refused = old_client->submit({.agent = "chunked"});
  ASSERT_TRUE(refused);
  auto r = refused->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);

  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "forgets"});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  auto chunks = chunks_of(events);
  ASSERT_EQ(chunks.size(), 2U);
  EXPECT_EQ(chunks[1].body.at("more"), false);
  EXPECT_EQ(job->result_bytes().value(), "abcd");
}

}  // namespace
}  // namespace arcp::test
