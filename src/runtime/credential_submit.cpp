// A submit on a session that negotiated `provisioned_credentials` (§9.8):
// the job's credential is issued before job.accepted, on the blocking pool
// (the provisioner may call an upstream), and the acceptance continues on
// the I/O executors. Until then this connection's later frames wait.
#include <arcp/ids.hpp>
#include <boost/asio/post.hpp>

#include "runtime/connection_handler.hpp"
#include "runtime/credential_manager.hpp"
#include "runtime/job_credentials.hpp"

namespace arcp::runtime {

void ConnectionHandler::issue_then_accept(Runtime::Impl& rt, JobSpec spec,
                                          const std::string& idempotency_key,
                                          const std::string& fingerprint,
                                          const std::string& request_id) {
  const std::string principal = session_->principal();  // its key is reserved (handle_submit)
  hold_inbound(rt.opts.max_queued_bytes_per_connection);
  auto request = credential_request(spec, new_id("cred"),
                                    budget_amounts(BudgetCounters::from_lease(spec.lease)));
  auto pending = std::make_shared<JobSpec>(std::move(spec));
  std::weak_ptr<Runtime::Impl> weak_rt = rt_;
  auto io = rt.io();
  auto self = shared_from_this();
  rt.credentials->issue_async(
      std::move(request), [self, weak_rt, io, pending, principal, idempotency_key, fingerprint,
                           request_id](Result<HeldCredential> issued) {
        auto issued_ptr = std::make_shared<Result<HeldCredential>>(std::move(issued));
        boost::asio::post(*io, [self, weak_rt, pending, principal, idempotency_key, fingerprint,
                                request_id, issued_ptr] {
          auto rt = weak_rt.lock();
          if (!rt) return;
          auto& issued = *issued_ptr;
          bool stopping = false;
          {
            std::lock_guard lock(rt->mu);
            stopping = rt->shutting_down;
          }
          if (issued && stopping) {
            // Never handed out: revoked at once (or at the next start).
            rt->credentials->revoke_async(principal, {std::move(*issued)}, [] {});
            issued = Error(ErrorCode::kInternalError, "the runtime is shutting down");
          }
          if (!issued) {
            if (!idempotency_key.empty()) {
              std::lock_guard lock(rt->mu);
              rt->issuing_keys.erase({principal, idempotency_key});
            }
            self->session_->release_job_slot();
            rt->quotas.end_job(principal);
            self->session_->send_error(issued.error(), request_id);
          } else {
            pending->credentials.push_back(std::move(*issued));
            self->accept_job(*rt, std::move(*pending), idempotency_key, fingerprint);
          }
          self->release_inbound();
        });
      });
}

}  // namespace arcp::runtime
