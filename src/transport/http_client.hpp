// Internal: the HTTP(S) client behind `net.fetch`. One request per
// connection; redirects are returned, not followed (see FetchResponse).
//
// Errors: INVALID_REQUEST for a bad URL, scheme, method, header or CA file;
// TIMEOUT when `request.timeout` passes; CANCELLED when `stop` is requested;
// INTERNAL_ERROR (retryable) for resolve/connect/TLS/protocol failures and for
// a body over `request.max_body_bytes`. Messages never carry the request's
// body or header values.
#pragma once

#include <arcp/error.hpp>
#include <arcp/http_fetch.hpp>
#include <boost/asio/awaitable.hpp>
#include <stop_token>

namespace arcp::transport {

/// Blocking: runs its own io_context on the calling thread.
Result<FetchResponse> http_fetch(const FetchRequest& request, std::stop_token stop = {});

/// Awaitable: runs on the awaiting coroutine's executor (through a strand of
/// it) and holds no thread while waiting. `stop` may be requested from any
/// thread.
boost::asio::awaitable<Result<FetchResponse>> async_http_fetch(FetchRequest request,
                                                               std::stop_token stop = {});

}  // namespace arcp::transport
