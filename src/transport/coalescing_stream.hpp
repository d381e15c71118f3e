// Internal: a stream layer under Beast's WebSocket that coalesces writes.
// Beast writes each WebSocket message with its own socket write; under a
// stream of small events that is one syscall per event. This layer completes
// each write at once after copying it into a pending buffer and keeps at most
// one real socket write in flight: whatever Beast writes meanwhile (frames,
// pongs, close) goes out together in the next write, in order.
#pragma once

#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace arcp::transport {

template <class NextLayer>
class CoalescingStream {
 public:
  using next_layer_type = NextLayer;
  using executor_type = typename NextLayer::executor_type;

  template <class... Args>
  explicit CoalescingStream(Args&&... args) : next_(std::forward<Args>(args)...) {
    state_->owner = this;
  }
  ~CoalescingStream() {
    std::lock_guard lock(state_->mu);  // waits out a completion that is using us
    state_->owner = nullptr;
  }
  CoalescingStream(CoalescingStream&&) = delete;

  executor_type get_executor() noexcept { return next_.get_executor(); }
  NextLayer& next_layer() noexcept { return next_; }
  const NextLayer& next_layer() const noexcept { return next_; }

  // Reads are buffered too: Beast asks for at most ~1.5 KB at a time while
  // parsing frame headers; one 64 KiB socket read then serves many frames.
  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return boost::asio::async_initiate<ReadHandler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const MutableBufferSequence& bufs) {
          if (read_pos_ < read_len_) {
            std::size_t n = boost::asio::buffer_copy(
                bufs, boost::asio::buffer(read_mem_.get() + read_pos_, read_len_ - read_pos_));
            read_pos_ += n;
            auto ex = boost::asio::get_associated_executor(h, get_executor());
            boost::asio::post(
                ex, boost::beast::bind_handler(std::move(h), boost::beast::error_code{}, n));
            return;
          }
          // An idle connection waits with a small buffer (RSS per idle session);
          // a busy one, whose last read filled its buffer, reads 64 KiB at a
          // time. The buffer is never zero-filled: a std::string resized to
          // 64 KiB per read cost a 64 KiB memset per socket read.
          if (read_cap_ != read_chunk_) {
            read_mem_ = std::make_unique_for_overwrite<char[]>(read_chunk_);
            read_cap_ = read_chunk_;
          }
          read_len_ = read_pos_ = 0;
          next_.async_read_some(
              boost::asio::buffer(read_mem_.get(), read_cap_),
              [this, bufs, h = std::move(h)](boost::beast::error_code ec, std::size_t got) mutable {
                if (got == read_cap_)
                  read_chunk_ = kReadChunk;
                else if (got < kSmallReadChunk)
                  read_chunk_ = kSmallReadChunk;
                read_len_ = got;
                std::size_t n = 0;
                if (!ec) {
                  n = boost::asio::buffer_copy(bufs, boost::asio::buffer(read_mem_.get(), got));
                  read_pos_ = n;
                }
                std::move(h)(ec, n);
              });
        },
        handler, buffers);
  }

  /// Appends already-framed bytes (the server's own data frames) to the write
  /// buffer, in order with everything Beast writes. Call on the stream's executor.
  void append_raw(std::string_view header, std::string_view payload) {
    auto& p = state_->pending;
    p.append(header);
    p.append(payload);
    if (!state_->flushing) flush();
    note_unsent(*state_);
  }
  /// Bytes accepted but not yet written to the socket; safe from any thread.
  std::size_t unsent_bytes() const { return state_->unsent.load(std::memory_order_relaxed); }

  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const ConstBufferSequence& bufs) {
          auto ex = boost::asio::get_associated_executor(h, get_executor());
          if (state_->error) {
            boost::asio::post(
                ex, boost::beast::bind_handler(std::move(h), state_->error, std::size_t{0}));
            return;
          }
          std::size_t n = boost::asio::buffer_size(bufs);
          std::size_t old = state_->pending.size();
          state_->pending.resize(old + n);
          boost::asio::buffer_copy(boost::asio::buffer(state_->pending.data() + old, n), bufs);
          if (!state_->flushing) flush();
          note_unsent(*state_);
          boost::asio::post(
              ex, boost::beast::bind_handler(std::move(h), boost::beast::error_code{}, n));
        },
        handler, buffers);
  }

  // Synchronous forms (Beast's blocking handshake). They bypass the buffer,
  // which is empty then: asynchronous writes only start after the handshake.
  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    return next_.read_some(buffers);
  }
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    return next_.write_some(buffers);
  }
  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, boost::beast::error_code& ec) {
    return next_.read_some(buffers, ec);
  }
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
    return next_.write_some(buffers, ec);
  }

 private:
  // Shared with the in-flight write so a late completion never touches a dead stream.
  struct State {
    std::mutex mu;  // guards `owner` against the destructor
    CoalescingStream* owner = nullptr;
    std::string pending;
    std::string inflight;
    bool flushing = false;
    boost::beast::error_code error;
    std::atomic<std::size_t> unsent{0};  // pending + inflight, for back-pressure readers
  };

  static void note_unsent(State& st) {
    st.unsent.store(st.pending.size() + st.inflight.size(), std::memory_order_relaxed);
  }

  void flush() {
    auto st = state_;
    st->flushing = true;
    st->inflight.swap(st->pending);
    st->pending.clear();
    boost::asio::async_write(next_, boost::asio::buffer(st->inflight),
                             [st](boost::beast::error_code ec, std::size_t) {
                               std::lock_guard lock(st->mu);
                               st->flushing = false;
                               st->inflight.clear();
                               note_unsent(*st);
                               if (ec) {
                                 st->error = ec;
                                 return;
                               }
                               if (st->owner && !st->pending.empty()) st->owner->flush();
                             });
  }

  static constexpr std::size_t kReadChunk = 64 * 1024;
  static constexpr std::size_t kSmallReadChunk = 2 * 1024;
  std::size_t read_chunk_ = kSmallReadChunk;
  NextLayer next_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::unique_ptr<char[]> read_mem_;
  std::size_t read_cap_ = 0;
  std::size_t read_len_ = 0;  // bytes of the last socket read
  std::size_t read_pos_ = 0;  // of those, handed to Beast
};

// WebSocket close handshake support: tear down the layer below.
template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, CoalescingStream<NextLayer>& stream,
                    TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

template <class NextLayer>
void teardown(boost::beast::role_type role, CoalescingStream<NextLayer>& stream,
              boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

}  // namespace arcp::transport
