// The `x-vendor.arcp.artifact.*` payload decoders on arbitrary JSON: never
// crash, and whatever decodes re-encodes to a payload that decodes to the
// same thing (one text, one meaning).
#include <arcp/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/artifact_messages.hpp"
#include "fuzz_check.hpp"

namespace {
constexpr std::size_t kMaxData = 1U << 16U;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace arcp;
  auto parsed = parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed || !parsed->is_object()) return 0;
  const auto& obj = parsed->get_object();

  if (auto put = core::ArtifactPut::from_json(obj, kMaxData)) {
    FUZZ_CHECK(put->data.size() <= kMaxData);
    FUZZ_CHECK(!put->more || !put->upload_id.empty());
    auto again = core::ArtifactPut::from_json(put->to_json(), kMaxData);
    FUZZ_CHECK(again && again->data == put->data && again->media_type == put->media_type &&
               again->upload_id == put->upload_id && again->more == put->more &&
               again->offset == put->offset && again->sha256 == put->sha256);
  }
  if (auto fetch = core::ArtifactFetch::from_json(obj)) {
    FUZZ_CHECK(!fetch->artifact_id.empty());
    auto again = core::ArtifactFetch::from_json(fetch->to_json());
    FUZZ_CHECK(again && again->artifact_id == fetch->artifact_id &&
               again->offset == fetch->offset && again->max_bytes == fetch->max_bytes);
  }
  if (auto rel = core::ArtifactRelease::from_json(obj)) {
    auto again = core::ArtifactRelease::from_json(rel->to_json());
    FUZZ_CHECK(again && again->artifact_id == rel->artifact_id);
  }
  if (auto ref = ArtifactRef::from_json(obj)) {
    FUZZ_CHECK(artifact_id_from_ref(ref->artifact_id) == ref->artifact_id);
    auto again = ArtifactRef::from_json(ref->to_json());
    FUZZ_CHECK(again && again->artifact_id == ref->artifact_id && again->size == ref->size &&
               again->sha256 == ref->sha256);
  }
  if (auto d = core::ArtifactData::from_json(obj)) {
    FUZZ_CHECK(d->offset <= d->ref.size && d->data.size() <= d->ref.size - d->offset);
    auto again = core::ArtifactData::from_json(d->to_json());
    FUZZ_CHECK(again && again->data == d->data && again->offset == d->offset);
  }
  return 0;
}
