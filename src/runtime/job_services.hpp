// Internal: what the runtime lends every job's helpers — tools, the blocking
// pool, and the limits and policies of lease-checked operations.
#pragma once

#include <arcp/delegation.hpp>
#include <arcp/lease.hpp>
#include <arcp/tool.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "runtime/result_stream.hpp"

namespace arcp::store {
class ArtifactStore;
}
namespace arcp::observability {
struct RuntimeMetrics;
}

namespace arcp::runtime {

class Job;
class CredentialManager;

using ToolBody = std::variant<ToolHandler, AsyncToolHandler>;

struct RegisteredTool {
  std::string name;
  ToolBody body;
  ToolOptions options;
  CompiledLease needs;  // options.needs, compiled once
};

class ToolRegistry {
 public:
  /// INVALID_REQUEST for a bad name, a duplicate, or a `needs` entry whose
  /// capability is not a pattern capability or whose pattern does not compile.
  Result<void> add(const std::string& name, ToolBody body, ToolOptions options);
  std::shared_ptr<const RegisteredTool> find(std::string_view name) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const RegisteredTool>, std::less<>> tools_;
};

/// §9.7: what a lease without `model.use` may do.
enum class ModelPolicy {
  kRequireLease,  // no model.use → no model (the default: least authority)
  kAllowAny,      // no model.use → any model name
};

struct JobServices {
  ToolRegistry tools;
  /// Runs `task` on the blocking pool on behalf of `principal`.
  std::function<void(const std::string& principal, std::function<void()> task)> offload;
  ResultLimits result_limits;
  ModelPolicy model_policy = ModelPolicy::kRequireLease;
  std::string fs_base_dir = "/";
  std::size_t max_file_bytes = 8U << 20U;
  std::size_t max_dir_entries = 10000;
  std::size_t max_fetch_body_bytes = 8U << 20U;
  std::chrono::milliseconds max_fetch_timeout{60000};
  /// After `expires_at` the agent's next lease-checked operation gets
  /// LEASE_EXPIRED and ends the job; a job that attempts none is ended this
  /// long after expiry.
  std::chrono::milliseconds lease_expiry_grace{1000};

  /// §10: creates, accepts and starts a child of `parent` (the checks and
  /// the job.accepted included). Set by the runtime.
  std::function<Result<std::shared_ptr<Job>>(const std::shared_ptr<Job>& parent,
                                             const DelegateRequest& request)>
      delegate;
  /// Where JobContext::put_artifact stores (the runtime's artifact store).
  std::shared_ptr<store::ArtifactStore> artifacts;
  /// §9.8: set when a provisioner with a durable ledger is configured.
  std::shared_ptr<CredentialManager> credentials;
  /// Counts budget exhaustions (null in unit tests).
  std::shared_ptr<observability::RuntimeMetrics> metrics;
};

}  // namespace arcp::runtime
