// The physical limit we compare against: bare Beast WebSocket streaming.
#pragma once

#include <cstddef>

namespace arcp::cli {

/// Streams `frames` text frames of `frame_bytes` from a bare Beast server to a
/// bare Beast client over loopback; returns frames per second.
double bare_websocket_frames_per_sec(std::size_t frames, std::size_t frame_bytes);

}  // namespace arcp::cli
