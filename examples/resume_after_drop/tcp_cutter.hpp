// A TCP relay on 127.0.0.1 that forwards each accepted connection to an
// upstream port, and can cut every relayed connection at once: a network
// failure under a client, without the client's cooperation. POSIX sockets,
// one thread per direction; for examples, not for production traffic.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>
#include <vector>

class TcpCutter {
 public:
  explicit TcpCutter(int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = loopback(0);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~TcpCutter() {
    shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    acceptor_.join();                 // no pump starts after this
    cut();
    for (auto& t : pumps_) t.join();
    close(listen_fd_);
    for (int fd : fds_) close(fd);
  }
  int port() const { return port_; }

  /// Resets every connection relayed so far, in both directions. New
  /// connections are still relayed (the client's reconnect gets through).
  void cut() {
    std::lock_guard lock(mu_);
    for (int fd : fds_) shutdown(fd, SHUT_RDWR);
  }

 private:
  static sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
  }
  void accept_loop() {
    for (;;) {
      int client = accept(listen_fd_, nullptr, nullptr);
      if (client < 0) return;  // the listener was shut down
      int upstream = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr = loopback(upstream_port_);
      connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      std::lock_guard lock(mu_);
      fds_.push_back(client);
      fds_.push_back(upstream);
      pumps_.emplace_back([client, upstream] { pump(client, upstream); });
      pumps_.emplace_back([client, upstream] { pump(upstream, client); });
    }
  }
  // Copies bytes until either side fails, then shuts both down.
  static void pump(int from, int to) {
    char buf[16384];
    for (ssize_t n; (n = read(from, buf, sizeof buf)) > 0;)
      if (!send_all(to, buf, static_cast<size_t>(n))) break;
    shutdown(from, SHUT_RDWR);
    shutdown(to, SHUT_RDWR);
  }
  static bool send_all(int fd, const char* data, size_t size) {
    while (size > 0) {
      ssize_t w = send(fd, data, size, MSG_NOSIGNAL);
      if (w <= 0) return false;
      data += w;
      size -= static_cast<size_t>(w);
    }
    return true;
  }

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::vector<int> fds_;
  std::thread acceptor_;
  std::vector<std::thread> pumps_;
};
