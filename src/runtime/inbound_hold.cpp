// A connection's inbound frames held behind a submit that waits for its
// credential (§9.8): a client matches job.accepted to its submits by order,
// so nothing sent after a submit is answered before it. Held frames are
// capped in bytes; a peer that sends more meanwhile loses its transport.
#include "runtime/connection_handler.hpp"

namespace arcp::runtime {

void ConnectionHandler::hold_inbound(std::size_t max_bytes) {
  std::lock_guard lock(hold_mu_);
  held_ = true;
  max_held_bytes_ = max_bytes;
}

bool ConnectionHandler::queue_if_held(std::string& text) {
  std::size_t cap = 0;
  {
    std::lock_guard lock(hold_mu_);
    if (!held_ && !draining_) return false;
    cap = max_held_bytes_;
    if (held_bytes_ + text.size() <= cap) {
      held_bytes_ += text.size();
      held_frames_.push_back(std::move(text));
      return true;
    }
  }
  Error err(ErrorCode::kInternalError,
            "more than " + std::to_string(cap) +
                " bytes were sent while a submit was waiting for its credential",
            json::object{{"limit", "max_queued_bytes_per_connection"}, {"cap", cap}});
  conn_->send(session_error_frame(err, session_ ? session_->id() : std::string()));
  conn_->close();
  return true;
}

void ConnectionHandler::release_inbound() {
  {
    std::lock_guard lock(hold_mu_);
    held_ = false;
    if (draining_) return;
    draining_ = true;
  }
  for (;;) {
    std::string next;
    {
      std::lock_guard lock(hold_mu_);
      // A held frame may itself be a submit that holds again: stop there.
      if (held_ || held_frames_.empty()) {
        draining_ = false;
        return;
      }
      next = std::move(held_frames_.front());
      held_frames_.pop_front();
      held_bytes_ -= next.size();
    }
    handle_frame(std::move(next));
  }
}

}  // namespace arcp::runtime
