#include <algorithm>
#include <arcp/session_messages.hpp>
#include <arcp/time.hpp>
#include <array>

#include "core/payload_fields.hpp"

namespace arcp {
namespace {
using core::invalid;
using core::str_or;
}  // namespace

bool is_core_message_type(std::string_view type) {
  static constexpr std::array<std::string_view, 22> kTypes{
      msg::kHello,      msg::kWelcome,    msg::kResume,   msg::kSessionError, msg::kPing,
      msg::kPong,       msg::kAck,        msg::kListJobs, msg::kJobs,         msg::kClose,
      msg::kClosed,     msg::kBye,        msg::kSubmit,   msg::kAccepted,     msg::kEvent,
      msg::kResult,     msg::kJobError,   msg::kCancel,   msg::kCancelled,    msg::kSubscribe,
      msg::kSubscribed, msg::kUnsubscribe};
  for (auto t : kTypes)
    if (t == type) return true;
  return false;
}

json::object ResumeRequest::to_json() const {
  return {{"session_id", session_id},
          {"resume_token", resume_token},
          {"last_event_seq", last_event_seq}};
}

Result<ResumeRequest> ResumeRequest::from_json(const json::object& obj) {
  ResumeRequest r;
  r.session_id = str_or(obj, "session_id");
  r.resume_token = str_or(obj, "resume_token");
  auto seq = get_int(obj, "last_event_seq");
  if (r.session_id.empty() || r.resume_token.empty())
    return invalid("resume needs session_id and resume_token");
  if (auto ok = check_identifier("resume.session_id", r.session_id); !ok) return ok.error();
  if (auto ok = check_identifier("resume.resume_token", r.resume_token); !ok) return ok.error();
  if (obj.contains("last_event_seq") && (!seq || *seq < 0))
    return invalid("resume.last_event_seq must be a non-negative integer");
  r.last_event_seq = seq.value_or(0);
  return r;
}

json::object Hello::to_json() const {
  json::object p;
  p["client"] = json::object{{"name", client_name}, {"version", client_version}};
  json::object auth{{"scheme", auth_scheme}};
  if (!token.empty()) auth["token"] = token;
  p["auth"] = std::move(auth);
  json::object caps{{"encodings", json::array{"json"}}};
  if (features) caps["features"] = features->to_json();
  p["capabilities"] = std::move(caps);
  if (resume) p["resume"] = resume->to_json();
  return p;
}

Result<Hello> Hello::from_json(const json::object& payload) {
  Hello h;
  if (const auto* client = get_object(payload, "client")) {
    h.client_name = str_or(*client, "name");
    h.client_version = str_or(*client, "version");
  }
  if (payload.contains("auth") && !get_object(payload, "auth"))
    return invalid("hello.auth must be an object");
  if (const auto* auth = get_object(payload, "auth")) {
    if (auth->contains("token") && !get_string(*auth, "token"))
      return invalid("hello.auth.token must be a string");
    h.auth_scheme = str_or(*auth, "scheme");
    h.token = str_or(*auth, "token");
  }
  if (const auto* caps = get_object(payload, "capabilities")) {
    if (const auto* feats = get_array(*caps, "features"))
      h.features = FeatureSet::from_json(*feats);
  }
  if (payload.contains("resume")) {
    const auto* resume = get_object(payload, "resume");
    if (!resume) return invalid("hello.resume must be an object");
    auto r = ResumeRequest::from_json(*resume);
    if (!r) return r.error();
    h.resume = std::move(r.value());
  }
  return h;
}

json::object AgentInfo::to_json() const {
  json::array vs;
  for (const auto& v : versions) vs.emplace_back(v);
  json::object o{{"name", name}, {"versions", std::move(vs)}};
  if (!default_version.empty()) o["default"] = default_version;
  return o;
}

AgentInfo AgentInfo::from_json(const json::object& obj) {
  AgentInfo a;
  a.name = str_or(obj, "name");
  if (const auto* vs = get_array(obj, "versions"))
    for (const auto& v : *vs)
      if (v.is_string()) a.versions.emplace_back(v.get_string());
  a.default_version = str_or(obj, "default");
  return a;
}

json::object Welcome::to_json() const {
  json::object p;
  p["runtime"] = json::object{{"name", runtime_name}, {"version", runtime_version}};
  p["resume_token"] = resume_token;
  p["resume_window_sec"] = resume_window_sec;
  if (heartbeat_interval_sec) p["heartbeat_interval_sec"] = *heartbeat_interval_sec;
  json::array ag;
  for (const auto& a : agents) ag.emplace_back(a.to_json());
  json::object caps{{"encodings", json::array{"json"}},
                    {"features", features.to_json()},
                    {"agents", std::move(ag)}};
  if (artifacts) {
    caps["artifact_retention"] =
        json::object{{"default_seconds", artifacts->retention.default_seconds},
                     {"max_seconds", artifacts->retention.max_seconds}};
    caps["artifact_limits"] = json::object{{"max_bytes", artifacts->max_bytes},
                                           {"max_chunk_bytes", artifacts->max_chunk_bytes}};
  }
  p["capabilities"] = std::move(caps);
  return p;
}

Result<Welcome> Welcome::from_json(const json::object& payload) {
  Welcome w;
  if (const auto* rt = get_object(payload, "runtime")) {
    w.runtime_name = str_or(*rt, "name");
    w.runtime_version = str_or(*rt, "version");
  }
  w.resume_token = str_or(payload, "resume_token");
  w.resume_window_sec = get_int(payload, "resume_window_sec").value_or(0);
  w.heartbeat_interval_sec = get_int(payload, "heartbeat_interval_sec");
  if (const auto* caps = get_object(payload, "capabilities")) {
    if (const auto* feats = get_array(*caps, "features"))
      w.features = FeatureSet::from_json(*feats);
    if (const auto* ret = get_object(*caps, "artifact_retention")) {
      ArtifactCapabilities a;
      a.retention.default_seconds = get_int(*ret, "default_seconds").value_or(0);
      a.retention.max_seconds = get_int(*ret, "max_seconds").value_or(0);
      if (const auto* lim = get_object(*caps, "artifact_limits")) {
        a.max_bytes = static_cast<std::uint64_t>(
            std::max<std::int64_t>(0, get_int(*lim, "max_bytes").value_or(0)));
        a.max_chunk_bytes = static_cast<std::uint64_t>(
            std::max<std::int64_t>(0, get_int(*lim, "max_chunk_bytes").value_or(0)));
      }
      w.artifacts = a;
    }
    if (const auto* agents = get_array(*caps, "agents")) {
      for (const auto& a : *agents) {
        if (a.is_object())
          w.agents.push_back(AgentInfo::from_json(a.get_object()));
        else if (a.is_string())
          w.agents.push_back(AgentInfo{std::string(a.get_string()), {}, {}});
      }
    }
  }
  return w;
}

json::object Ping::to_json() const {
  return {{"nonce", nonce}, {"sent_at", sent_at}};
}

Result<Ping> Ping::from_json(const json::object& payload) {
  Ping p{str_or(payload, "nonce"), str_or(payload, "sent_at")};
  if (p.nonce.empty()) return invalid("session.ping needs a string nonce");
  if (auto ok = check_identifier("session.ping nonce", p.nonce); !ok) return ok.error();
  return p;
}

json::object Pong::to_json() const {
  return {{"ping_nonce", ping_nonce}, {"received_at", received_at}};
}

Result<Pong> Pong::from_json(const json::object& payload) {
  Pong p{str_or(payload, "ping_nonce"), str_or(payload, "received_at")};
  if (p.ping_nonce.empty()) return invalid("session.pong needs a string ping_nonce");
  if (auto ok = check_identifier("session.pong ping_nonce", p.ping_nonce); !ok) return ok.error();
  return p;
}

}  // namespace arcp

namespace arcp {

json::object Ack::to_json() const {
  return {{"last_processed_seq", last_processed_seq}};
}

Result<Ack> Ack::from_json(const json::object& payload) {
  auto seq = get_int(payload, "last_processed_seq");
  if (!seq || *seq < 0) return core::invalid("session.ack needs a non-negative last_processed_seq");
  return Ack{*seq};
}

json::object ListJobs::to_json() const {
  json::object f;
  if (!filter.status.empty()) {
    json::array st;
    for (const auto& s : filter.status) st.emplace_back(s);
    f["status"] = std::move(st);
  }
  if (!filter.agent.empty()) f["agent"] = filter.agent;
  if (!filter.created_after.empty()) f["created_after"] = filter.created_after;
  if (!filter.created_before.empty()) f["created_before"] = filter.created_before;
  json::object p{{"filter", std::move(f)}};
  if (limit) p["limit"] = *limit;
  p["cursor"] = cursor.empty() ? json::value(nullptr) : json::value(cursor);
  return p;
}

Result<ListJobs> ListJobs::from_json(const json::object& payload) {
  static constexpr std::array<std::string_view, 6> kStatuses{"pending", "running",   "success",
                                                             "error",   "cancelled", "timed_out"};
  ListJobs l;
  if (payload.contains("filter") && !payload.at("filter").is_null()) {
    const auto* f = get_object(payload, "filter");
    if (!f) return core::invalid("list_jobs.filter must be an object");
    if (f->contains("status")) {
      const auto* st = get_array(*f, "status");
      if (!st) return core::invalid("list_jobs.filter.status must be an array");
      for (const auto& v : *st) {
        if (!v.is_string() || std::find(kStatuses.begin(), kStatuses.end(),
                                        std::string_view(v.get_string())) == kStatuses.end())
          return core::invalid("list_jobs.filter.status holds an unknown status");
        l.filter.status.emplace_back(v.get_string());
      }
    }
    l.filter.agent = core::str_or(*f, "agent");
    if (auto ok = check_identifier("list_jobs.filter.agent", l.filter.agent); !ok)
      return ok.error();
    for (auto [key, out] : {std::pair{"created_after", &l.filter.created_after},
                            std::pair{"created_before", &l.filter.created_before}}) {
      if (!f->contains(key)) continue;
      const auto* t = get_string(*f, key);
      if (!t || !parse_rfc3339(*t))
        return core::invalid(std::string("list_jobs.filter.") + key + " must be RFC 3339");
      *out = std::string(*t);
    }
  }
  if (payload.contains("limit") && !payload.at("limit").is_null()) {
    auto limit = get_int(payload, "limit");
    if (!limit || *limit <= 0) return core::invalid("list_jobs.limit must be a positive integer");
    l.limit = limit;
  }
  if (payload.contains("cursor") && !payload.at("cursor").is_null()) {
    const auto* c = get_string(payload, "cursor");
    if (!c) return core::invalid("list_jobs.cursor must be a string or null");
    if (auto ok = check_identifier("list_jobs.cursor", *c); !ok) return ok.error();
    l.cursor = std::string(*c);
  }
  return l;
}

json::object Jobs::to_json() const {
  return {{"request_id", request_id},
          {"jobs", jobs},
          {"next_cursor", next_cursor.empty() ? json::value(nullptr) : json::value(next_cursor)}};
}

Result<Jobs> Jobs::from_json(const json::object& payload) {
  Jobs j;
  j.request_id = core::str_or(payload, "request_id");
  const auto* jobs = get_array(payload, "jobs");
  if (!jobs) return core::invalid("session.jobs needs a jobs array");
  j.jobs = *jobs;
  j.next_cursor = core::str_or(payload, "next_cursor");
  return j;
}

json::object Bye::to_json() const {
  json::object p;
  if (!reason.empty()) p["reason"] = reason;
  return p;
}

Result<Bye> Bye::from_json(const json::object& payload) {
  return Bye{core::str_or(payload, "reason")};
}

}  // namespace arcp
