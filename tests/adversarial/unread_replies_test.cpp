// A peer that sends without reading must not grow the runtime's memory:
// every byte queued for a connection (errors before and after hello, pongs,
// list_jobs pages, acceptances, events) counts against one budget, and a
// connection over it stops being read, so the peer's own writes stall (TCP
// or pipe back-pressure). Nothing is lost: once the peer reads, every reply
// arrives and the session carries on.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "support/raw_socket.hpp"
#include "support/test_support.hpp"

namespace arcp::test {
namespace {

constexpr std::size_t kBudget = 64 * 1024;
constexpr std::size_t kUnauthenticatedBudget = 16 * 1024;
constexpr std::size_t kOneReply = 4096;  // the budget is checked between frames
constexpr std::size_t kNeverStalled = 8U << 20U;

RuntimeOptions small_budgets() {
  RuntimeOptions o = default_runtime_options();
  o.max_queued_bytes_per_connection = kBudget;
  o.max_queued_bytes_unauthenticated = kUnauthenticatedBudget;
  o.hello_timeout = std::chrono::seconds(300);  // the flood before hello may take a while
  return o;
}

std::string hello_text(const std::string& token) {
  return R"({"arcp":"1.1","id":"msg_hello","type":"session.hello","payload":{"client":{"name":"flood","version":"1"},"auth":{"scheme":"bearer","token":")" +
         token +
         R"("},"capabilities":{"encodings":["json"],"features":["heartbeat","list_jobs"]}}})";
}

/// A frame of the same length for every i (ids must differ: duplicates are dropped).
std::string envelope(int i, const char* type, const std::string& payload) {
  char id[32];
  std::snprintf(id, sizeof id, "msg_%08d", i);
  return std::string(R"({"arcp":"1.1","id":")") + id + R"(","type":")" + type + R"(","payload":)" +
         payload + "}";
}

struct Kind {
  std::string name;
  bool authenticate;
  std::function<std::string(int)> frame;
  std::vector<std::string> replies;  // message types that answer one frame
};

std::vector<Kind> kinds() {
  return {
      {"MalformedBeforeHello", false, [](int) { return std::string("x"); }, {"session.error"}},
      {"MalformedAfterHello", true, [](int) { return std::string("x"); }, {"session.error"}},
      {"UnknownType",
       true,
       [](int i) { return envelope(i, "nope.never", "{}"); },
       {"session.error"}},
      {"Ping",
       true,
       [](int i) {
         char nonce[32];
         std::snprintf(nonce, sizeof nonce, R"({"nonce":"n%08d"})", i);
         return envelope(i, "session.ping", nonce);
       },
       {"session.pong"}},
      {"ListJobs",
       true,
       [](int i) { return envelope(i, "session.list_jobs", R"({"limit":1000})"); },
       {"session.jobs"}},
      {"Submit",
       true,
       [](int i) { return envelope(i, "job.submit", R"({"agent":"echo","input":"e"})"); },
       {"job.accepted", "session.error"}},  // over the per-session job cap: an error
  };
}

std::string type_of(const std::string& text) {
  auto env = decode_envelope(text);
  return env ? env->type : std::string("(malformed)");
}

void PrintTo(const Kind& kind, std::ostream* os) {
  *os << kind.name;
}

class UnreadReplies : public ::testing::TestWithParam<Kind> {};

TEST_P(UnreadReplies, ConformanceK05_OverWebSocketTheBudgetHoldsTheSenderStallsAndNothingIsLost) {
  const Kind& kind = GetParam();
  TestRuntime rt(small_budgets());
  auto sock = RawSocket::connect(rt.websocket_url());
  ASSERT_TRUE(sock);
  sock->small_send_buffer();
  ASSERT_TRUE(sock->upgrade());
  if (kind.authenticate) {
    ASSERT_TRUE(sock->send_all(RawSocket::text_frame(hello_text("alice-token")), kWait));
    auto welcome = sock->next_message(kWait);
    ASSERT_TRUE(welcome);
    ASSERT_EQ(type_of(*welcome), "session.welcome");
  }
  // Flood in batches until the runtime stops taking frames.
  std::vector<std::string> frames;
  std::size_t frame_size = 0, sent = 0;
  bool stalled = false;
  for (int i = 0; !stalled && sent < kNeverStalled;) {
    std::string batch;
    for (int k = 0; k < 256; ++k, ++i) {
      std::string f = RawSocket::text_frame(kind.frame(i));
      if (frame_size == 0) frame_size = f.size();
      ASSERT_EQ(f.size(), frame_size);
      frames.push_back(f);
      batch += f;
    }
    stalled = !sock->send_all(batch, std::chrono::milliseconds(500), &sent);
  }
  ASSERT_TRUE(stalled) << "the runtime read " << sent << " bytes without a pause";
  std::size_t budget = kind.authenticate ? kBudget : kUnauthenticatedBudget;
  auto queued = rt.runtime().stats().queued_bytes;
  EXPECT_LE(queued, budget + kOneReply);

  // Another principal is served meanwhile.
  auto other = rt.connect_memory("bob-token");
  auto job = other->submit({.agent = "echo", .input = "unaffected"});
  ASSERT_TRUE(job);
  EXPECT_EQ(job->result().value(), "unaffected");

  // Read everything: one reply per frame, none lost; finish the frame the
  // stall cut in two once the runtime reads again.
  std::size_t whole = sent / frame_size, partial = sent % frame_size;
  std::size_t expected = whole + (partial ? 1 : 0), answered = 0;
  bool completed = partial == 0;
  while (answered < expected) {
    auto msg = sock->next_message(kWait);
    ASSERT_TRUE(msg) << answered << " of " << expected << " replies";
    auto t = type_of(*msg);
    if (std::find(kind.replies.begin(), kind.replies.end(), t) != kind.replies.end()) ++answered;
    if (!completed && answered >= whole / 2) {
      ASSERT_TRUE(sock->send_all(frames[whole].substr(partial), kWait));
      completed = true;
    }
  }
  // The session (or the connection) carries on.
  if (kind.authenticate) {
    ASSERT_TRUE(sock->send_all(
        RawSocket::text_frame(envelope(99999999, "session.ping", R"({"nonce":"last"})")), kWait));
    for (;;) {
      auto msg = sock->next_message(kWait);
      ASSERT_TRUE(msg);
      if (msg->find("\"ping_nonce\":\"last\"") != std::string::npos) break;
    }
  } else {
    ASSERT_TRUE(sock->send_all(RawSocket::text_frame(hello_text("alice-token")), kWait));
    for (;;) {
      auto msg = sock->next_message(kWait);
      ASSERT_TRUE(msg);
      if (type_of(*msg) == "session.welcome") break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryKind, UnreadReplies, ::testing::ValuesIn(kinds()),
                         [](const auto& info) { return info.param.name; });

/// Thread-based transports: the runtime's reader waits while its replies
/// are unread (`unread_input` shows input it has not taken); then every
/// reply arrives. `flood` returns how many frames it sent.
void flood_unread_then_drain(TestRuntime& rt, const std::function<int()>& flood,
                             const std::function<bool()>& unread_input,
                             std::shared_ptr<Connection> client_end) {
  int frames = flood();
  ASSERT_TRUE(
      eventually([&] { return rt.runtime().stats().queued_bytes > kUnauthenticatedBudget; }));
  EXPECT_LE(rt.runtime().stats().queued_bytes, kUnauthenticatedBudget + kOneReply);
  EXPECT_TRUE(unread_input()) << "the runtime kept reading";
  RawPeer peer(client_end);
  for (int i = 0; i < frames; ++i) {
    auto env = peer.next();
    ASSERT_TRUE(env) << i << " of " << frames;
    ASSERT_EQ(env->type, "session.error");
  }
  ASSERT_TRUE(peer.handshake());
}

TEST(UnreadReplies, ConformanceK05_OverMemoryTheRuntimeStopsReadingAndLosesNothing) {
  TestRuntime rt(small_budgets());
  auto [client_end, runtime_end] = make_memory_pair();
  rt.runtime().serve(runtime_end);
  auto client = client_end;  // not started: nothing reads the replies yet
  flood_unread_then_drain(
      rt,
      [&] {
        constexpr int kFrames = 20000;  // ~4 MB of errors if nothing held them back
        for (int i = 0; i < kFrames; ++i) client->send(make_frame("x"));
        return kFrames;
      },
      [&] { return client->queued_bytes() > 0; }, client);
}

TEST(UnreadReplies, ConformanceK05_OverStdioTheRuntimeStopsReadingAndLosesNothing) {
  TestRuntime rt(small_budgets());
  int to_runtime[2], from_runtime[2];
  ASSERT_EQ(::pipe2(to_runtime, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(from_runtime, O_CLOEXEC), 0);
  rt.runtime().serve(make_stdio_connection(to_runtime[0], from_runtime[1]));
  flood_unread_then_drain(
      rt,
      [&] {
        // Whole lines (under PIPE_BUF: each write is all or nothing) until
        // the pipe stays full: the runtime stopped taking them.
        ::fcntl(to_runtime[1], F_SETFL, ::fcntl(to_runtime[1], F_GETFL) | O_NONBLOCK);
        const std::string line = std::string(200, 'x') + "\n";
        int sent = 0;
        for (;;) {
          if (::write(to_runtime[1], line.data(), line.size()) ==
              static_cast<ssize_t>(line.size())) {
            ++sent;
            continue;
          }
          pollfd p{to_runtime[1], POLLOUT, 0};
          if (::poll(&p, 1, 500) <= 0) break;  // no room for half a second
        }
        ::fcntl(to_runtime[1], F_SETFL, ::fcntl(to_runtime[1], F_GETFL) & ~O_NONBLOCK);
        return sent;
      },
      [&] {
        int pending = 0;
        return ::ioctl(to_runtime[0], FIONREAD, &pending) == 0 && pending > 0;
      },
      make_stdio_connection(from_runtime[0], to_runtime[1]));
}

}  // namespace
}  // namespace arcp::test
