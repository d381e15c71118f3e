// `arcp creds --data-dir DIR`: the credential ledger of a runtime's store —
// every credential not yet confirmed revoked (§9.8, §14: unrevocable
// credentials are surfaced to operators). Never a value: the ledger holds none.
#include <fmt/core.h>

#include <arcp/json.hpp>
#include <arcp/time.hpp>

#include "commands.hpp"
#include "json_text.hpp"
#include "store/store.hpp"

namespace arcp::cli {
namespace {

struct CredsArgs {
  std::string data_dir;
  bool json_lines = false;
};

std::string when(std::int64_t ms) {
  return format_rfc3339(SystemTime(std::chrono::milliseconds(ms)));
}

int creds(const CredsArgs& a) {
  store::SqliteOptions so;
  so.read_only = true;
  auto st = store::open_sqlite_store(a.data_dir, so);
  if (!st) {
    fmt::print(stderr, "arcp creds: {}\n", st.error().describe());
    return kExitUsage;
  }
  auto rows = (*st)->load_credentials();
  for (const auto& r : rows) {
    if (a.json_lines) {
      json::object o{{"id", r.id},
                     {"job_id", r.job_id},
                     {"principal", r.principal},
                     {"provisioner", r.provisioner},
                     {"state", r.state},
                     {"attempts", r.attempts},
                     {"last_error", r.last_error},
                     {"issued_at", when(r.issued_ms)},
                     {"updated_at", when(r.updated_ms)}};
      fmt::print("{}\n", json_text(o));
      continue;
    }
    fmt::print("{} job={} principal={} provisioner={} state={} attempts={} issued={}{}\n", r.id,
               r.job_id, r.principal, r.provisioner, r.state, r.attempts, when(r.issued_ms),
               r.last_error.empty() ? std::string() : " last_error=" + r.last_error);
  }
  if (!a.json_lines) fmt::print(stderr, "{} outstanding credential(s)\n", rows.size());
  return kExitSuccess;
}

}  // namespace

void add_creds_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<CredsArgs>();
  auto* cmd = app.add_subcommand(
      "creds", "List credentials in a runtime's --data-dir ledger not yet confirmed revoked");
  cmd->add_option("--data-dir", a->data_dir, "The runtime's data directory")->required();
  cmd->add_flag("--json", a->json_lines, "One JSON object per line");
  cmd->callback([a, &run] { run = [a] { return creds(*a); }; });
}

}  // namespace arcp::cli
