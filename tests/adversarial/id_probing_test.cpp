// Probing for other principals' job ids (§14): a job the caller may not
// observe must be indistinguishable from one that does not exist, on every
// operation that takes a job id.
#include <gtest/gtest.h>

#include <arcp/ids.hpp>
#include <mutex>
#include <vector>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

const json::array kFeatures{"subscribe", "list_jobs"};

struct Probe {
  std::string type;  // "job.subscribe" or "job.cancel"
  std::string job_id;
};

// Sends one probe and returns the error envelope with the parts that must
// differ (the request id and the probed job id) checked and blanked, encoded
// as the bytes a client would compare.
std::string probe(RawPeer& peer, const Probe& p) {
  std::string request_id =
      p.type == "job.subscribe"
          ? peer.send("job.subscribe", json::object{{"job_id", p.job_id}, {"history", true}})
          : peer.send("job.cancel", json::object{{"reason", "probe"}}, p.job_id);
  auto err = peer.next_of("session.error");
  if (!err) return "no session.error";
  auto* details = err->payload.if_contains("details");
  if (!details || !details->is_object()) return "no details: " + encode_envelope(*err);
  auto& d = details->get_object();
  EXPECT_EQ(d.at("request_id"), json::value(request_id));
  EXPECT_EQ(d.at("job_id"), json::value(p.job_id));
  d["request_id"] = "<request>";
  d["job_id"] = "<job>";
  err->id = "<id>";
  return encode_envelope(*err);
}

class IdProbing : public ::testing::Test {
 protected:
  IdProbing() : rt(options()) {}
  RuntimeOptions options() {
    RuntimeOptions o = default_runtime_options();
    o.audit_log = [this](const std::string& line) {
      std::lock_guard lock(mu);
      audit.push_back(line);
    };
    return o;
  }
  std::mutex mu;
  std::vector<std::string> audit;
  TestRuntime rt;
};

TEST_F(IdProbing, AnotherPrincipalsJobAnswersExactlyLikeAnUnknownJob) {
  auto alice = rt.connect_memory("alice-token");
  auto running = alice->submit({.agent = "slow", .input = json::object{{"ms", 30000}}});
  ASSERT_TRUE(running);
  auto finished = alice->submit({.agent = "echo", .input = 1});
  ASSERT_TRUE(finished);
  ASSERT_TRUE(finished->result());

  RawPeer bob(rt.memory_connection());
  ASSERT_TRUE(bob.handshake("bob-token", kFeatures));

  for (std::string type : {"job.subscribe", "job.cancel"}) {
    SCOPED_TRACE(type);
    std::string unknown = probe(bob, {type, new_id("job")});
    EXPECT_NE(unknown.find("\"code\":\"JOB_NOT_FOUND\""), std::string::npos) << unknown;
    // Byte for byte the same answer, whether the id is alice's running job,
    // her finished job, or nobody's.
    EXPECT_EQ(probe(bob, {type, running->job_id()}), unknown);
    EXPECT_EQ(probe(bob, {type, finished->job_id()}), unknown);
    EXPECT_EQ(probe(bob, {type, new_id("job")}), unknown);
  }
  EXPECT_FALSE(is_terminal(running->status()));  // bob's cancel did nothing

  // The operator's audit still tells the cases apart (§14 audit trail).
  {
    std::lock_guard lock(mu);
    int policy = 0, not_found = 0;
    for (const auto& line : audit) {
      auto v = parse_json(line);
      ASSERT_TRUE(v && v->is_object()) << line;
      const auto& o = v->get_object();
      if (o.at("event") != "job.subscribe") continue;
      EXPECT_EQ(o.at("decision"), "deny");
      if (o.at("reason") == "policy") {
        ++policy;
        EXPECT_EQ(o.at("job_principal"), "alice");
      }
      if (o.at("reason") == "not_found") ++not_found;
    }
    EXPECT_EQ(policy, 2);
    EXPECT_EQ(not_found, 2);
  }

  // Alice's own answers are unchanged: she sees her job.
  RawPeer alice2(rt.memory_connection());
  ASSERT_TRUE(alice2.handshake("alice-token", kFeatures));
  alice2.send("job.subscribe", json::object{{"job_id", running->job_id()}});
  EXPECT_TRUE(alice2.next_of("job.subscribed"));
  ASSERT_TRUE(running->cancel());
  EXPECT_FALSE(running->result());
}

TEST_F(IdProbing, SamePrincipalOtherSessionStillGetsPermissionDeniedOnCancel) {
  // Existence is no secret within one principal: the answer stays useful.
  auto alice = rt.connect_memory("alice-token");
  auto running = alice->submit({.agent = "slow", .input = json::object{{"ms", 30000}}});
  ASSERT_TRUE(running);
  RawPeer alice2(rt.memory_connection());
  ASSERT_TRUE(alice2.handshake("alice-token", kFeatures));
  alice2.send("job.cancel", json::object{}, running->job_id());
  auto err = alice2.next_of("session.error");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->payload.at("code"), "PERMISSION_DENIED");
  EXPECT_FALSE(is_terminal(running->status()));
  ASSERT_TRUE(running->cancel());
  EXPECT_FALSE(running->result());
}

}  // namespace
}  // namespace arcp::test
