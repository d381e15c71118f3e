// Bare Boost.Beast loopback streaming: no ARCP, no JSON — the ceiling.
#include "bench_baseline.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace arcp::cli {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

double bare_websocket_frames_per_sec(std::size_t frames, std::size_t frame_bytes) {
  net::io_context server_ioc;
  tcp::acceptor acceptor(server_ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  auto port = acceptor.local_endpoint().port();
  std::string payload(frame_bytes, 'x');

  std::thread server([&] {
    tcp::socket sock(server_ioc);
    acceptor.accept(sock);
    sock.set_option(tcp::no_delay(true));
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept();
    ws.text(true);
    for (std::size_t i = 0; i < frames; ++i) ws.write(net::buffer(payload));
    beast::error_code ec;
    ws.close(websocket::close_code::normal, ec);
  });

  net::io_context client_ioc;
  tcp::socket sock(client_ioc);
  sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  sock.set_option(tcp::no_delay(true));
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.handshake("127.0.0.1:" + std::to_string(port), "/");
  beast::flat_buffer buf;
  auto start = std::chrono::steady_clock::now();
  std::size_t received = 0;
  beast::error_code ec;
  while (received < frames) {
    ws.read(buf, ec);
    if (ec) break;
    buf.consume(buf.size());
    ++received;
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ws.read(buf, ec);  // observe the close
  server.join();
  return secs > 0 ? static_cast<double>(received) / secs : 0;
}

}  // namespace arcp::cli
