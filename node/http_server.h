// The node's HTTP API (JSON over HTTP/1.1): see docs/operator.md.
//
// The server is asynchronous (Boost.Asio and Beast): connections live on a
// small pool of I/O threads, each on its own strand; request handlers run on
// a separate pool, and a submission waits for its block without holding any
// thread. Every phase of a connection has a deadline and every resource a
// bound, so clients that connect and send nothing, or send a byte a second,
// cannot take the API away from others.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "node.h"

namespace artel::node {

struct HttpReply;
struct ApiRequest;
// Pages served beside the API on a listener (the explorer): asked for every
// GET outside /v1/; a reply, or nullopt for the API's 404. Runs on the
// handler threads.
using Site = std::function<std::optional<HttpReply>(Node& node, const ApiRequest& request, std::string_view path,
                                                    std::string_view query)>;

struct HttpOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                  // 0: any free port (see HttpServer::port)
  std::size_t max_body = 16u << 20;        // larger bodies get 413
  std::size_t max_head = 16u << 10;        // a larger request head gets 431
  std::size_t max_connections = 10'000;    // open at once; more get 503 (clamped to the open-file limit)
  std::size_t max_per_address = 256;       // open at once from one client address; more get 429
  // From a connection's accept, or a request's first byte, until its head is
  // read; also the grace a body and a reply get before the rate floor.
  std::chrono::milliseconds head_timeout{10'000};
  // Keep-alive: from a reply until the next request's first byte.
  std::chrono::milliseconds idle_timeout{30'000};
  // A body must arrive, and a reply be taken, at least this fast (bytes per
  // second) once the grace has passed: a body sent a byte a second is cut.
  std::size_t min_rate = 16u << 10;
  // SIGTERM (stop()): connections waiting for a request close at once, the
  // others finish their request within this bound and are closed.
  std::chrono::milliseconds shutdown_grace{10'000};
  unsigned io_threads = 2;       // threads running connections
  unsigned handler_threads = 4;  // threads running request handlers (ledger reads, decoding)
  // A member's accounts, statements and notices, and the blocks, are read
  // only with a signed read request (read_auth.h) unless this is set: for
  // demos and tests that say so.
  bool public_reads = false;
  // When set, this listener also serves these pages (and not /metrics).
  Site site;
};

// A request target's pieces, as every handler reads them: a decimal number
// (nullopt unless the whole text is one), and the value of `name` in a query
// string ("" when absent).
std::optional<std::uint64_t> parse_u64(std::string_view s);
std::string query_param(std::string_view query, std::string_view name);

// One request as the handler sees it.
struct ApiRequest {
  std::string_view method, target, body;
  std::string_view content_type = "application/json";
  std::string_view authorization;  // the Authorization header: a signed read
  bool public_reads = false;       // HttpOptions::public_reads
  const Site* site = nullptr;      // HttpOptions::site, when set
};

// Answers one request; exposed for tests that skip the socket.
struct HttpReply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // The JSON error's code when the server refused the request itself (a
  // refusal the ledger made is counted as a rejected transaction instead).
  std::string error_code;
  unsigned retry_after = 0;  // seconds, sent as Retry-After when not 0
};
// A POST /v1/transactions with content type application/octet-stream carries
// a binary batch: (u32 little-endian length, signed transaction bytes)*.
//
// The asynchronous form: `done` is called exactly once with the reply, either
// before this returns or, for a submission, once its block is committed, in a
// job handed to `defer` (which runs it elsewhere, or drops it when the server
// is gone). Nothing in `method`, `target`, `body` is used after it returns.
using ReplyHandler = std::function<void(HttpReply)>;
using Defer = std::function<void(std::function<void()>)>;
void handle_request_async(Node& node, const ApiRequest& request, const Defer& defer, ReplyHandler done);
// The same, waiting for the reply.
HttpReply handle_request(Node& node, const ApiRequest& request);
inline HttpReply handle_request(Node& node, std::string_view method, std::string_view target, std::string_view body,
                                std::string_view content_type = "application/json") {
  return handle_request(node, ApiRequest{method, target, body, content_type, {}, false, nullptr});
}

class HttpServer {
 public:
  // Binds, listens and starts serving at once (throws std::runtime_error
  // naming the address).
  HttpServer(Node& node, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  std::uint16_t port() const { return port_; }
  // The limits in force (max_connections may have been lowered to fit the
  // process's open-file limit).
  const HttpOptions& options() const;
  // Waits until stop() has finished.
  void run();
  // Graceful shutdown: stops accepting, closes idle connections, lets
  // requests in flight finish within the grace, then closes the rest.
  void stop();

  struct Core;  // shared with the connections, which may outlive the server object

 private:
  std::shared_ptr<Core> core_;
  std::uint16_t port_ = 0;
};

}  // namespace artel::node
