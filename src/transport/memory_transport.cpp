// In-process transport: each direction is a FrameQueue drained by the receiver's thread.
#include <arcp/transports.hpp>
#include <atomic>
#include <thread>

#include "transport/frame_queue.hpp"
#include "transport/thread_reaper.hpp"

namespace arcp {
namespace {

// Everything the reader thread touches lives here, owned jointly by the
// connection and the thread, so the connection may be destroyed from inside
// one of its own callbacks.
struct MemoryEndpoint {
  std::shared_ptr<transport::FrameQueue> in;
  std::shared_ptr<transport::FrameQueue> out;
  std::size_t max_frame = 0;
  std::atomic<std::size_t> send_budget{SIZE_MAX};
  ConnectionHandlers handlers;

  // Frames taken from the peer's queue at a time: what a reader holds back
  // by flow control stays bounded, the rest waits in the queue.
  static constexpr std::size_t kBatchFrames = 64;

  void run() {
    std::deque<Frame> batch;
    while (in->pop_some(batch, kBatchFrames)) {
      for (auto& f : batch) {
        out->wait_at_most(send_budget.load(std::memory_order_relaxed));  // peer not reading
        if (f->size() > max_frame) {
          if (handlers.on_oversize) handlers.on_oversize(f->size());
        } else if (handlers.on_frame) {
          handlers.on_frame(*f);
        }
      }
      batch.clear();
    }
    out->close();
    auto on_closed = std::move(handlers.on_closed);
    handlers = {};
    if (on_closed) on_closed();
  }
};

class MemoryConnection final : public Connection {
 public:
  MemoryConnection(std::shared_ptr<transport::FrameQueue> in,
                   std::shared_ptr<transport::FrameQueue> out, std::size_t max_frame,
                   std::string name)
      : ep_(std::make_shared<MemoryEndpoint>()), name_(std::move(name)) {
    ep_->in = std::move(in);
    ep_->out = std::move(out);
    ep_->max_frame = max_frame;
  }

  ~MemoryConnection() override {
    close();
    if (reader_.joinable()) {
      if (reader_.get_id() == std::this_thread::get_id())
        transport::reap_thread(std::move(reader_));  // cannot join itself
      else
        reader_.join();
    }
  }

  void start(ConnectionHandlers handlers) override {
    ep_->handlers = std::move(handlers);
    reader_ = std::thread([ep = ep_] { ep->run(); });
  }

  void send(Frame frame) override { ep_->out->push(std::move(frame)); }

  void close() override {
    ep_->out->close();  // the peer drains what we queued, then sees the close
    ep_->in->close();
  }

  std::size_t queued_bytes() const override { return ep_->out->bytes(); }
  void set_send_budget(std::size_t bytes) override { ep_->send_budget = bytes; }
  std::string description() const override { return name_; }

 private:
  std::shared_ptr<MemoryEndpoint> ep_;
  std::string name_;
  std::thread reader_;
};

}  // namespace

std::pair<std::shared_ptr<Connection>, std::shared_ptr<Connection>> make_memory_pair(
    std::size_t max_frame_bytes) {
  auto a_to_b = std::make_shared<transport::FrameQueue>();
  auto b_to_a = std::make_shared<transport::FrameQueue>();
  auto a = std::make_shared<MemoryConnection>(b_to_a, a_to_b, max_frame_bytes, "memory:client");
  auto b = std::make_shared<MemoryConnection>(a_to_b, b_to_a, max_frame_bytes, "memory:runtime");
  return {a, b};
}

}  // namespace arcp
