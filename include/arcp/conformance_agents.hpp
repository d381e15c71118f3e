// The conformance agent pack: small agents every ARCP runtime can host so
// clients, tests and benchmarks have known behaviour to drive.
#pragma once

#include <arcp/runtime.hpp>

namespace arcp {

/// Registers `echo`, `chatty`, `slow`, `slow_blocking`, `versioned@1.0.0|2.0.0`
/// (default 2.0.0), `failing` and `progress` on `runtime`. `chatty`, `slow`
/// and `progress` are coroutine agents (they hold no thread while they wait);
/// `slow_blocking` is `slow` as a blocking agent, so both models stay tested.
/// With them: the authority agents (`reader`, `budget`, `chunked`) and
/// `artifact_maker {bytes | text, media_type?, name?, retention_seconds?}`,
/// which stores an artifact, emits `artifact_ref` and returns the reference.
Result<void> register_conformance_agents(Runtime& runtime);

}  // namespace arcp
