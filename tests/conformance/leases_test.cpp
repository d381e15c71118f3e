// P02, P03, P07 (§9.1–9.5, v1.0 §14): the runtime enforces the lease at every
// operation boundary — canonical targets, symlinks, each reserved namespace,
// tool needs and expiry. Glob semantics, canonicalisation corpora and subset
// rules are unit-tested (glob_test, canonical_test, lease_engine_test).
#include <gtest/gtest.h>
#include <unistd.h>

#include <arcp/job_context.hpp>
#include <filesystem>
#include <fstream>

#include "support/test_support.hpp"

namespace arcp::test {
namespace {

namespace fs = std::filesystem;

struct ToolOutcome {
  std::string tool;
  std::string code;  // empty: allowed
};

// Each tool_call and the outcome of its tool_result, in order.
std::vector<ToolOutcome> tool_outcomes(const std::vector<JobEvent>& events) {
  std::vector<ToolOutcome> out;
  std::map<std::string, std::size_t> by_call;
  for (const auto& e : events) {
    if (e.kind == "tool_call") {
      by_call[std::string(e.body.at("call_id").as_string())] = out.size();
      out.push_back({std::string(e.body.at("tool").as_string()), "?"});
    } else if (e.kind == "tool_result") {
      auto it = by_call.find(std::string(e.body.at("call_id").as_string()));
      if (it == by_call.end()) continue;
      auto& o = out[it->second];
      o.code = e.body.contains("error") ? std::string(e.body.at("error").at("code").as_string())
                                        : std::string();
    }
  }
  return out;
}

std::vector<std::string> codes(const std::vector<ToolOutcome>& outcomes) {
  std::vector<std::string> out;
  for (const auto& o : outcomes) out.push_back(o.code.empty() ? "ok" : o.code);
  return out;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

class Leases : public ::testing::Test {
 protected:
  Leases() {
    root = fs::path(dir.path());
    fs::create_directories(root / "allowed" / "sub");
    fs::create_directories(root / "secret");
    write_text(root / "allowed" / "ok.txt", "hello from inside");
    write_text(root / "secret" / "key.txt", "TOP SECRET");
    fs::create_symlink(root / "secret" / "key.txt", root / "allowed" / "link-out");
    fs::create_symlink(root / "secret", root / "allowed" / "dir-out");
    fs::create_symlink(root / "allowed" / "ok.txt", root / "allowed" / "link-in");
  }
  json::object read_lease() const {
    return json::object{{"fs.read", json::array{(root / "allowed" / "**").string()}}};
  }

  TempDir dir;
  fs::path root;
};

TEST_F(Leases, ConformanceP02_TraversalEncodingAndSymlinkEscapesAreDenied) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  std::string a = (root / "allowed").string();
  json::array paths{a + "/ok.txt",
                    a + "/link-in",                  // symlink staying inside: allowed
                    a + "/../secret/key.txt",        // traversal
                    a + "//..//secret/key.txt",      // empty segments
                    a + "/./../secret/key.txt",      // dot segments
                    a + "/%2e%2e/secret/key.txt",    // percent-encoded ..
                    a + "/%2E%2e%2fsecret/key.txt",  // encoded separator
                    a + "/link-out",                 // file symlink out of allowed/
                    a + "/dir-out/key.txt",          // directory symlink out of allowed/
                    (root / "secret" / "key.txt").string()};
  auto job = client->submit(
      {.agent = "reader", .input = json::object{{"paths", paths}}, .lease_request = read_lease()});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();  // denials do not end the job (§13.4)
  auto outcomes = tool_outcomes(events);
  ASSERT_EQ(outcomes.size(), paths.size());
  std::vector<std::string> want{"ok", "ok"};
  want.resize(paths.size(), "PERMISSION_DENIED");
  EXPECT_EQ(codes(outcomes), want);
  for (const auto& o : outcomes) EXPECT_EQ(o.tool, "fs.read");
  // The allowed read shows its first bytes; nothing of the secret is on the wire.
  for (const auto& e : events) {
    EXPECT_EQ(json::serialize(e.body).find("TOP SECRET"), std::string::npos);
  }
  EXPECT_EQ(json::serialize(events[1].body.at("result").at("head")), "\"hello from inside\"");
}

TEST_F(Leases, ConformanceP03_EveryReservedNamespaceIsCheckedAtItsOperation) {
  TestRuntime rt;
  std::vector<std::string> returned;
  std::string out_inside = (root / "allowed" / "sub" / "out.txt").string();
  std::string out_outside = (root / "secret" / "out.txt").string();
  ASSERT_TRUE(rt.runtime().register_agent("operator", [&](JobContext& ctx) -> Result<json::value> {
    auto code = [&](const auto& r) {
      returned.emplace_back(r ? "ok" : std::string(to_string(r.error().code)));
    };
    code(ctx.read_file((root / "allowed" / "ok.txt").string()));
    code(ctx.read_file((root / "secret" / "key.txt").string()));
    code(ctx.write_file(out_inside, "written"));
    code(ctx.write_file(out_outside, "never"));
    code(ctx.list_dir((root / "allowed").string()));
    code(ctx.list_dir(root.string()));
    // net.fetch: denied before anything touches the network.
    code(ctx.fetch({.url = "http://127.0.0.1:9/not-leased"}));
    code(ctx.call_tool("search.web", json::object{{"query", "x"}}));
    code(ctx.call_tool("other.tool", json::object{}));
    code(ctx.authorize("agent.delegate", "echo"));
    code(ctx.authorize("agent.delegate", "chatty"));
    code(ctx.use_model("tier-fast/small"));
    code(ctx.use_model("tier-slow/large"));
    code(ctx.authorize("x-vendor.acme.deploy", "staging"));
    code(ctx.authorize("x-vendor.acme.deploy", "production"));
    return json::object{{"done", true}};
  }));
  json::object lease = read_lease();
  lease["fs.write"] = json::array{(root / "allowed" / "sub" / "*").string()};
  lease["tool.call"] = json::array{"search.*"};
  lease["agent.delegate"] = json::array{"echo"};
  lease["model.use"] = json::array{"tier-fast/*"};
  lease["x-vendor.acme.deploy"] = json::array{"staging"};
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "operator", .lease_request = lease});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  std::vector<std::string> want{"ok",
                                "PERMISSION_DENIED",
                                "ok",
                                "PERMISSION_DENIED",
                                "ok",
                                "PERMISSION_DENIED",
                                "PERMISSION_DENIED",
                                "ok",
                                "PERMISSION_DENIED",
                                "ok",
                                "PERMISSION_DENIED",
                                "ok",
                                "PERMISSION_DENIED",
                                "ok",
                                "PERMISSION_DENIED"};
  EXPECT_EQ(returned, want);
  // Every denial is on the wire as a tool_result error, after its tool_call.
  std::size_t denials = 0;
  for (const auto& e : events)
    if (e.kind == "tool_result" && e.body.contains("error")) {
      ++denials;
      EXPECT_EQ(e.body.at("error").at("code"), "PERMISSION_DENIED");
      EXPECT_EQ(e.body.at("error").at("retryable"), false);
    }
  EXPECT_EQ(denials, 8U);
  std::ifstream written(out_inside);
  std::string text((std::istreambuf_iterator<char>(written)), {});
  EXPECT_EQ(text, "written");
  EXPECT_FALSE(fs::exists(out_outside));
}

TEST_F(Leases, ConformanceP03_AToolNeedingAuthorityTheLeaseLacksIsDenied) {
  TestRuntime rt;
  int ran = 0;
  ASSERT_TRUE(
      rt.runtime().register_tool("fetch.weather",
                                 [&ran](JobContext&, const json::value&) -> Result<json::value> {
                                   ++ran;
                                   return json::object{{"sunny", true}};
                                 },
                                 {.needs = {{"net.fetch", "https://weather.example/**"}}}));
  EXPECT_FALSE(rt.runtime().register_tool(
      "fetch.weather",
      [](JobContext&, const json::value&) -> Result<json::value> { return json::value(); }));
  ASSERT_TRUE(rt.runtime().register_agent("asks", [](JobContext& ctx) -> Result<json::value> {
    auto r = ctx.call_tool("fetch.weather", json::object{});
    if (!r) return json::object{{"denied", to_string(r.error().code)}};
    return r.value();
  }));
  auto client = rt.connect_memory();
  auto narrow = client->submit(
      {.agent = "asks", .lease_request = json::object{{"tool.call", json::array{"fetch.*"}}}});
  ASSERT_TRUE(narrow);
  EXPECT_EQ(json::serialize(narrow->result().value()), R"({"denied":"PERMISSION_DENIED"})");
  EXPECT_EQ(ran, 0);
  auto lending = client->submit(
      {.agent = "asks",
       .lease_request = json::object{{"tool.call", json::array{"fetch.*"}},
                                     {"net.fetch", json::array{"https://weather.example/**"}}}});
  ASSERT_TRUE(lending);
  EXPECT_EQ(json::serialize(lending->result().value()), R"({"sunny":true})");
  EXPECT_EQ(ran, 1);
}

TEST_F(Leases, ConformanceP07_AnOperationAfterExpiryGetsLeaseExpiredThenTheJobEnds) {
  RuntimeOptions o = default_runtime_options();
  o.lease_expiry_grace = std::chrono::seconds(60);  // only the operation may end it
  TestRuntime rt(o);
  auto client = rt.connect_memory();
  json::array paths;
  for (int i = 0; i < 40; ++i) paths.emplace_back((root / "allowed" / "ok.txt").string());
  auto expires = format_rfc3339(std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
  auto job = client->submit({.agent = "reader",
                             .input = json::object{{"paths", paths}, {"tick_ms", 100}},
                             .lease_request = read_lease(),
                             .lease_constraints = json::object{{"expires_at", expires}}});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  auto r = job->result();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kLeaseExpired);
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(job->status(), JobStatus::kError);
  auto outcomes = codes(tool_outcomes(events));
  ASSERT_GE(outcomes.size(), 2U);
  EXPECT_EQ(outcomes.back(), "LEASE_EXPIRED");  // the last event before job.error
  EXPECT_EQ(events.back().kind, "tool_result");
  for (std::size_t i = 0; i + 1 < outcomes.size(); ++i) EXPECT_EQ(outcomes[i], "ok");
}

TEST_F(Leases, RelativePathsResolveAgainstTheRuntimeBaseDirectory) {
  RuntimeOptions o = default_runtime_options();
  o.fs_base_dir = root.string();
  TestRuntime rt(o);
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "reader",
       .input = json::object{{"paths", json::array{"allowed/ok.txt", "allowed/../secret/key.txt",
                                                   "secret/key.txt"}}},
       .lease_request = json::object{{"fs.read", json::array{"allowed/**"}}}});
  ASSERT_TRUE(job);
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  EXPECT_EQ(codes(tool_outcomes(events)),
            (std::vector<std::string>{"ok", "PERMISSION_DENIED", "PERMISSION_DENIED"}));
}

TEST_F(Leases, ConformanceP05_APrincipalsCeilingNarrowsTheRequestNeverWidensIt) {
  RuntimeOptions o = default_runtime_options();
  o.lease_ceiling = [](const std::string& principal) -> std::optional<json::object> {
    if (principal != "alice") return std::nullopt;
    return json::object{{"fs.read", json::array{"/srv/**"}},
                        {"tool.call", json::array{"search.*"}},
                        {"cost.budget", json::array{"USD:2"}}};
  };
  TestRuntime rt(o);
  auto alice = rt.connect_memory("alice-token");
  auto wide = alice->submit(
      {.agent = "echo",
       .lease_request = json::object{{"fs.read", json::array{"/srv/a/**", "/etc/**"}},
                                     {"tool.call", json::array{"search.web", "shell.*"}},
                                     {"net.fetch", json::array{"https://x.example/**"}},
                                     {"cost.budget", json::array{"USD:5.00"}}}});
  ASSERT_TRUE(wide) << wide.error().describe();
  EXPECT_EQ(json::serialize(wide->accepted().lease),
            R"({"fs.read":["/srv/a/**"],"tool.call":["search.web"],"cost.budget":["USD:2"]})");
  EXPECT_EQ(json::serialize(*wide->accepted().budget), R"({"USD":2})");
  // A request without a budget gets the ceiling's: narrowing adds bounds.
  auto unbudgeted = alice->submit(
      {.agent = "echo", .lease_request = json::object{{"fs.read", json::array{"/srv/x"}}}});
  ASSERT_TRUE(unbudgeted);
  EXPECT_EQ(json::serialize(unbudgeted->accepted().lease),
            R"({"fs.read":["/srv/x"],"cost.budget":["USD:2"]})");
  // Below the ceiling the request stands as asked.
  auto narrow = alice->submit(
      {.agent = "echo", .lease_request = json::object{{"cost.budget", json::array{"USD:0.5"}}}});
  ASSERT_TRUE(narrow);
  EXPECT_EQ(json::serialize(*narrow->accepted().budget), R"({"USD":5E-1})");
  auto bob = rt.connect_memory("bob-token");
  auto untouched = bob->submit(
      {.agent = "echo", .lease_request = json::object{{"fs.read", json::array{"/etc/**"}}}});
  ASSERT_TRUE(untouched);
  EXPECT_EQ(json::serialize(untouched->accepted().lease), R"({"fs.read":["/etc/**"]})");
}

TEST_F(Leases, AListingLargerThanTheEntryCapIsAnErrorNotATruncatedList) {
  fs::path big = root / "allowed" / "big";
  fs::create_directories(big);
  for (int i = 0; i <= 10000; ++i) std::ofstream(big / ("f" + std::to_string(i)));
  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("lister", [&big](JobContext& ctx) -> Result<json::value> {
    auto r = ctx.list_dir(big.string());
    if (r) return json::object{{"entries", r->size()}};
    return json::object{{"code", to_string(r.error().code)}, {"details", r.error().details}};
  }));
  auto client = rt.connect_memory();
  auto job = client->submit({.agent = "lister", .lease_request = read_lease()});
  ASSERT_TRUE(job);
  auto r = job->result();
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(json::serialize(*r),
            R"({"code":"INTERNAL_ERROR","details":{"limit":"max_dir_entries","cap":10000}})");
}

TEST_F(Leases, AnUncompilablePatternIsRefusedBeforeAcceptance) {
  TestRuntime rt;
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "echo", .lease_request = json::object{{"fs.read", json::array{"/a**b"}}}});
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().code, ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace arcp::test
