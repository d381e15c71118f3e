// A runtime extension message: `x-vendor.acme.quota`, registered on the
// runtime with register_extension(), sent by the client and answered.
//
// ARCP reserves `x-vendor.*` for extensions (§15): a runtime ignores vendor
// messages it does not know, so a client may send them to any runtime. The
// handler runs for an authenticated session and sees its principal. The
// client has no typed call for vendor messages: it sends the envelope with
// Client::send() and reads the reply with Client::on_envelope(), matching it
// by the request id that this handler echoes.
#include <arcp/client.hpp>
#include <arcp/ids.hpp>
#include <arcp/runtime.hpp>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>

using namespace std::chrono_literals;

constexpr const char* kQuota = "x-vendor.acme.quota";

// Replies to vendor messages, by the id of the request they answer.
class Replies {
 public:
  void add(const std::string& request_id, arcp::json::object payload) {
    std::lock_guard lock(mu_);
    replies_[request_id] = std::move(payload);
    cv_.notify_all();
  }
  std::optional<arcp::json::object> wait(const std::string& request_id) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, 10s, [&] { return replies_.count(request_id) != 0; }))
      return std::nullopt;
    return replies_[request_id];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, arcp::json::object> replies_;
};

int main() {
  Replies replies;  // declared first: it must outlive the client that feeds it
  arcp::RuntimeOptions options;
  options.tokens = {{"example-token", "alice"}};
  options.log_level = arcp::LogLevel::kWarn;
  arcp::Runtime runtime(options);

  // The reply goes back with the same type; returning nullopt sends none.
  runtime.register_extension(
      kQuota, [](const std::string& principal, const arcp::Envelope& request) {
        const auto* unit = arcp::get_string(request.payload, "unit");
        return std::optional<arcp::json::object>(
            arcp::json::object{{"request_id", request.id},
                               {"principal", principal},
                               {"unit", unit ? std::string(*unit) : std::string("jobs")},
                               {"remaining", 42}});
      });
  auto url = runtime.listen({.listen_url = "ws://127.0.0.1:0/arcp"});
  if (!url) return 1;

  arcp::ClientOptions client_options;
  client_options.token = "example-token";
  auto client = arcp::Client::connect(*url, client_options);
  if (!client) return 1;

  // Observe inbound envelopes (on the client's reader thread) before sending.
  (*client)->on_envelope([&replies](const arcp::Envelope& env, const std::string&) {
    if (env.type != kQuota) return;
    if (const auto* id = arcp::get_string(env.payload, "request_id"))
      replies.add(std::string(*id), env.payload);
  });

  arcp::Envelope request;
  request.id = arcp::new_id("msg");  // session_id is filled in by send()
  request.type = kQuota;
  request.payload = arcp::json::object{{"unit", "jobs"}};
  std::cout << "sent " << request.type << "\n";
  std::string request_id = request.id;
  (*client)->send(std::move(request));

  auto reply = replies.wait(request_id);
  if (!reply) {
    std::cerr << "no reply to " << kQuota << "\n";
    return 1;
  }
  std::cout << "reply for principal " << std::string(reply->at("principal").as_string()) << ": "
            << reply->at("remaining") << " " << std::string(reply->at("unit").as_string())
            << " remaining\n";
  (*client)->on_envelope(nullptr);  // stop observing before `replies` goes away
  if (!(*client)->close()) return 1;
  runtime.shutdown();
  return 0;
}
