#include "client_flags.hpp"

#include <fmt/core.h>

#include <cstdlib>
#include <fstream>

#include "commands.hpp"

namespace arcp::cli {
namespace {

std::string trimmed(std::string s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && space(s[start])) ++start;
  return s.substr(start);
}

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

void add_client_flags(CLI::App* cmd, ClientFlags& flags, bool url_optional) {
  auto* url = cmd->add_option("--url", flags.url,
                              url_optional ? "Runtime URL (default: the one the job was "
                                             "submitted to)"
                                           : "Runtime URL: ws://host:port/arcp, wss://… or "
                                             "stdio:<command>");
  if (!url_optional) url->required();
  cmd->add_option("--token", flags.token,
                  "Bearer token (visible to other users in `ps`: prefer --token-file or "
                  "ARCP_TOKEN)");
  cmd->add_option("--token-file", flags.token_file,
                  "Read the bearer token from the first line of FILE (else $ARCP_TOKEN)");
  add_tls_client_flags(cmd, flags.tls);
  cmd->footer(kExitCodesFooter);
}

Result<std::string> resolve_token(const ClientFlags& flags) {
  if (!flags.token.empty()) return flags.token;
  if (!flags.token_file.empty()) {
    std::ifstream in(flags.token_file);
    if (!in)
      return Error(ErrorCode::kInvalidRequest,
                   "--token-file " + flags.token_file + ": cannot read the file");
    std::string line;
    std::getline(in, line);
    line = trimmed(line);
    if (line.empty())
      return Error(ErrorCode::kInvalidRequest,
                   "--token-file " + flags.token_file + ": the first line is empty");
    return line;
  }
  if (const char* env = std::getenv("ARCP_TOKEN"); env && *env) return trimmed(env);
  return std::string();
}

std::optional<ClientOptions> client_options(const std::string& command, const ClientFlags& flags) {
  auto token = resolve_token(flags);
  if (!token) {
    fmt::print(stderr, "arcp {}: {}\n", command, token.error().message);
    return std::nullopt;
  }
  ClientOptions co;
  co.token = std::move(token.value());
  apply_tls_client_flags(flags.tls, co.websocket);
  return co;
}

std::shared_ptr<Client> open_session(const std::string& command, const std::string& url,
                                     ClientOptions options, int& exit_code) {
  auto client = Client::connect(url, std::move(options));
  if (client) return std::move(client.value());
  const Error& e = client.error();
  fmt::print(stderr, "arcp {}: cannot open a session with {}: {}\n", command, url, e.describe());
  exit_code = kExitConnection;
  if (e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied) {
    exit_code = kExitAuth;
    if (contains(e.message, "client certificate"))
      fmt::print(stderr,
                 "  the runtime wants a client certificate: pass --client-cert FILE "
                 "--client-key FILE\n");
    else
      fmt::print(stderr,
                 "  the runtime refused the credentials: check --token, --token-file or "
                 "ARCP_TOKEN\n");
  } else if (e.code == ErrorCode::kInvalidRequest) {
    exit_code = kExitUsage;  // a malformed URL, a CA or certificate file that does not load
  } else if (contains(e.message, "certificate verify failed")) {
    fmt::print(stderr,
               "  the runtime's certificate is not trusted: pass --ca-file FILE (the PEM of "
               "the CA that signed it) or set SSL_CERT_FILE\n");
  }
  return nullptr;
}

void print_available_agents(const std::string& command, const Welcome& welcome) {
  if (welcome.agents.empty()) {
    fmt::print(stderr, "arcp {}: the runtime advertises no agents\n", command);
    return;
  }
  fmt::print(stderr, "arcp {}: available agents:\n", command);
  for (const auto& agent : welcome.agents) {
    std::string versions;
    for (const auto& v : agent.versions) {
      versions += versions.empty() ? " (" : ", ";
      versions += v;
      if (v == agent.default_version && agent.versions.size() > 1) versions += " default";
    }
    if (!versions.empty()) versions += ")";
    fmt::print(stderr, "  {}{}\n", agent.name, versions);
  }
}

std::optional<std::string> connection_lost_message(const Client& client, const Error& error) {
  if (client.connected()) return std::nullopt;
  // The client's resume says how hard it tried when it gives up.
  const auto& d = error.details;
  if (auto it = d.find("resume_attempts"); it != d.end() && it->value().is_int64()) {
    const auto attempts = it->value().get_int64();
    const auto sec = d.find("resume_seconds");
    const double seconds =
        sec != d.end() && sec->value().is_number() ? sec->value().to_number<double>() : 0.0;
    return fmt::format("connection lost; resume failed after {} attempt{} over {:.1f} s", attempts,
                       attempts == 1 ? "" : "s", seconds);
  }
  // An error the runtime sent on a connection that has closed since is the job's own.
  if (error.code == ErrorCode::kInternalError &&
      (contains(error.message, "connection") || contains(error.message, "not connected")))
    return std::string("connection lost (not resumable)");
  return std::nullopt;
}

}  // namespace arcp::cli
