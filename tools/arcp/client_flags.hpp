// The flags every command that opens a session takes (--url, --token,
// --token-file, ARCP_TOKEN, TLS), how the session is opened, and what a
// failure to open or keep it means for the exit code and the message.
#pragma once

#include <CLI/CLI.hpp>
#include <arcp/client.hpp>
#include <memory>
#include <optional>
#include <string>

#include "tls_client_flags.hpp"

namespace arcp::cli {

struct ClientFlags {
  std::string url;
  std::string token;
  std::string token_file;
  TlsClientFlags tls;
};

/// Registers --url (required unless `url_optional`), --token, --token-file
/// and the TLS flags on `cmd`, and the exit-code footer.
void add_client_flags(CLI::App* cmd, ClientFlags& flags, bool url_optional = false);

/// The bearer token: --token, else the first line of --token-file (trimmed),
/// else $ARCP_TOKEN, else none. A token file that cannot be read or is empty
/// is an INVALID_REQUEST naming the file (never its contents).
Result<std::string> resolve_token(const ClientFlags& flags);

/// Builds the client options from the flags; prints a usage error and
/// returns nullopt when the token cannot be resolved.
std::optional<ClientOptions> client_options(const std::string& command, const ClientFlags& flags);

/// Client::connect; on failure prints "arcp <command>: …" with a hint (a
/// wrong WebSocket path, an untrusted certificate, refused credentials)
/// and sets `exit_code` (kExitConnection, kExitAuth or kExitUsage).
std::shared_ptr<Client> open_session(const std::string& command, const std::string& url,
                                     ClientOptions options, int& exit_code);

/// Prints the agents the welcome advertised, for a submit refused with
/// AGENT_NOT_AVAILABLE or AGENT_VERSION_NOT_AVAILABLE.
void print_available_agents(const std::string& command, const Welcome& welcome);

/// After a request or a job failed with `error`: when that was the
/// connection going (and its resume, if any, giving up), the message for it
/// (kExitConnection); nullopt when the failure was the runtime's answer.
std::optional<std::string> connection_lost_message(const Client& client, const Error& error);

}  // namespace arcp::cli
