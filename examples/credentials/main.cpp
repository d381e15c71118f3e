// Provisioned credentials (§9.8): the runtime mints a scoped credential for
// each job, hands it to the agent and the submitter, and revokes it before
// the job's outcome is sent.
//
// The demo provisioner stands in for an upstream (an LLM gateway, a paid
// API) and keeps a set of live keys. The runtime only offers the
// `provisioned_credentials` feature with a durable ledger — a data_dir —
// because a credential it cannot revoke after a crash must never exist.
#include <unistd.h>  // getpid

#include <arcp/client.hpp>
#include <arcp/credentials.hpp>
#include <arcp/job_context.hpp>
#include <arcp/runtime.hpp>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>

namespace fs = std::filesystem;

// Holds the job open until the client has looked at its credential: the job
// would otherwise end (and its credential be revoked) before the check.
struct Gate {
  std::mutex mu;
  std::condition_variable_any cv;
  bool open = false;
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
  bool wait(std::stop_token stop) {
    std::unique_lock lock(mu);
    return cv.wait(lock, stop, [&] { return open; });
  }
};

int main() {
  fs::path data_dir = fs::temp_directory_path() / ("arcp-credentials-" + std::to_string(getpid()));
  auto provisioner = arcp::make_demo_provisioner({.endpoint = "https://llm.example/v1"});
  {
    arcp::RuntimeOptions options;
    options.tokens = {{"example-token", "alice"}};
    options.log_level = arcp::LogLevel::kWarn;
    options.audit_log = [](const std::string&) {};  // issues and revocations are audited
    options.data_dir = data_dir.string();           // the durable credential ledger (SQLite)
    options.credential_provisioner = provisioner;
    Gate gate;  // declared first: it must outlive the runtime's jobs
    arcp::Runtime runtime(options);

    // The agent presents its credential at the credential's endpoint (here it
    // only asks the demo upstream whether the key is live) and never logs it.
    auto agent = [provisioner, &gate](arcp::JobContext& ctx) -> arcp::Result<arcp::json::value> {
      auto creds = ctx.credentials();
      if (creds.empty()) return arcp::Error(arcp::ErrorCode::kInternalError, "no credential");
      bool live = provisioner->is_live(creds[0].value);
      if (!gate.wait(ctx.stop_token())) return arcp::Error(arcp::ErrorCode::kCancelled, "stopped");
      return arcp::json::object{{"endpoint", creds[0].endpoint}, {"live_while_running", live}};
    };
    if (!runtime.register_agent("llm-caller", agent)) return 1;
    auto [client_end, runtime_end] = arcp::make_memory_pair();
    runtime.serve(runtime_end);

    arcp::ClientOptions client_options;
    client_options.token = "example-token";
    client_options.features.add(arcp::feature::kProvisionedCredentials);  // opt in
    auto client = arcp::Client::connect(client_end, client_options);
    if (!client) return 1;
    std::cout << "feature negotiated: "
              << ((*client)->features().has(arcp::feature::kProvisionedCredentials) ? "yes" : "no")
              << "\n";

    // The credential is scoped by the lease: model.use and the budget become
    // its constraints at the upstream.
    auto job = (*client)->submit(
        {.agent = "llm-caller",
         .lease_request = arcp::json::object{{"model.use", arcp::json::array{"gpt-small/*"}},
                                             {"cost.budget", arcp::json::array{"USD:2.50"}}}});
    if (!job) {
      std::cerr << job.error().describe() << "\n";
      return 1;
    }
    // Only the submitting session sees the value (others see "[redacted]").
    const auto& creds = job->accepted().credentials;
    if (creds.size() != 1) return 1;
    const arcp::Credential& cred = creds.front();
    std::cout << "credential " << cred.id.substr(0, 5) << "... scheme " << cred.scheme << " for "
              << cred.endpoint << ", constraints " << arcp::json::serialize(cred.constraints)
              << "\n";
    std::cout << "live while the job runs: " << (provisioner->is_live(cred.value) ? "yes" : "no")
              << "\n";
    gate.release();  // now let the job finish

    auto result = job->result();
    if (!result) return 1;
    std::cout << "agent saw it live: " << result->at("live_while_running") << "\n";
    // Revoked before job.result was sent: by now the upstream refuses it.
    std::cout << "live after the job: " << (provisioner->is_live(cred.value) ? "yes" : "no")
              << "\n";
    std::cout << "outstanding credentials: " << runtime.stats().outstanding_credentials << "\n";
    runtime.shutdown();
  }
  fs::remove_all(data_dir);
  return provisioner->live_count() == 0 ? 0 : 1;
}
