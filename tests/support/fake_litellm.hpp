// A LiteLLM-compatible gateway for tests: /key/generate mints `sk-fake-N`
// under its alias, /key/delete by alias revokes; both need the master key.
// Each answer's status can be forced, and every call is recorded.
#pragma once

#include <arcp/json.hpp>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/http_test_server.hpp"

namespace arcp::test {

class FakeLiteLlm {
 public:
  explicit FakeLiteLlm(std::string master_key = "sk-master-test-0123456789")
      : master_key_(std::move(master_key)),
        server_([this](const Received& r) { return answer(r); }) {}

  std::string url() const { return test::url(server_, ""); }
  const std::string& master_key() const { return master_key_; }

  /// 0: answer normally; otherwise this HTTP status.
  std::atomic<int> force_generate_status{0};
  std::atomic<int> force_delete_status{0};
  /// The body of a forced /key/delete answer (read on the server's thread).
  void set_force_delete_body(std::string body) {
    std::lock_guard lock(mu_);
    force_delete_body_ = std::move(body);
  }

  int generates() const { return generates_.load(); }
  int deletes() const { return deletes_.load(); }
  std::vector<Received> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<std::string> deleted_aliases() const {
    std::lock_guard lock(mu_);
    return deleted_;
  }
  bool is_live(const std::string& key) const {
    std::lock_guard lock(mu_);
    for (const auto& [alias, k] : live_)
      if (k == key) return true;
    return false;
  }
  std::size_t live_count() const {
    std::lock_guard lock(mu_);
    return live_.size();
  }

 private:
  std::optional<std::string> answer(const Received& r) {
    std::lock_guard lock(mu_);
    requests_.push_back(r);
    if (r.header("authorization") != "Bearer " + master_key_)
      return response(401, "Unauthorized", R"({"error":{"message":"Authentication Error"}})");
    auto body = parse_json(r.body);
    if (!body || !body->is_object()) return response(400, "Bad Request", "{}");
    const auto& o = body->get_object();
    if (r.target == "/key/generate") {
      ++generates_;
      if (int s = force_generate_status.load()) return response(s, "Forced", "{}");
      std::string alias(o.at("key_alias").as_string());
      if (live_.count(alias))
        return response(400, "Bad Request", R"({"error":{"message":"Unique key aliases"}})");
      std::string key = "sk-fake-" + std::to_string(++minted_) + "-" + alias;
      live_[alias] = key;
      return response(200, "OK", json::serialize(json::object{{"key", key}, {"key_alias", alias}}));
    }
    if (r.target == "/key/delete") {
      ++deletes_;
      if (int s = force_delete_status.load()) return response(s, "Forced", force_delete_body_);
      json::array gone;
      for (const auto& a : o.at("key_aliases").as_array()) {
        std::string alias(a.as_string());
        deleted_.push_back(alias);
        if (live_.erase(alias)) gone.emplace_back(alias);
      }
      if (gone.empty())
        return response(404, "Not Found", R"({"error":{"message":"key not found"}})");
      return response(200, "OK", json::serialize(json::object{{"deleted_keys", gone}}));
    }
    return response(404, "Not Found", "{}");
  }

  std::string master_key_;
  mutable std::mutex mu_;
  std::string force_delete_body_ = "{}";
  std::vector<Received> requests_;
  std::vector<std::string> deleted_;
  std::map<std::string, std::string> live_;  // alias → key
  int minted_ = 0;
  std::atomic<int> generates_{0};
  std::atomic<int> deletes_{0};
  TestHttpServer server_;  // last: its thread calls answer(), which uses the members above
};

}  // namespace arcp::test
