// Internal: how the runtime reports — its operator log, the audit trail, the
// counted connection, and the store's metrics hooks (the Impl methods that go
// with them are in runtime_observability.cpp).
#pragma once

#include <arcp/connection.hpp>
#include <arcp/log.hpp>
#include <arcp/runtime.hpp>
#include <memory>

#include "observability/metrics.hpp"
#include "runtime/credential_manager.hpp"
#include "store/store.hpp"

namespace arcp::runtime {

/// RuntimeOptions::log_sink (stderr when empty) at RuntimeOptions::log_level.
std::shared_ptr<const Logger> make_runtime_logger(const RuntimeOptions& opts);
/// SQLite store options reporting to `logger` and timing into `metrics`.
store::SqliteOptions observed_sqlite_options(
    std::shared_ptr<const Logger> logger, std::shared_ptr<observability::RuntimeMetrics> metrics);
/// `connection` with every frame's bytes counted; logs that it opened.
std::shared_ptr<Connection> counted_connection(std::shared_ptr<Connection> connection,
                                               const Runtime::Impl& rt);
/// An audit line written as JSON with "type" (and "at"): audited in the
/// `{"ts","event",…}` shape; with `also_log`, written to the log too.
void audit_legacy_line(const Runtime::Impl& rt, const std::string& line, bool also_log = false);
/// Counts, logs and audits every credential issue and revocation.
CredentialManager::Observer credential_observer(std::weak_ptr<Runtime::Impl> rt);

}  // namespace arcp::runtime
