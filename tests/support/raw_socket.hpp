// A plain TCP client socket with bounded waits, for speaking raw HTTP and
// WebSocket frames to a listener: what a misbehaving peer would send.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace arcp::test {

class RawSocket {
 public:
  /// Connects to the host:port of a ws:// URL (nullopt when refused).
  static std::optional<RawSocket> connect(const std::string& ws_url);
  RawSocket(RawSocket&& other) noexcept;
  RawSocket& operator=(RawSocket&&) = delete;
  RawSocket(const RawSocket&) = delete;
  ~RawSocket();

  /// Sends all of `bytes`; false when the peer accepted nothing for `stall`
  /// (it stopped reading) or the connection failed. `sent` counts what went.
  bool send_all(std::string_view bytes, std::chrono::milliseconds stall,
                std::size_t* sent = nullptr);
  /// Shrinks the kernel's send buffer, so a peer that stops reading stalls
  /// the sender after little data.
  void small_send_buffer();
  /// The WebSocket upgrade of `path`; true when `101 Switching Protocols` came.
  bool upgrade(const std::string& path = "/arcp");
  /// One masked client text frame carrying `payload`.
  static std::string text_frame(std::string_view payload);
  /// The payload of the next server text frame; nullopt on close or timeout.
  std::optional<std::string> next_message(std::chrono::milliseconds timeout);
  /// True when the peer closes (EOF or reset) within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);
  void close();

 private:
  explicit RawSocket(int fd) : fd_(fd) {}
  /// Waits for and reads one chunk into `out`: bytes read, 0 at EOF, -1 on
  /// an error (a reset), -2 when `deadline` passed.
  long read_chunk(std::chrono::steady_clock::time_point deadline, std::string& out);
  /// Reads more into buf_; false on EOF, error or timeout.
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buf_;  // received, not yet consumed
  std::string host_port_;
};

}  // namespace arcp::test
