// Internal: a Beast WebSocket stream (plain or TLS) adapted to arcp::Connection.
// Reads message pieces with a size cap (oversize messages are discarded, the
// socket stays up); writes queued frames back to back from the stream's strand.
#pragma once

#include <arcp/connection.hpp>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "transport/coalescing_stream.hpp"

namespace arcp::transport {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Plain sockets coalesce queued frames into one write; TLS keeps one record per frame.
using PlainWs = websocket::stream<CoalescingStream<beast::tcp_stream>>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

template <class Ws>
class WsConnection final : public Connection,
                           public std::enable_shared_from_this<WsConnection<Ws>> {
 public:
  WsConnection(Ws ws, std::size_t max_frame, std::string name, bool server_role = false)
      : ws_(std::move(ws)),
        max_frame_(max_frame),
        name_(std::move(name)),
        server_role_(server_role) {
    ws_.read_message_max(0);  // we enforce the cap ourselves so oversize is recoverable
    ws_.auto_fragment(false);
    ws_.text(true);
  }

  void start(ConnectionHandlers handlers) override {
    handlers_ = std::move(handlers);
    net::dispatch(ws_.get_executor(), [self = this->shared_from_this()] { self->do_read(); });
  }

  void send(Frame frame) override {
    std::lock_guard lock(mu_);
    if (closed_) return;
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    if (!writing_) {
      writing_ = true;
      net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->do_write(); });
    }
  }

  void close() override {
    std::lock_guard lock(mu_);
    if (closing_) return;
    closing_ = true;
    if (!writing_) {
      writing_ = true;
      net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->do_write(); });
    }
  }

  void set_send_budget(std::size_t bytes) override {
    send_budget_.store(bytes, std::memory_order_relaxed);
  }

  std::size_t queued_bytes() const override {
    std::lock_guard lock(mu_);
    std::size_t layer = 0;
    if constexpr (kCoalescing) layer = ws_.next_layer().unsent_bytes();
    return queued_bytes_ + layer;
  }
  std::string description() const override { return name_; }
  std::string peer_identity() const override { return peer_identity_; }

  Ws& stream() { return ws_; }
  /// Set once by the server before the connection is handed out (mTLS).
  void set_peer_identity(std::string identity) { peer_identity_ = std::move(identity); }
  /// Internal hook for the owner (server/client) to learn the socket is gone.
  void set_finished_hook(std::function<void()> hook) { finished_hook_ = std::move(hook); }

 private:
  void do_read() {
    ws_.async_read_some(read_buf_, read_hint_,
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                          self->on_read(ec, n);
                        });
  }

  void on_read(beast::error_code ec, std::size_t got) {
    if (ec) return finish();
    // Grow the read size while reads fill it; give memory back when idle.
    if (got >= read_hint_) {
      read_hint_ = kBusyReadHint;
    } else if (got < kIdleReadHint) {
      read_hint_ = kIdleReadHint;
    }
    auto data = read_buf_.cdata();
    std::size_t size = data.size();
    if (!oversize_ && message_.size() + size > max_frame_) {
      oversize_ = true;
      discarded_ = message_.size();
      message_.clear();
      message_.shrink_to_fit();
    }
    if (oversize_)
      discarded_ += size;
    else
      message_.append(static_cast<const char*>(data.data()), size);
    read_buf_.consume(size);
    if (read_hint_ == kIdleReadHint && read_buf_.capacity() > 4 * kIdleReadHint)
      read_buf_.shrink_to_fit();
    if (ws_.is_message_done()) {
      if (oversize_) {
        if (handlers_.on_oversize) handlers_.on_oversize(discarded_);
        oversize_ = false;
        discarded_ = 0;
      } else if (handlers_.on_frame) {
        handlers_.on_frame(std::move(message_));
      }
      message_.clear();
    }
    if (queued_bytes() > send_budget_.load(std::memory_order_relaxed))
      return wait_for_drain(kMinDrainPoll);
    do_read();
  }

  // The peer is not reading what we send: stop reading what it sends until
  // the queue is back under budget (polled: the writes complete in layers
  // that do not call back here, and a stalled peer is the rare case).
  void wait_for_drain(std::chrono::milliseconds poll) {
    if (!drain_timer_) drain_timer_.emplace(ws_.get_executor());
    drain_timer_->expires_after(poll);
    drain_timer_->async_wait([self = this->shared_from_this(), poll](beast::error_code ec) {
      if (ec) return;
      bool closed;
      {
        std::lock_guard lock(self->mu_);
        closed = self->closed_;
      }
      if (!closed && self->queued_bytes() > self->send_budget_.load(std::memory_order_relaxed))
        return self->wait_for_drain(std::min(poll * 2, kMaxDrainPoll));
      self->do_read();  // also how a closed or failed socket reaches finish()
    });
  }

  static constexpr bool kCoalescing = std::is_same_v<Ws, PlainWs>;

  // Server data frames are unmasked and uncompressed, so framing them is a few
  // header bytes: they go straight into the coalescing buffer, in order with
  // Beast's own control frames, skipping Beast's per-message write machinery.
  static std::string_view frame_header(std::size_t n, char (&buf)[10]) {
    buf[0] = static_cast<char>(0x81);  // FIN + text
    if (n < 126) {
      buf[1] = static_cast<char>(n);
      return {buf, 2};
    }
    if (n <= 0xFFFF) {
      buf[1] = 126;
      buf[2] = static_cast<char>((n >> 8) & 0xFF);
      buf[3] = static_cast<char>(n & 0xFF);
      return {buf, 4};
    }
    buf[1] = 127;
    for (int i = 0; i < 8; ++i)
      buf[2 + i] = static_cast<char>((static_cast<std::uint64_t>(n) >> (56 - 8 * i)) & 0xFF);
    return {buf, 10};
  }

  // Runs on the strand; writes one frame at a time until the queue is empty.
  void do_write() {
    if constexpr (kCoalescing) {
      if (server_role_) return do_write_raw();
    }
    Frame next;
    {
      std::lock_guard lock(mu_);
      if (!has_work_locked()) return;
      next = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= next->size();
    }
    ws_.async_write(net::buffer(*next),
                    [self = this->shared_from_this(), next](beast::error_code ec, std::size_t) {
                      if (ec) {
                        std::lock_guard lock(self->mu_);
                        self->closed_ = true;
                        self->queue_.clear();
                        self->queued_bytes_ = 0;
                        return;
                      }
                      self->do_write();
                    });
  }

  void do_write_raw() {
    if constexpr (kCoalescing) {
      std::deque<Frame> batch;
      for (;;) {
        {
          std::lock_guard lock(mu_);
          if (!has_work_locked()) return;
          batch.swap(queue_);
          queued_bytes_ = 0;
        }
        auto& layer = ws_.next_layer();
        char header[10];
        for (const auto& f : batch) layer.append_raw(frame_header(f->size(), header), *f);
        batch.clear();
      }
    }
  }

  /// With `mu_` held: true when frames are queued; otherwise ends the write
  /// cycle (and starts the close handshake once a close was asked for).
  bool has_work_locked() {
    if (closed_) return false;
    if (!queue_.empty()) return true;
    if (closing_) {
      closed_ = true;
      lock_free_close();
      return false;
    }
    writing_ = false;
    return false;
  }

  void lock_free_close() {
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](beast::error_code) {});
  }

  void finish() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      queue_.clear();
      queued_bytes_ = 0;
    }
    if (finished_.exchange(true)) return;
    auto on_closed = std::move(handlers_.on_closed);
    handlers_ = {};
    if (on_closed) on_closed();
    if (auto hook = std::move(finished_hook_)) hook();
  }

  Ws ws_;
  std::size_t max_frame_;
  std::string name_;
  std::string peer_identity_;
  ConnectionHandlers handlers_;
  static constexpr std::size_t kIdleReadHint = 4 * 1024;
  static constexpr std::size_t kBusyReadHint = 64 * 1024;
  beast::flat_buffer read_buf_;
  std::size_t read_hint_ = kIdleReadHint;
  std::string message_;
  static constexpr std::chrono::milliseconds kMinDrainPoll{1};
  static constexpr std::chrono::milliseconds kMaxDrainPoll{50};
  std::atomic<std::size_t> send_budget_{SIZE_MAX};
  std::optional<net::steady_timer> drain_timer_;
  bool oversize_ = false;
  std::size_t discarded_ = 0;

  mutable std::mutex mu_;
  std::deque<Frame> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::atomic<bool> finished_{false};
  const bool server_role_;
  std::function<void()> finished_hook_;
};

}  // namespace arcp::transport
