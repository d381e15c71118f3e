// `arcp artifact get|put|release`: the `artifacts` extension (rfc-0001 §16)
// from the command line. Artifacts belong to the principal, not to a
// session, so each command opens its own session.
#include <fmt/core.h>

#include <arcp/client.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "client_flags.hpp"
#include "commands.hpp"
#include "json_text.hpp"

namespace arcp::cli {
namespace {

struct ArtifactArgs {
  ClientFlags conn;
  std::string ref;
  std::string file;
  std::string output;
  std::string media_type = "application/octet-stream";
  std::string name;
  std::int64_t retention_seconds = 0;
};

/// The session, or nullptr with the message printed and `code` set.
std::shared_ptr<Client> open_artifact_session(const ArtifactArgs& a, std::string_view what,
                                              int& code) {
  std::string command = "artifact " + std::string(what);
  auto options = client_options(command, a.conn);
  if (!options) {
    code = kExitUsage;
    return nullptr;
  }
  auto client = open_session(command, a.conn.url, std::move(*options), code);
  if (client && !client->features().has(feature::kArtifacts)) {
    fmt::print(stderr, "arcp {}: the runtime does not offer the artifacts extension\n", command);
    code = kExitJobError;
    return nullptr;
  }
  return client;
}

int fail(std::string_view what, const Error& e) {
  fmt::print(stderr, "arcp artifact {}: {}\n", what, e.describe());
  // A request the runtime refuses as invalid (over a cap, a bad reference) is the caller's to fix.
  return e.code == ErrorCode::kInvalidRequest ? kExitUsage : kExitJobError;
}

int get(const ArtifactArgs& a) {
  int code = kExitSuccess;
  auto client = open_artifact_session(a, "get", code);
  if (!client) return code;
  std::FILE* out = stdout;
  std::string tmp;
  if (!a.output.empty()) {
    // Written beside the target and renamed once the sha256 checked out:
    // a failed download never leaves a file that looks complete.
    tmp = a.output + ".part";
    out = std::fopen(tmp.c_str(), "wb");
    if (!out) {
      fmt::print(stderr, "arcp artifact get: cannot write {}\n", tmp);
      return kExitUsage;
    }
  }
  auto ref = client->fetch_artifact_to(a.ref, [out](std::string_view chunk) -> Result<void> {
    if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size())
      return Error(ErrorCode::kInternalError, "cannot write the output");
    return {};
  });
  bool flushed = std::fflush(out) == 0;
  if (out != stdout) flushed = std::fclose(out) == 0 && flushed;
  (void)client->close();
  if (!ref || !flushed) {
    if (!tmp.empty()) std::remove(tmp.c_str());
    return fail("get",
                ref ? Error(ErrorCode::kInternalError, "cannot write the output") : ref.error());
  }
  if (!tmp.empty()) {
    if (std::rename(tmp.c_str(), a.output.c_str()) != 0) {
      std::remove(tmp.c_str());
      fmt::print(stderr, "arcp artifact get: cannot create {}\n", a.output);
      return kExitJobError;
    }
    fmt::print(stderr, "{} bytes ({}) sha256 {} → {}\n", ref->size, ref->media_type, ref->sha256,
               a.output);
  }
  return kExitSuccess;
}

int put(const ArtifactArgs& a) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "arcp artifact put: cannot read {}\n", a.file);
    return kExitUsage;
  }
  std::string bytes{std::istreambuf_iterator<char>(in), {}};
  int code = kExitSuccess;
  auto client = open_artifact_session(a, "put", code);
  if (!client) return code;
  PutArtifactOptions o;
  o.name = a.name;
  if (a.retention_seconds > 0) o.retention_seconds = a.retention_seconds;
  auto ref = client->put_artifact(bytes, a.media_type, o);
  (void)client->close();
  if (!ref) return fail("put", ref.error());
  fmt::print("{}\n", json_text(ref->to_json()));
  return kExitSuccess;
}

int release(const ArtifactArgs& a) {
  int code = kExitSuccess;
  auto client = open_artifact_session(a, "release", code);
  if (!client) return code;
  auto r = client->release_artifact(a.ref);
  (void)client->close();
  if (!r) return fail("release", r.error());
  return kExitSuccess;
}

void connection_options(CLI::App* cmd, ArtifactArgs& a) {
  add_client_flags(cmd, a.conn);
}

}  // namespace

void add_artifact_command(CLI::App& app, std::function<int()>& run) {
  auto a = std::make_shared<ArtifactArgs>();
  auto* cmd = app.add_subcommand("artifact", "Store, fetch and release artifacts (extension)");
  cmd->require_subcommand(1);

  auto* g = cmd->add_subcommand("get", "Fetch an artifact (to stdout, or --output FILE)");
  connection_options(g, *a);
  g->add_option("ref", a->ref, "art_… id or arcp://artifact/… URI")->required();
  g->add_option("--output,-o", a->output, "Write to FILE (only once the sha256 checks out)");
  g->callback([a, &run] { run = [a] { return get(*a); }; });

  auto* p = cmd->add_subcommand("put", "Store FILE as an artifact; prints its reference");
  connection_options(p, *a);
  p->add_option("file", a->file, "File to upload")->required();
  p->add_option("--media-type", a->media_type, "Media type")->capture_default_str();
  p->add_option("--name", a->name, "A label kept with the artifact");
  p->add_option("--retention", a->retention_seconds, "Seconds to keep it (default: the runtime's)")
      ->check(CLI::PositiveNumber);
  p->callback([a, &run] { run = [a] { return put(*a); }; });

  auto* r = cmd->add_subcommand("release", "Release an artifact (the runtime deletes it)");
  connection_options(r, *a);
  r->add_option("ref", a->ref, "art_… id or arcp://artifact/… URI")->required();
  r->callback([a, &run] { run = [a] { return release(*a); }; });
}

}  // namespace arcp::cli
