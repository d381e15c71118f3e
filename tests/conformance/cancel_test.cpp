// C01–C03, C05, C06: cancellation authority, grace period and promptness.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>
#include <atomic>
#include <future>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

class Cancel : public ::testing::Test {
 protected:
  TestRuntime rt;
};

TEST_F(Cancel, ConformanceC01_SubmitterCancelGivesCancelledThenError) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  peer.send("job.submit", json::object{{"agent", "slow"},
                                       {"input", json::object{{"ms", 30000}, {"tick_ms", 20}}}});
  auto acc = peer.next_of("job.accepted");
  ASSERT_TRUE(acc);
  std::string job_id = acc->job_id;
  ASSERT_TRUE(peer.next_of("job.event"));  // running
  peer.send("job.cancel", json::object{{"reason", "user asked"}}, job_id);
  auto cancelled = peer.next_of("job.cancelled");
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->job_id, job_id);
  EXPECT_EQ(cancelled->payload.at("reason"), "user asked");
  auto err = peer.next_of("job.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "CANCELLED");
  EXPECT_EQ(err->payload.at("final_status"), "cancelled");
  EXPECT_EQ(err->payload.at("retryable"), false);
}

TEST_F(Cancel, ConformanceC02_OtherSessionCannotCancel) {
  auto owner = rt.connect_memory();
  auto job = owner->submit({.agent = "slow", .input = json::object{{"ms", 30000}}});
  ASSERT_TRUE(job);
  RawPeer same_principal(rt.memory_connection());
  ASSERT_TRUE(same_principal.handshake("alice-token"));
  same_principal.send("job.cancel", json::object{}, job->job_id());
  auto err = same_principal.next_of("session.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "PERMISSION_DENIED");
  EXPECT_FALSE(is_terminal(job->status()));  // pending or running: not cancelled
  ASSERT_TRUE(job->cancel());
  EXPECT_FALSE(job->result());
  EXPECT_EQ(job->status(), JobStatus::kCancelled);
}

TEST_F(Cancel, ConformanceC03_UnknownJobIsJobNotFound) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());
  std::string id = peer.send("job.cancel", json::object{}, "job_DOESNOTEXIST");
  auto err = peer.next_of("session.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "JOB_NOT_FOUND");
  EXPECT_EQ(err->payload.at("details").at("request_id"), json::value(id));
  // payload.job_id is accepted as the target too.
  peer.send("job.cancel", json::object{{"job_id", "job_ALSOMISSING"}});
  auto err2 = peer.next_of("session.error");
  ASSERT_TRUE(err2);
  EXPECT_EQ(err2->payload.at("code"), "JOB_NOT_FOUND");
}

TEST_F(Cancel, ConformanceC05_AgentIgnoringCancelIsStoppedAfterGrace) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(
      rt.runtime().register_agent("stubborn", [released](JobContext& ctx) -> Result<json::value> {
        (void)ctx.log("info", "started");
        released.wait();  // ignores the stop token on purpose
        return json::value("too late");
      }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "stubborn"});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->next_event());  // it is running
  ASSERT_TRUE(job->cancel("stop now"));
  auto r = job->result(std::chrono::seconds(10));  // grace is 300 ms in the test runtime
  release.set_value();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(r.error().details.at("forced"), true);
  EXPECT_EQ(job->status(), JobStatus::kCancelled);
}

TEST_F(Cancel, ConformanceC06_CancelHonouredPromptlyDuringTightEmitLoop) {
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "chatty", .input = json::object{{"n", 50'000'000}, {"kind", "log"}}});
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->next_event());
  std::atomic<std::int64_t> seen{0};
  job->on_event([&seen](const JobEvent&) { ++seen; });  // keep reading, keep nothing
  ASSERT_TRUE(job->cancel());
  auto r = job->result(std::chrono::seconds(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_FALSE(r.error().details.contains("forced"));  // the agent stopped by itself
}

}  // namespace
}  // namespace arcp::test
