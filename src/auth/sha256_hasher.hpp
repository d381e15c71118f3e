// Internal: incremental SHA-256 for content streamed in chunks (artifact
// uploads and downloads), so the whole never has to sit in one buffer.
// OpenSSL stays in src/auth (DESIGN §2).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace arcp::auth {

class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

  void update(std::string_view data);
  /// Lowercase hex of everything updated so far; the hasher starts over.
  std::string hex_final();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace arcp::auth
