// Beast is used directly here, as in bench_baseline.cpp: a bench tool that
// needs thousands of client sockets cannot afford our client's thread each.
#include "bench_idle_sessions.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <vector>

namespace arcp::cli {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Ws = beast::websocket::stream<tcp::socket>;

struct IdleSessions::Impl {
  net::io_context ioc;
  std::vector<std::unique_ptr<Ws>> sockets;
};

IdleSessions::IdleSessions() : impl_(std::make_unique<Impl>()) {}

IdleSessions::~IdleSessions() {
  for (auto& ws : impl_->sockets) {
    beast::error_code ec;
    ws->next_layer().close(ec);  // abrupt: the runtime is going away too
  }
}

Result<void> IdleSessions::open(const std::string& host, const std::string& port,
                                const std::string& path, const std::string& hello,
                                std::size_t count) {
  try {
    tcp::resolver resolver(impl_->ioc);
    auto endpoints = resolver.resolve(host, port);
    for (std::size_t i = 0; i < count; ++i) {
      auto ws = std::make_unique<Ws>(impl_->ioc);
      net::connect(ws->next_layer(), endpoints);
      ws->handshake(host + ":" + port, path);
      ws->text(true);
      ws->write(net::buffer(hello));
      beast::flat_buffer welcome;
      ws->read(welcome);
      impl_->sockets.push_back(std::move(ws));
    }
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternalError,
                 "idle session " + std::to_string(impl_->sockets.size()) + ": " + e.what());
  }
  return {};
}

}  // namespace arcp::cli
