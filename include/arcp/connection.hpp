// A transport connection: moves text frames, knows nothing of ARCP semantics.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace arcp {

/// One outbound frame; shared so one serialisation can go to many connections.
using Frame = std::shared_ptr<const std::string>;
Frame make_frame(std::string text);

/// Default cap on one inbound frame (stdio line / WebSocket message).
inline constexpr std::size_t kDefaultMaxFrameBytes = 8U * 1024U * 1024U;

struct ConnectionHandlers {
  /// One complete inbound frame. Called serially, never concurrently.
  std::function<void(std::string frame)> on_frame;
  /// An inbound frame exceeded the cap and was discarded; the connection stays up.
  std::function<void(std::size_t bytes)> on_oversize;
  /// The transport closed (either side). Called at most once, after the last on_frame.
  std::function<void()> on_closed;
};

class Connection {
 public:
  virtual ~Connection() = default;
  /// Begins delivering inbound frames to `handlers`.
  virtual void start(ConnectionHandlers handlers) = 0;
  /// Queues a frame; thread-safe, non-blocking, preserves order.
  virtual void send(Frame frame) = 0;
  /// Graceful close: queued frames are flushed first. Idempotent.
  virtual void close() = 0;
  /// Bytes queued but not yet written (for back-pressure decisions).
  virtual std::size_t queued_bytes() const = 0;
  /// Inbound flow control (§14): while more than `bytes` wait in the send
  /// queue, no further inbound frame is read, so a peer that sends without
  /// reading is held back by TCP (or its pipe) instead of growing this
  /// side's memory with replies. Thread-safe; takes effect before the next
  /// read. Default: no limit (a transport without it ignores the call).
  virtual void set_send_budget(std::size_t bytes) { (void)bytes; }
  /// The identity the transport verified for its peer (a wss:// connection
  /// with a client certificate checked against the configured CA: the
  /// certificate's first DNS/URI/email SAN, else its subject CN). Empty when
  /// none was verified; authenticators may map it to a principal (mTLS).
  virtual std::string peer_identity() const { return {}; }
  /// Human-readable peer description for logs (never contains secrets).
  virtual std::string description() const = 0;
};

}  // namespace arcp
