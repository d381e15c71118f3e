// L01–L04: session.list_jobs — filters, keyset pagination, principal
// scoping, finished jobs (§6.6, §14).
#include <gtest/gtest.h>

#include <algorithm>
#include <arcp/time.hpp>
#include <set>
#include <thread>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

class ListJobsTest : public ::testing::Test {
 protected:
  explicit ListJobsTest(RuntimeOptions o = default_runtime_options()) : rt(std::move(o)) {
    EXPECT_TRUE(rt.runtime().register_agent("gate", gate.handler()));
  }
  std::vector<JobSummary> all(Client& c, ListJobsFilter f = {}, std::int64_t page = 100) {
    std::vector<JobSummary> out;
    auto pages = c.list_jobs(std::move(f), page);
    while (auto p = pages.next()) {
      EXPECT_TRUE(*p) << p->error().describe();
      if (!*p) break;
      for (auto& j : (*p)->jobs) out.push_back(j);
    }
    return out;
  }
  TestRuntime rt;
  Gate gate;
};

TEST_F(ListJobsTest, ConformanceL01_FiltersByStatusAgentAndCreationTime) {
  auto client = rt.connect_memory();
  auto echo = client->submit({.agent = "echo", .input = 1});
  ASSERT_TRUE(echo->result());
  auto failing = client->submit({.agent = "failing"});
  ASSERT_FALSE(failing->result());
  auto running = client->submit({.agent = "gate", .input = json::object{{"steps", 1}}});
  ASSERT_TRUE(running);

  auto by_status = all(*client, {.status = {"running", "pending"}});
  ASSERT_EQ(by_status.size(), 1U);
  EXPECT_EQ(by_status[0].job_id, running->job_id());
  EXPECT_EQ(all(*client, {.status = {"error"}})[0].job_id, failing->job_id());

  auto by_agent = all(*client, {.agent = "echo"});
  ASSERT_EQ(by_agent.size(), 1U);
  EXPECT_EQ(by_agent[0].agent, "echo@1.0.0");
  EXPECT_EQ(all(*client, {.agent = "echo@1.0.0"}).size(), 1U);
  EXPECT_TRUE(all(*client, {.agent = "ech"}).empty());  // names match whole, not by prefix

  EXPECT_EQ(all(*client, {.created_after = "2000-01-01T00:00:00Z"}).size(), 3U);
  EXPECT_TRUE(all(*client, {.created_before = "2000-01-01T00:00:00Z"}).empty());
  EXPECT_TRUE(all(*client, {.created_after = "2999-01-01T00:00:00Z"}).empty());
  // created_after is strict: the first job is not after its own creation time.
  auto after_first = all(*client, {.created_after = echo->accepted().accepted_at});
  for (const auto& j : after_first) EXPECT_NE(j.job_id, echo->job_id());
  gate.release(1);
  EXPECT_TRUE(running->result());
}

TEST_F(ListJobsTest, ConformanceL02_KeysetPagesHaveNoDuplicatesOrGaps) {
  auto client = rt.connect_memory();
  // Listed by (creation millisecond, job id). Ids carry fresh random bits
  // (§14), so jobs created in one millisecond list in id order, not
  // submission order.
  std::vector<std::pair<std::string, std::string>> submitted;  // (accepted_at, job_id)
  for (int i = 0; i < 23; ++i) {
    auto job = client->submit({.agent = "echo", .input = i});
    ASSERT_TRUE(job->result());
    submitted.emplace_back(job->accepted().accepted_at, job->job_id());
  }
  ListJobs first;
  first.limit = 7;
  auto page1 = client->list_jobs_page(first);
  ASSERT_TRUE(page1);
  EXPECT_EQ(page1->jobs.size(), 7U);
  EXPECT_FALSE(page1->next_cursor.empty());
  // Jobs submitted after the first page appear at the end, exactly once.
  // They are created in a later millisecond than every job above (the wall
  // clock is past it), so they sort after the first page's cursor.
  while (now_rfc3339() <= submitted.back().first) std::this_thread::yield();
  for (int i = 0; i < 3; ++i) {
    auto job = client->submit({.agent = "echo", .input = 100 + i});
    ASSERT_TRUE(job->result());
    submitted.emplace_back(job->accepted().accepted_at, job->job_id());
  }
  std::sort(submitted.begin(), submitted.end());
  std::vector<std::string> expected;
  for (const auto& s : submitted) expected.push_back(s.second);
  std::vector<std::string> seen;
  for (const auto& j : page1->jobs) seen.push_back(j.job_id);
  ListJobs next;
  next.limit = 7;
  next.cursor = page1->next_cursor;
  int pages = 1;
  for (;;) {
    auto page = client->list_jobs_page(next);
    ASSERT_TRUE(page);
    ++pages;
    for (const auto& j : page->jobs) seen.push_back(j.job_id);
    if (page->next_cursor.empty()) break;
    next.cursor = page->next_cursor;
  }
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(seen, expected);  // creation order, none twice, none missing

  ListJobs bad;
  bad.cursor = "not-a-cursor";
  auto err = client->list_jobs_page(bad);
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, ErrorCode::kInvalidRequest);
}

TEST_F(ListJobsTest, ConformanceL03_OnlyJobsThePrincipalMayObserve) {
  auto alice = rt.connect_memory("alice-token");
  auto bob = rt.connect_memory("bob-token");
  ASSERT_TRUE(alice->submit({.agent = "echo", .input = "a"})->result());
  ASSERT_TRUE(bob->submit({.agent = "echo", .input = "b"})->result());
  // A second session of alice sees her jobs from the first one.
  auto alice2 = rt.connect_memory("alice-token");
  auto mine = all(*alice2);
  ASSERT_EQ(mine.size(), 1U);
  auto bobs = all(*bob);
  ASSERT_EQ(bobs.size(), 1U);
  EXPECT_NE(mine[0].job_id, bobs[0].job_id);

  // A deployment policy may let an auditor see everyone's jobs.
  RuntimeOptions o = default_runtime_options();
  o.tokens.emplace_back("audit-token", "auditor");
  o.observe_policy = [](const std::string& observer, const std::string&) {
    return observer == "auditor";
  };
  TestRuntime policed(o);
  auto a = policed.connect_memory("alice-token");
  auto b = policed.connect_memory("bob-token");
  ASSERT_TRUE(a->submit({.agent = "echo"})->result());
  ASSERT_TRUE(b->submit({.agent = "echo"})->result());
  EXPECT_EQ(all(*policed.connect_memory("audit-token"), {}, 1).size(), 2U);
  EXPECT_EQ(all(*a, {}, 1).size(), 1U);
  EXPECT_EQ(all(*b).size(), 1U);
}

TEST_F(ListJobsTest, ConformanceL04_FinishedJobsAreListedWithTheirTerminalStatus) {
  auto client = rt.connect_memory();
  auto ok = client->submit({.agent = "echo"});
  ASSERT_TRUE(ok->result());
  auto bad = client->submit({.agent = "failing"});
  ASSERT_FALSE(bad->result());
  auto cancelled = client->submit({.agent = "gate", .input = json::object{{"steps", 5}}});
  ASSERT_TRUE(cancelled->cancel());
  ASSERT_FALSE(cancelled->result());
  auto timed =
      client->submit({.agent = "slow", .input = json::object{{"ms", 60000}}, .max_runtime_sec = 1});
  (void)timed->result();

  std::map<std::string, JobSummary> by_id;
  for (auto& j : all(*client)) by_id[j.job_id] = j;
  EXPECT_EQ(by_id.at(ok->job_id()).status, JobStatus::kSuccess);
  EXPECT_EQ(by_id.at(bad->job_id()).status, JobStatus::kError);
  EXPECT_EQ(by_id.at(cancelled->job_id()).status, JobStatus::kCancelled);
  EXPECT_EQ(by_id.at(timed->job_id()).status, JobStatus::kTimedOut);
  const auto& entry = by_id.at(ok->job_id());
  EXPECT_EQ(entry.trace_id, ok->accepted().trace_id);
  EXPECT_EQ(entry.created_at, ok->accepted().accepted_at);
  EXPECT_GT(entry.last_event_seq, 0);
  EXPECT_TRUE(entry.parent_job_id.empty());
}

TEST_F(ListJobsTest, ListJobsNeedsTheFeature) {
  RawPeer peer(rt.memory_connection());
  ASSERT_TRUE(peer.handshake());  // list_jobs not offered
  peer.send("session.list_jobs", json::object{});
  auto err = peer.next();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "INVALID_REQUEST");
}

}  // namespace
}  // namespace arcp::test
