// decode_envelope on arbitrary bytes; whatever decodes must re-encode and decode
// to the same envelope, and encoding must be a fixed point. Identifiers stay
// within kMaxIdentifierBytes, and errors never echo an oversize input.
#include <arcp/envelope.hpp>
#include <arcp/ids.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto env = arcp::decode_envelope(text);
  if (!env.ok()) {
    const arcp::Error& e = env.error();
    FUZZ_CHECK(e.code == arcp::ErrorCode::kInvalidRequest);
    FUZZ_CHECK(!e.message.empty());
    if (auto it = e.details.find("request_id"); it != e.details.end())
      FUZZ_CHECK(it->value().is_string() && !it->value().get_string().empty() &&
                 it->value().get_string().size() <= arcp::kMaxIdentifierBytes);
    FUZZ_CHECK(e.message.size() <= 512);  // names the problem, never quotes the input
    return 0;
  }
  FUZZ_CHECK(!env->id.empty());
  for (const std::string* field : {&env->id, &env->type, &env->session_id, &env->job_id})
    FUZZ_CHECK(field->size() <= arcp::kMaxIdentifierBytes);
  FUZZ_CHECK(!env->type.empty());
  FUZZ_CHECK(env->arcp == "1.1" || env->arcp == "1.0" || env->arcp == "1");
  FUZZ_CHECK(!env->event_seq || *env->event_seq >= 0);
  FUZZ_CHECK(env->trace_id.empty() || arcp::normalize_trace_id(env->trace_id) == env->trace_id);

  std::string wire = arcp::encode_envelope(*env);
  auto again = arcp::decode_envelope(wire);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->arcp == env->arcp);
  FUZZ_CHECK(again->id == env->id);
  FUZZ_CHECK(again->type == env->type);
  FUZZ_CHECK(again->session_id == env->session_id);
  FUZZ_CHECK(again->job_id == env->job_id);
  FUZZ_CHECK(again->trace_id == env->trace_id);
  FUZZ_CHECK(again->event_seq == env->event_seq);
  FUZZ_CHECK(again->payload == env->payload);
  FUZZ_CHECK(arcp::encode_envelope(*again) == wire);
  return 0;
}
