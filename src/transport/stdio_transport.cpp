// NDJSON over file descriptors: a reader thread splitting lines and a writer
// thread that writes whole batches of queued frames with one writev.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arcp/transports.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include "transport/frame_queue.hpp"
#include "transport/thread_reaper.hpp"

extern char** environ;

namespace arcp {
namespace {

// All state the threads touch; shared with them so the owner may be destroyed
// from inside one of its own callbacks.
class StdioState : public std::enable_shared_from_this<StdioState> {
 public:
  StdioState(int in_fd, int out_fd, std::size_t max_frame, pid_t child, std::string name)
      : in_fd_(in_fd),
        out_fd_(out_fd),
        max_frame_(max_frame),
        child_(child),
        name_(std::move(name)) {
    if (::pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
    signal(SIGPIPE, SIG_IGN);  // a vanished peer must surface as EPIPE, not kill us
  }

  ~StdioState() {
    if (wake_[0] >= 0) ::close(wake_[0]);
    if (wake_[1] >= 0) ::close(wake_[1]);
    if (child_ > 0) reap_child();
  }

  void start(ConnectionHandlers handlers, std::thread& writer, std::thread& reader) {
    handlers_ = std::move(handlers);
    writer = std::thread([self = shared_from_this()] { self->write_loop(); });
    reader = std::thread([self = shared_from_this()] { self->read_loop(); });
  }

  void send(Frame frame) { out_.push(std::move(frame)); }

  void close() {
    if (closing_.exchange(true)) return;
    out_.close();  // writer flushes, then closes out_fd (EOF for the peer)
  }

  std::size_t queued_bytes() const { return out_.bytes(); }
  void set_send_budget(std::size_t bytes) { send_budget_ = bytes; }
  const std::string& name() const { return name_; }

 private:
  void write_loop() {
    std::deque<Frame> batch;
    std::vector<iovec> iov;
    static const char kNewline = '\n';
    bool failed = false;
    while (!failed && out_.pop_all(batch)) {
      iov.clear();
      for (auto& f : batch) {
        iov.push_back({const_cast<char*>(f->data()), f->size()});
        iov.push_back({const_cast<char*>(&kNewline), 1});
      }
      failed = !write_all(iov);
      batch.clear();
    }
    if (out_fd_ >= 0) ::close(out_fd_);
    out_fd_ = -1;
    // Closing our side also ends reading: the peer may never close its end.
    if (wake_[1] >= 0) {
      char b = 1;
      [[maybe_unused]] auto n = ::write(wake_[1], &b, 1);
    }
  }

  bool write_all(std::vector<iovec>& iov) {
    std::size_t idx = 0;
    while (idx < iov.size()) {
      int count = static_cast<int>(std::min<std::size_t>(iov.size() - idx, IOV_MAX));
      ssize_t n = ::writev(out_fd_, &iov[idx], count);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      auto left = static_cast<std::size_t>(n);
      while (idx < iov.size() && left >= iov[idx].iov_len) left -= iov[idx++].iov_len;
      if (idx < iov.size() && left > 0) {
        iov[idx].iov_base = static_cast<char*>(iov[idx].iov_base) + left;
        iov[idx].iov_len -= left;
      }
    }
    return true;
  }

  void read_loop() {
    std::vector<char> buf(256 * 1024);
    std::string line;
    bool oversize = false;
    std::size_t oversize_bytes = 0;
    for (;;) {
      pollfd fds[2] = {{in_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      int rc = ::poll(fds, 2, -1);
      if (rc < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents != 0) break;  // closed locally
      ssize_t n = ::read(in_fd_, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      const char* p = buf.data();
      const char* end = p + n;
      while (p < end) {
        const char* nl =
            static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        const char* stop = nl ? nl : end;
        auto chunk = static_cast<std::size_t>(stop - p);
        if (!oversize && line.size() + chunk > max_frame_) {
          oversize = true;
          oversize_bytes = line.size();
          line.clear();
        }
        if (oversize)
          oversize_bytes += chunk;
        else
          line.append(p, chunk);
        p = stop;
        if (nl) {
          ++p;
          if (oversize) {
            if (handlers_.on_oversize) handlers_.on_oversize(oversize_bytes);
            oversize = false;
          } else {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            // A peer that does not read our output stops being read: its
            // pipe fills and its writes block, not our memory.
            out_.wait_at_most(send_budget_.load(std::memory_order_relaxed));
            if (!line.empty() && handlers_.on_frame) handlers_.on_frame(std::move(line));
          }
          line.clear();
        }
      }
    }
    close();
    auto on_closed = std::move(handlers_.on_closed);
    handlers_ = {};
    if (on_closed) on_closed();
  }

  void reap_child() {
    ::close(in_fd_);
    if (out_fd_ >= 0) ::close(out_fd_);
    int status = 0;
    for (int i = 0; i < 200; ++i) {  // up to ~2 s for a graceful exit
      if (::waitpid(child_, &status, WNOHANG) == child_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(child_, SIGKILL);
    ::waitpid(child_, &status, 0);
  }

  int in_fd_;
  int out_fd_;
  std::size_t max_frame_;
  pid_t child_;
  std::string name_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> closing_{false};
  std::atomic<std::size_t> send_budget_{SIZE_MAX};
  transport::FrameQueue out_;
  ConnectionHandlers handlers_;
};

class StdioConnection final : public Connection {
 public:
  StdioConnection(int in_fd, int out_fd, std::size_t max_frame, pid_t child, std::string name)
      : state_(std::make_shared<StdioState>(in_fd, out_fd, max_frame, child, std::move(name))) {}
  ~StdioConnection() override {
    state_->close();
    join(writer_);
    join(reader_);
  }
  void start(ConnectionHandlers handlers) override {
    state_->start(std::move(handlers), writer_, reader_);
  }
  void send(Frame frame) override { state_->send(std::move(frame)); }
  void close() override { state_->close(); }
  std::size_t queued_bytes() const override { return state_->queued_bytes(); }
  void set_send_budget(std::size_t bytes) override { state_->set_send_budget(bytes); }
  std::string description() const override { return state_->name(); }

 private:
  static void join(std::thread& t) {
    if (!t.joinable()) return;
    if (t.get_id() == std::this_thread::get_id())
      transport::reap_thread(std::move(t));  // cannot join itself
    else
      t.join();
  }
  std::shared_ptr<StdioState> state_;
  std::thread writer_;
  std::thread reader_;
};

}  // namespace

std::shared_ptr<Connection> make_stdio_connection(int in_fd, int out_fd,
                                                  std::size_t max_frame_bytes) {
  return std::make_shared<StdioConnection>(in_fd, out_fd, max_frame_bytes, 0, "stdio");
}

Result<std::shared_ptr<Connection>> spawn_stdio_child(const std::vector<std::string>& argv,
                                                      std::size_t max_frame_bytes) {
  if (argv.empty()) return Error(ErrorCode::kInvalidRequest, "spawn: empty argv");
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) return Error(ErrorCode::kInternalError, "pipe failed");
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    return Error(ErrorCode::kInternalError, "pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (rc != 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    return Error(ErrorCode::kInternalError, std::string("spawn failed: ") + std::strerror(rc));
  }
  return std::shared_ptr<Connection>(std::make_shared<StdioConnection>(
      from_child[0], to_child[1], max_frame_bytes, pid, "stdio:child:" + std::to_string(pid)));
}

}  // namespace arcp
