// The conformance agent pack: small agents every ARCP runtime can host so
// clients, tests and benchmarks have known behaviour to drive.
#pragma once

#include <arcp/runtime.hpp>

namespace arcp {

/// Registers `echo`, `chatty`, `slow`, `slow_blocking`, `versioned@1.0.0|2.0.0`
/// (default 2.0.0), `failing` and `progress` on `runtime`. `chatty`, `slow`
/// and `progress` are coroutine agents (they hold no thread while they wait);
/// `slow_blocking` is `slow` as a blocking agent, so both models stay tested.
Result<void> register_conformance_agents(Runtime& runtime);

}  // namespace arcp
