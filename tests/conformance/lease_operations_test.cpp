// P02, P03 (§9.1–9.5): the lease at each operation an agent makes through
// JobContext, in both its blocking and its awaitable form — net.fetch against
// a real local HTTP server, files on a real directory, tools of either kind
// called from agents of either kind, authorize, the runtime's file cap and
// symlinks swapped in after a check.
#include <gtest/gtest.h>

#include <arcp/job_context.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace arcp::test {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// "ok" or the error code of an operation's outcome.
template <class T>
std::string code_of(const Result<T>& r) {
  return r ? "ok" : std::string(to_string(r.error().code));
}

/// An operation as the job's stream shows it: its tool_call (when there is
/// one) and the outcome of its tool_result.
struct Shown {
  std::string call_id;
  std::string tool;    // empty when no tool_call preceded the tool_result
  json::object args;   // of the tool_call
  std::string code;    // "ok", an error code, or "?" when no tool_result came
  json::value result;  // of an "ok" tool_result
};

std::vector<Shown> shown_operations(const std::vector<JobEvent>& events) {
  std::vector<Shown> out;
  std::map<std::string, std::size_t> by_call;
  for (const auto& e : events) {
    if (e.kind != "tool_call" && e.kind != "tool_result") continue;
    std::string id(e.body.at("call_id").as_string());
    auto it = by_call.find(id);
    if (it == by_call.end()) {
      it = by_call.emplace(id, out.size()).first;
      out.push_back({id, {}, {}, "?", {}});
    }
    auto& s = out[it->second];
    if (e.kind == "tool_call") {
      s.tool = std::string(e.body.at("tool").as_string());
      if (e.body.contains("args") && e.body.at("args").is_object())
        s.args = e.body.at("args").as_object();
    } else if (e.body.contains("error")) {
      s.code = std::string(e.body.at("error").at("code").as_string());
    } else {
      s.code = "ok";
      s.result = e.body.at("result");
    }
  }
  return out;
}

std::vector<std::string> codes_of(const std::vector<Shown>& shown) {
  std::vector<std::string> out;
  for (const auto& s : shown) out.push_back(s.code);
  return out;
}

std::vector<std::string> kinds_of(const std::vector<JobEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

class LeaseOperations : public ::testing::Test {
 protected:
  LeaseOperations() : root(dir.path()) {
    fs::create_directories(root / "allowed" / "sub");
    fs::create_directories(root / "allowed" / "out");
    fs::create_directories(root / "secret");
    write_text(root / "allowed" / "ok.txt", "hello from inside");
    write_text(root / "secret" / "key.txt", "TOP SECRET");
  }
  std::string at(const std::string& relative) const { return (root / relative).string(); }

  TempDir dir;
  fs::path root;
};

// ---- net.fetch -------------------------------------------------------------

/// A request of the fetching agents: `{url, method?}`; a POST carries a
/// secret header and body, which must never reach the job's stream.
FetchRequest request_of(const json::value& item) {
  const auto& o = item.as_object();
  FetchRequest req{.url = std::string(o.at("url").as_string())};
  if (o.contains("method")) req.method = std::string(o.at("method").as_string());
  if (req.method == "POST") {
    req.headers = {{"Authorization", "Bearer s3cret"}};
    req.body = "s3cret-body";
  }
  return req;
}

json::value outcome_of(const Result<FetchResponse>& r) {
  if (!r) return json::object{{"code", to_string(r.error().code)}};
  return json::object{
      {"status", r->status}, {"body", r->body}, {"location", header_of(r.value(), "Location")}};
}

Result<json::value> fetch_blocking(JobContext& ctx) {
  json::array out;
  for (const auto& item : ctx.input().at("requests").as_array())
    out.push_back(outcome_of(ctx.fetch(request_of(item))));
  return json::value(std::move(out));
}

Awaitable<Result<json::value>> fetch_coroutine(JobContext& ctx) {
  json::array out;
  for (const auto& item : ctx.input().at("requests").as_array()) {
    FetchRequest req = request_of(item);
    auto fetching = ctx.async_fetch(std::move(req));  // named: see the GCC 12 note
    auto r = co_await std::move(fetching);
    out.push_back(outcome_of(r));
  }
  co_return json::value(std::move(out));
}

TEST_F(LeaseOperations, ConformanceP03_FetchIsCheckedAgainstNetFetchThenSentToTheCanonicalUrl) {
  TestHttpServer other([](const Received&) { return response(200, "OK", "other server"); });
  const std::string outside = url(other, "/secret");
  TestHttpServer server([outside](const Received& r) -> std::optional<std::string> {
    if (r.target == "/allowed/redirect") return response(302, "Found", "", {{"Location", outside}});
    return response(200, "OK", "page " + r.target);
  });
  const std::string port = std::to_string(server.port());

  TestRuntime rt;
  ASSERT_TRUE(rt.runtime().register_agent("fetch-blocking", AgentHandler(fetch_blocking)));
  ASSERT_TRUE(rt.runtime().register_agent("fetch-coroutine", AsyncAgentHandler(fetch_coroutine)));
  auto client = rt.connect_memory();
  const json::object lease{{"net.fetch", json::array{url(server, "/allowed/**")}}};
  const std::string allowed = url(server, "/allowed/./a/../doc%7e?x=1#frag");
  const json::array requests{
      json::object{{"url", allowed}, {"method", "POST"}},
      json::object{{"url", url(server, "/allowed/../secret")}, {"method", "POST"}},
      json::object{{"url", url(server, "/allowed/%2e%2e/secret")}},
      json::object{{"url", url(other, "/allowed/x")}},
      json::object{{"url", "HTTP://127.0.0.1:" + port + "/ALLOWED/x"}},
      json::object{{"url", url(server, "/allowed/redirect")}}};

  int expected_requests = 0;
  for (const std::string agent : {"fetch-blocking", "fetch-coroutine"}) {
    SCOPED_TRACE(agent);
    auto job = client->submit(
        {.agent = agent, .input = json::object{{"requests", requests}}, .lease_request = lease});
    ASSERT_TRUE(job) << job.error().describe();
    auto events = drain_events(*job);
    auto r = job->result();
    ASSERT_TRUE(r) << r.error().describe();  // denials do not end the job (§13.4)
    const auto& got = r->as_array();
    ASSERT_EQ(got.size(), requests.size());

    // The allowed POST reached the server at its canonical target, with the
    // agent's header and body.
    EXPECT_EQ(got[0].at("status"), 200);
    EXPECT_EQ(got[0].at("body"), "page /allowed/doc~?x=1");
    auto seen = server.next_request();
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->method, "POST");
    EXPECT_EQ(seen->target, "/allowed/doc~?x=1");
    EXPECT_EQ(seen->header("Authorization"), "Bearer s3cret");
    EXPECT_EQ(seen->body, "s3cret-body");
    // §11: the job's trace goes along, under a fresh span id.
    std::string traceparent = seen->header("traceparent");
    EXPECT_EQ(traceparent.size(), 55U) << traceparent;
    EXPECT_EQ(traceparent.substr(0, 36), "00-" + job->accepted().trace_id + "-");
    EXPECT_TRUE(traceparent.ends_with("-01")) << traceparent;
    // Traversal (plain and encoded), another port, a path of another case.
    for (std::size_t i = 1; i <= 4; ++i)
      EXPECT_EQ(json::serialize(got[i]), R"({"code":"PERMISSION_DENIED"})") << i;
    // The redirect comes back as it is; its Location is not fetched.
    EXPECT_EQ(got[5].at("status"), 302);
    EXPECT_EQ(got[5].at("location"), outside.c_str());
    seen = server.next_request();
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->target, "/allowed/redirect");
    // Only the two allowed requests were sent.
    expected_requests += 2;
    EXPECT_EQ(server.requests(), expected_requests);
    EXPECT_EQ(other.connections(), 0);

    auto shown = shown_operations(events);
    ASSERT_EQ(shown.size(), requests.size());
    EXPECT_EQ(codes_of(shown),
              (std::vector<std::string>{"ok", "PERMISSION_DENIED", "PERMISSION_DENIED",
                                        "PERMISSION_DENIED", "PERMISSION_DENIED", "ok"}));
    for (std::size_t i = 0; i < shown.size(); ++i) {
      EXPECT_EQ(shown[i].tool, "net.fetch");
      // Method and URL without its query only: headers, bodies and query
      // strings may carry secrets.
      std::string asked(requests[i].at("url").as_string());
      bool has_query = asked.find('?') != std::string::npos;
      EXPECT_EQ(shown[i].args.size(), has_query ? 3U : 2U) << json::serialize(shown[i].args);
      EXPECT_EQ(shown[i].args.at("url"), asked.substr(0, asked.find_first_of("?#")).c_str());
      if (has_query) EXPECT_EQ(shown[i].args.at("query"), "(not shown)");
      EXPECT_EQ(shown[i].args.at("method"), i < 2 ? "POST" : "GET");
    }
    EXPECT_EQ(
        json::serialize(shown[0].result),
        R"({"status":200,"bytes":)" + std::to_string(got[0].at("body").as_string().size()) + "}");
    EXPECT_EQ(json::serialize(shown[5].result), R"({"status":302,"bytes":0})");
    for (const auto& e : events)
      EXPECT_EQ(json::serialize(e.body).find("s3cret"), std::string::npos)
          << e.kind << " " << json::serialize(e.body);
  }
}

// ---- files, awaitable forms ------------------------------------------------

TEST_F(LeaseOperations, ConformanceP03_CoroutineFileOperationsInsideAndOutsideTheLease) {
  TestRuntime rt;
  std::vector<std::string> codes;
  std::vector<std::vector<DirEntry>> listings;
  std::string read_back;
  ASSERT_TRUE(
      rt.runtime().register_agent("files", [&](JobContext& ctx) -> Awaitable<Result<json::value>> {
        // Created out of order, and mixed case: a listing sorts by bytes.
        // (Named ranges: no temporaries live across a co_await, for GCC 12.)
        const std::vector<std::pair<std::string, std::string>> files{
            {"b.txt", "bravo!"}, {"a.txt", "alpha"}, {"C.txt", "charlie-12"}};
        for (const auto& [name, data] : files) {
          auto writing = ctx.async_write_file(at("allowed/out/" + name), data);
          auto r = co_await std::move(writing);
          codes.push_back(code_of(r));
        }
        {
          auto writing = ctx.async_write_file(at("secret/planted.txt"), "never");
          auto r = co_await std::move(writing);
          codes.push_back(code_of(r));
        }
        {
          // Readable, but not writable: fs.write covers allowed/out/* only.
          auto writing = ctx.async_write_file(at("allowed/ok.txt"), "overwritten");
          auto r = co_await std::move(writing);
          codes.push_back(code_of(r));
        }
        const std::vector<std::string> dirs{at("allowed"), at("allowed/out"), root.string()};
        for (const auto& path : dirs) {
          auto listing = ctx.async_list_dir(path);
          auto r = co_await std::move(listing);
          codes.push_back(code_of(r));
          if (r) listings.push_back(std::move(*r));
        }
        {
          auto reading = ctx.async_read_file(at("allowed/out/a.txt"));
          auto r = co_await std::move(reading);
          codes.push_back(code_of(r));
          if (r) read_back = *r;
        }
        const std::vector<std::string> unreadable{at("secret/key.txt"), at("allowed/missing.txt")};
        for (const auto& path : unreadable) {
          auto reading = ctx.async_read_file(path);
          auto r = co_await std::move(reading);
          codes.push_back(code_of(r));
        }
        co_return json::object{{"done", true}};
      }));
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "files",
       .lease_request = json::object{{"fs.read", json::array{at("allowed/**")}},
                                     {"fs.write", json::array{at("allowed/out/*")}}}});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());

  EXPECT_EQ(codes, (std::vector<std::string>{"ok", "ok", "ok", "PERMISSION_DENIED",
                                             "PERMISSION_DENIED", "ok", "ok", "PERMISSION_DENIED",
                                             "ok", "PERMISSION_DENIED", "INVALID_REQUEST"}));
  // The stream shows the same outcomes, each after its tool_call.
  auto shown = shown_operations(events);
  EXPECT_EQ(codes_of(shown), codes);
  for (const auto& s : shown) EXPECT_FALSE(s.tool.empty()) << s.call_id;

  // On disk: the allowed writes, nothing else.
  EXPECT_EQ(read_text(root / "allowed" / "out" / "a.txt"), "alpha");
  EXPECT_EQ(read_text(root / "allowed" / "out" / "b.txt"), "bravo!");
  EXPECT_EQ(read_text(root / "allowed" / "out" / "C.txt"), "charlie-12");
  EXPECT_EQ(read_text(root / "allowed" / "ok.txt"), "hello from inside");
  EXPECT_FALSE(fs::exists(root / "secret" / "planted.txt"));
  EXPECT_EQ(read_back, "alpha");

  ASSERT_EQ(listings.size(), 2U);
  auto describe = [](const std::vector<DirEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
      std::string line = e.name;
      if (e.is_directory) {
        line += '/';
      } else {
        line += ':';
        line += std::to_string(e.size);
      }
      out.push_back(std::move(line));
    }
    return out;
  };
  EXPECT_EQ(describe(listings[0]), (std::vector<std::string>{"ok.txt:17", "out/", "sub/"}));
  EXPECT_EQ(describe(listings[1]), (std::vector<std::string>{"C.txt:10", "a.txt:5", "b.txt:6"}));
}

// ---- tools -----------------------------------------------------------------

/// A runtime with tools of both kinds, and the lease that lends them what
/// they need.
class LeaseOperationsTools : public LeaseOperations {
 protected:
  LeaseOperationsTools() {
    // A coroutine tool reading through the awaitable form.
    EXPECT_TRUE(rt.runtime().register_tool(
        "files.peek",
        AsyncToolHandler(
            [](JobContext& ctx, const json::value& args) -> Awaitable<Result<json::value>> {
              std::string path(args.at("path").as_string());
              auto reading = ctx.async_read_file(path);
              auto r = co_await std::move(reading);
              if (!r) co_return r.error();
              co_return json::object{{"text", *r}};
            }),
        {.needs = {{"fs.read", at("allowed/**")}}}));
    // A blocking tool reading through the blocking form, which refuses to
    // run on an I/O thread.
    EXPECT_TRUE(rt.runtime().register_tool(
        "files.peek_blocking",
        ToolHandler([this](JobContext& ctx, const json::value& args) -> Result<json::value> {
          {
            std::lock_guard lock(mu);
            tool_thread = std::this_thread::get_id();
          }
          auto r = ctx.read_file(std::string(args.at("path").as_string()));
          if (!r) return r.error();
          return json::object{{"text", *r}};
        }),
        {.needs = {{"fs.read", at("allowed/**")}}}));
    EXPECT_TRUE(rt.runtime().register_tool(
        "boom.blocking", ToolHandler([](JobContext&, const json::value&) -> Result<json::value> {
          throw std::runtime_error("kaboom");
        })));
    EXPECT_TRUE(rt.runtime().register_tool(
        "boom.coroutine",
        AsyncToolHandler([](JobContext&, const json::value&) -> Awaitable<Result<json::value>> {
          throw std::runtime_error("kaboom");
          co_return json::value();
        })));
    EXPECT_TRUE(rt.runtime().register_tool(
        "secret.tool", ToolHandler([this](JobContext&, const json::value&) -> Result<json::value> {
          ++secret_runs;
          return json::object{{"ran", true}};
        })));
  }
  json::object tool_lease() const {
    return json::object{{"tool.call", json::array{"files.*", "boom.*", "nope.*"}},
                        {"fs.read", json::array{at("allowed/**")}}};
  }
  json::object peek_args() const { return json::object{{"path", at("allowed/ok.txt")}}; }

  /// Runs `agent` and returns its events; the job must succeed.
  std::vector<JobEvent> run(const std::string& agent) {
    auto client = rt.connect_memory();
    auto job = client->submit({.agent = agent, .lease_request = tool_lease()});
    EXPECT_TRUE(job) << job.error().describe();
    if (!job) return {};
    auto events = drain_events(*job);
    auto r = job->result();
    EXPECT_TRUE(r) << r.error().describe();
    return events;
  }

  TestRuntime rt;
  std::mutex mu;
  std::thread::id tool_thread;
  std::atomic<int> secret_runs{0};
};

TEST_F(LeaseOperationsTools, ABlockingAgentCallsACoroutineTool) {
  std::string text;
  ASSERT_TRUE(rt.runtime().register_agent("asks", [&](JobContext& ctx) -> Result<json::value> {
    auto r = ctx.call_tool("files.peek", peek_args());
    if (!r) return r.error();
    text = std::string(r->at("text").as_string());
    return json::object{{"done", true}};
  }));
  auto events = run("asks");
  EXPECT_EQ(text, "hello from inside");
  // The tool's own read is an operation of the job too, inside the call.
  auto shown = shown_operations(events);
  ASSERT_EQ(shown.size(), 2U);
  EXPECT_EQ(shown[0].tool, "files.peek");
  EXPECT_EQ(shown[0].code, "ok");
  EXPECT_EQ(json::serialize(shown[0].result), R"({"text":"hello from inside"})");
  EXPECT_EQ(shown[1].tool, "fs.read");
  EXPECT_EQ(shown[1].code, "ok");
  EXPECT_EQ(kinds_of(events),
            (std::vector<std::string>{"tool_call", "tool_call", "tool_result", "tool_result"}));
}

TEST_F(LeaseOperationsTools, ACoroutineAgentCallsABlockingToolOffTheIoThread) {
  std::thread::id agent_thread;
  std::string text;
  ASSERT_TRUE(
      rt.runtime().register_agent("asks", [&](JobContext& ctx) -> Awaitable<Result<json::value>> {
        agent_thread = std::this_thread::get_id();
        auto calling = ctx.async_call_tool("files.peek_blocking", peek_args());
        auto r = co_await std::move(calling);
        if (!r) co_return r.error();  // INTERNAL_ERROR had it run on an I/O thread
        text = std::string(r->at("text").as_string());
        co_return json::object{{"done", true}};
      }));
  auto events = run("asks");
  EXPECT_EQ(text, "hello from inside");
  std::lock_guard lock(mu);
  EXPECT_NE(tool_thread, std::thread::id());
  EXPECT_NE(tool_thread, agent_thread);
  EXPECT_EQ(codes_of(shown_operations(events)), (std::vector<std::string>{"ok", "ok"}));
}

TEST_F(LeaseOperationsTools, AThrowingToolIsAnInternalErrorAndTheAgentGoesOn) {
  std::vector<std::string> messages;
  ASSERT_TRUE(rt.runtime().register_agent("blocking", [&](JobContext& ctx) -> Result<json::value> {
    for (const std::string tool : {"boom.blocking", "boom.coroutine"}) {
      auto r = ctx.call_tool(tool, json::object{});
      messages.push_back(r ? "ok" : code_of(r) + ": " + r.error().message);
    }
    auto after = ctx.call_tool("files.peek", peek_args());
    messages.push_back(code_of(after));
    return json::object{{"done", true}};
  }));
  ASSERT_TRUE(rt.runtime().register_agent(
      "coroutine", [&](JobContext& ctx) -> Awaitable<Result<json::value>> {
        const std::vector<std::string> tools{"boom.blocking", "boom.coroutine"};
        for (const auto& tool : tools) {
          auto calling = ctx.async_call_tool(tool, json::object{});
          auto r = co_await std::move(calling);
          messages.push_back(r ? "ok" : code_of(r) + ": " + r.error().message);
        }
        auto calling = ctx.async_call_tool("files.peek", peek_args());
        auto after = co_await std::move(calling);
        messages.push_back(code_of(after));
        co_return json::object{{"done", true}};
      }));
  for (const std::string agent : {"blocking", "coroutine"}) {
    SCOPED_TRACE(agent);
    messages.clear();
    auto events = run(agent);
    EXPECT_EQ(messages, (std::vector<std::string>{"INTERNAL_ERROR: tool threw: kaboom",
                                                  "INTERNAL_ERROR: tool threw: kaboom", "ok"}));
    auto shown = shown_operations(events);
    ASSERT_EQ(shown.size(), 4U);  // two throws, then files.peek and its read
    EXPECT_EQ(codes_of(shown),
              (std::vector<std::string>{"INTERNAL_ERROR", "INTERNAL_ERROR", "ok", "ok"}));
  }
}

TEST_F(LeaseOperationsTools, AnUnknownToolIsAnInvalidRequestToolResult) {
  std::string outcome;
  ASSERT_TRUE(
      rt.runtime().register_agent("asks", [&](JobContext& ctx) -> Awaitable<Result<json::value>> {
        auto calling = ctx.async_call_tool("nope.missing", json::object{});
        auto r = co_await std::move(calling);
        outcome = code_of(r);
        co_return json::object{{"done", true}};
      }));
  auto events = run("asks");
  EXPECT_EQ(outcome, "INVALID_REQUEST");
  auto shown = shown_operations(events);
  ASSERT_EQ(shown.size(), 1U);
  EXPECT_EQ(shown[0].tool, "nope.missing");
  EXPECT_EQ(shown[0].code, "INVALID_REQUEST");
}

TEST_F(LeaseOperationsTools, ConformanceP03_AToolOutsideTheToolCallPatternsIsDeniedAndNeverRuns) {
  std::vector<std::string> outcomes;
  ASSERT_TRUE(rt.runtime().register_agent("blocking", [&](JobContext& ctx) -> Result<json::value> {
    outcomes.push_back(code_of(ctx.call_tool("secret.tool", json::object{})));
    return json::object{{"done", true}};
  }));
  ASSERT_TRUE(rt.runtime().register_agent(
      "coroutine", [&](JobContext& ctx) -> Awaitable<Result<json::value>> {
        auto calling = ctx.async_call_tool("secret.tool", json::object{});
        auto r = co_await std::move(calling);
        outcomes.push_back(code_of(r));
        co_return json::object{{"done", true}};
      }));
  for (const std::string agent : {"blocking", "coroutine"}) {
    auto events = run(agent);
    auto shown = shown_operations(events);
    ASSERT_EQ(shown.size(), 1U);
    EXPECT_EQ(shown[0].tool, "secret.tool");
    EXPECT_EQ(shown[0].code, "PERMISSION_DENIED");
  }
  EXPECT_EQ(outcomes, (std::vector<std::string>{"PERMISSION_DENIED", "PERMISSION_DENIED"}));
  EXPECT_EQ(secret_runs.load(), 0);
}

// ---- a coroutine agent must not block its I/O thread -----------------------

TEST_F(LeaseOperations, ACoroutineAgentCallingABlockingHelperGetsInternalError) {
  TestRuntime rt;
  std::vector<std::string> messages;
  ASSERT_TRUE(
      rt.runtime().register_agent("blocks", [&](JobContext& ctx) -> Awaitable<Result<json::value>> {
        auto note = [&](const auto& r) {
          messages.push_back(r ? "ok" : code_of(r) + ": " + r.error().message);
        };
        note(ctx.read_file(at("allowed/ok.txt")));
        note(ctx.write_file(at("allowed/out/x.txt"), "x"));
        note(ctx.list_dir(at("allowed")));
        note(ctx.fetch({.url = "http://127.0.0.1:9/allowed"}));
        note(ctx.call_tool("search.web", json::object{}));
        co_return json::object{{"done", true}};
      }));
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "blocks",
       .lease_request = json::object{{"fs.read", json::array{at("allowed/**")}},
                                     {"fs.write", json::array{at("allowed/out/*")}},
                                     {"net.fetch", json::array{"http://127.0.0.1:9/**"}},
                                     {"tool.call", json::array{"search.*"}}}});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  ASSERT_EQ(messages.size(), 5U);
  for (const auto& [i, helper] : std::vector<std::pair<std::size_t, std::string>>{
           {0, "read_file"}, {1, "write_file"}, {2, "list_dir"}, {3, "fetch"}, {4, "call_tool"}}) {
    EXPECT_TRUE(
        messages[i].starts_with("INTERNAL_ERROR: " + helper + " was called in its blocking"))
        << messages[i];
    EXPECT_NE(messages[i].find("async_"), std::string::npos) << messages[i];
  }
  // Refused before anything was attempted: no operation on the stream, no file.
  EXPECT_TRUE(shown_operations(events).empty());
  EXPECT_FALSE(fs::exists(root / "allowed" / "out" / "x.txt"));
}

// ---- authorize ---------------------------------------------------------------

TEST_F(LeaseOperations, ConformanceP03_AuthorizeIsSilentWhenAllowedAndAToolResultWhenDenied) {
  TestRuntime rt;
  std::string canonical;
  std::vector<std::string> outcomes;
  ASSERT_TRUE(
      rt.runtime().register_agent("authorizes", [&](JobContext& ctx) -> Result<json::value> {
        (void)ctx.log("info", "before");
        auto allowed = ctx.authorize("fs.read", at("allowed/./sub/../ok.txt"));
        outcomes.push_back(code_of(allowed));
        if (allowed) canonical = *allowed;
        (void)ctx.log("info", "after");
        // No call_id: the runtime shows the operation itself.
        outcomes.push_back(code_of(ctx.authorize("fs.read", at("secret/key.txt"))));
        // The agent's own operation: the denial answers its call.
        (void)ctx.tool_call("deploy", json::object{{"target", "production"}}, "call_mine");
        outcomes.push_back(
            code_of(ctx.authorize("x-vendor.acme.deploy", "production", "call_mine")));
        return json::object{{"done", true}};
      }));
  auto client = rt.connect_memory();
  auto job = client->submit(
      {.agent = "authorizes",
       .lease_request = json::object{{"fs.read", json::array{at("allowed/**")}},
                                     {"x-vendor.acme.deploy", json::array{"staging"}}}});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());

  EXPECT_EQ(outcomes, (std::vector<std::string>{"ok", "PERMISSION_DENIED", "PERMISSION_DENIED"}));
  EXPECT_EQ(canonical, at("allowed/ok.txt"));
  // Nothing between the two logs: an allowed authorize emits no event.
  EXPECT_EQ(kinds_of(events), (std::vector<std::string>{"log", "log", "tool_call", "tool_result",
                                                        "tool_call", "tool_result"}));
  auto shown = shown_operations(events);
  ASSERT_EQ(shown.size(), 2U);
  EXPECT_EQ(shown[0].tool, "fs.read");
  EXPECT_EQ(shown[0].args.at("target"), at("secret/key.txt").c_str());
  EXPECT_EQ(shown[0].code, "PERMISSION_DENIED");
  EXPECT_NE(shown[0].call_id, "call_mine");
  EXPECT_EQ(shown[1].call_id, "call_mine");
  EXPECT_EQ(shown[1].tool, "deploy");  // the agent's own tool_call, not a second one
  EXPECT_EQ(shown[1].code, "PERMISSION_DENIED");
}

// ---- the runtime's file cap --------------------------------------------------

TEST_F(LeaseOperations, FilesOverMaxFileBytesAreRefusedBothWays) {
  RuntimeOptions o = default_runtime_options();
  o.max_file_bytes = 16;
  TestRuntime rt(o);
  write_text(root / "allowed" / "at-cap.txt", std::string(16, 'a'));
  write_text(root / "allowed" / "over-cap.txt", std::string(17, 'b'));
  std::vector<Error> errors;
  std::vector<std::string> codes;
  auto note = [&](const auto& r) {
    codes.push_back(code_of(r));
    if (!r) errors.push_back(r.error());
  };
  ASSERT_TRUE(rt.runtime().register_agent("blocking", [&](JobContext& ctx) -> Result<json::value> {
    note(ctx.read_file(at("allowed/at-cap.txt")));
    note(ctx.read_file(at("allowed/over-cap.txt")));
    note(ctx.write_file(at("allowed/out/blocking-at-cap.txt"), std::string(16, 'c')));
    note(ctx.write_file(at("allowed/out/blocking-over-cap.txt"), std::string(17, 'd')));
    return json::object{{"done", true}};
  }));
  ASSERT_TRUE(rt.runtime().register_agent(
      "coroutine", [&](JobContext& ctx) -> Awaitable<Result<json::value>> {
        const std::vector<std::string> names{"allowed/at-cap.txt", "allowed/over-cap.txt"};
        for (const auto& name : names) {
          auto reading = ctx.async_read_file(at(name));
          auto r = co_await std::move(reading);
          note(r);
        }
        const std::vector<std::size_t> sizes{16, 17};
        for (std::size_t n : sizes) {
          auto writing = ctx.async_write_file(
              at("allowed/out/coroutine-" + std::to_string(n) + ".txt"), std::string(n, 'e'));
          auto r = co_await std::move(writing);
          note(r);
        }
        co_return json::object{{"done", true}};
      }));
  auto client = rt.connect_memory();
  for (const std::string agent : {"blocking", "coroutine"}) {
    auto job = client->submit(
        {.agent = agent,
         .lease_request = json::object{{"fs.read", json::array{at("allowed/**")}},
                                       {"fs.write", json::array{at("allowed/out/*")}}}});
    ASSERT_TRUE(job) << job.error().describe();
    auto events = drain_events(*job);
    ASSERT_TRUE(job->result());
    EXPECT_EQ(codes_of(shown_operations(events)),
              (std::vector<std::string>{"ok", "INTERNAL_ERROR", "ok", "INTERNAL_ERROR"}));
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"ok", "INTERNAL_ERROR", "ok", "INTERNAL_ERROR", "ok",
                                             "INTERNAL_ERROR", "ok", "INTERNAL_ERROR"}));
  ASSERT_EQ(errors.size(), 4U);
  for (const auto& e : errors) {
    auto* limit = get_string(e.details, "limit");
    ASSERT_NE(limit, nullptr) << e.describe();
    EXPECT_EQ(*limit, "max_file_bytes");
    EXPECT_EQ(get_int(e.details, "cap"), 16);
  }
  EXPECT_EQ(read_text(root / "allowed" / "out" / "blocking-at-cap.txt"), std::string(16, 'c'));
  EXPECT_EQ(read_text(root / "allowed" / "out" / "coroutine-16.txt"), std::string(16, 'e'));
  EXPECT_FALSE(fs::exists(root / "allowed" / "out" / "blocking-over-cap.txt"));
  EXPECT_FALSE(fs::exists(root / "allowed" / "out" / "coroutine-17.txt"));
}

// ---- symlinks ------------------------------------------------------------------

TEST_F(LeaseOperations, ConformanceP02_ASymlinkSwappedInAfterAnAllowedReadIsDenied) {
  TestRuntime rt;
  write_text(root / "allowed" / "x", "plain file");
  write_text(root / "allowed" / "sub" / "inner.txt", "inner");
  fs::create_directory_symlink(root / "allowed" / "sub", root / "allowed" / "dirlink");
  std::vector<std::string> outcomes;
  ASSERT_TRUE(rt.runtime().register_agent("swaps", [&](JobContext& ctx) -> Result<json::value> {
    auto first = ctx.read_file(at("allowed/x"));
    outcomes.push_back(first ? *first : code_of(first));
    // The same name, now a symlink to a file outside the lease.
    fs::remove(root / "allowed" / "x");
    fs::create_symlink(root / "secret" / "key.txt", root / "allowed" / "x");
    auto second = ctx.read_file(at("allowed/x"));
    outcomes.push_back(second ? *second : code_of(second));
    // A directory symlink inside the lease that points inside it.
    auto inner = ctx.read_file(at("allowed/dirlink/inner.txt"));
    outcomes.push_back(inner ? *inner : code_of(inner));
    return json::object{{"done", true}};
  }));
  auto client = rt.connect_memory();
  auto job =
      client->submit({.agent = "swaps",
                      .lease_request = json::object{{"fs.read", json::array{at("allowed/**")}}}});
  ASSERT_TRUE(job) << job.error().describe();
  auto events = drain_events(*job);
  ASSERT_TRUE(job->result());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"plain file", "PERMISSION_DENIED", "inner"}));
  EXPECT_EQ(codes_of(shown_operations(events)),
            (std::vector<std::string>{"ok", "PERMISSION_DENIED", "ok"}));
  for (const auto& e : events)
    EXPECT_EQ(json::serialize(e.body).find("TOP SECRET"), std::string::npos);
}

}  // namespace
}  // namespace arcp::test
