// Typed payloads of ack, list_jobs/jobs, bye, cancel/cancelled and subscription messages.
#include <gtest/gtest.h>

#include <arcp/job_messages.hpp>
#include <arcp/session_messages.hpp>

namespace arcp {
namespace {

json::object obj(std::string_view text) {
  return parse_json(text)->as_object();
}

TEST(MoreMessages, AckRoundTripsAndRejectsNegativeSeq) {
  auto a = Ack::from_json(obj(R"({"last_processed_seq":1827})"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->last_processed_seq, 1827);
  EXPECT_EQ(Ack::from_json(a->to_json())->last_processed_seq, 1827);
  EXPECT_EQ(Ack::from_json(obj(R"({"last_processed_seq":-1})")).error().code,
            ErrorCode::kInvalidRequest);
  EXPECT_FALSE(Ack::from_json(obj(R"({})")));
}

TEST(MoreMessages, ListJobsValidatesFilterLimitAndCursor) {
  auto l = ListJobs::from_json(obj(
      R"({"filter":{"status":["running","pending"],"agent":"code-refactor","created_after":"2026-05-13T00:00:00Z"},"limit":100,"cursor":null})"));
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->filter.status, (std::vector<std::string>{"running", "pending"}));
  EXPECT_EQ(l->filter.agent, "code-refactor");
  EXPECT_EQ(l->limit, 100);
  EXPECT_TRUE(l->cursor.empty());
  auto again = ListJobs::from_json(l->to_json());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->filter.created_after, "2026-05-13T00:00:00Z");
  for (auto bad :
       {R"({"filter":{"status":["sleeping"]}})", R"({"filter":{"created_before":"yesterday"}})",
        R"({"limit":0})", R"({"cursor":7})", R"({"filter":[]})"})
    EXPECT_EQ(ListJobs::from_json(obj(bad)).error().code, ErrorCode::kInvalidRequest) << bad;
}

TEST(MoreMessages, JobsPageCarriesRequestIdAndNullCursor) {
  Jobs j{"msg_1", json::array{json::object{{"job_id", "job_1"}}}, ""};
  auto o = j.to_json();
  EXPECT_TRUE(o.at("next_cursor").is_null());
  auto back = Jobs::from_json(o);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->request_id, "msg_1");
  EXPECT_EQ(back->jobs.size(), 1U);
  EXPECT_FALSE(Jobs::from_json(obj(R"({"request_id":"x"})")));
}

TEST(MoreMessages, CancelTakesEnvelopeJobIdThenPayloadJobId) {
  auto from_env = Cancel::from_json(obj(R"({"reason":"stop"})"), "job_A");
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->job_id, "job_A");
  EXPECT_EQ(from_env->reason, "stop");
  EXPECT_EQ(Cancel::from_json(obj(R"({"job_id":"job_B"})"), "")->job_id, "job_B");
  EXPECT_EQ(Cancel::from_json(obj(R"({})"), "").error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(Cancelled::from_json(Cancelled{"why"}.to_json())->reason, "why");
  EXPECT_EQ(Bye::from_json(Bye{"done"}.to_json())->reason, "done");
}

TEST(MoreMessages, SubscribeAndSubscribedRoundTrip) {
  auto s = Subscribe::from_json(obj(R"({"job_id":"job_1","from_event_seq":0,"history":true})"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->from_event_seq, 0);
  EXPECT_TRUE(s->history);
  EXPECT_FALSE(Subscribe::from_json(obj(R"({"job_id":"job_1","history":"yes"})")));
  EXPECT_FALSE(Subscribe::from_json(obj(R"({"from_event_seq":1})")));
  Subscribed d;
  d.job_id = "job_1";
  d.current_status = JobStatus::kRunning;
  d.agent = "slow@1.0.0";
  d.budget = json::object{{"USD", 3.58}};
  d.subscribed_from = 1830;
  auto o = d.to_json();
  EXPECT_TRUE(o.at("parent_job_id").is_null());
  EXPECT_FALSE(o.contains("credentials"));  // never part of an observer's descriptor
  auto back = Subscribed::from_json(o);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->subscribed_from, 1830);
  EXPECT_EQ(back->current_status, JobStatus::kRunning);
  EXPECT_EQ(Unsubscribe::from_json(Unsubscribe{"job_1"}.to_json())->job_id, "job_1");
}

}  // namespace
}  // namespace arcp
