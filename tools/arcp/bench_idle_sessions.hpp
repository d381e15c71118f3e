// Many idle ARCP sessions from one thread (a Beast client per socket, no
// thread each), for measuring the runtime's memory per idle session.
#pragma once

#include <arcp/error.hpp>
#include <memory>
#include <string>

namespace arcp::cli {

class IdleSessions {
 public:
  IdleSessions();
  ~IdleSessions();
  /// Opens `count` sessions to `host:port` at `path`, each sending `hello`
  /// and waiting for its welcome (blocking, one after another).
  Result<void> open(const std::string& host, const std::string& port, const std::string& path,
                    const std::string& hello, std::size_t count);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arcp::cli
