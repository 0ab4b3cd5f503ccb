// The node's HTTP API (JSON over HTTP/1.1): see docs/operator.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "node.h"

namespace artel::node {

struct HttpOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                   // 0: any free port (see HttpServer::port)
  std::size_t max_body = 16u << 20;         // larger bodies get 413
  std::size_t max_connections = 512;
};

// Answers one request; exposed for tests that skip the socket.
struct HttpReply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string error_code;  // the JSON error's code when status >= 400
};
// A POST /v1/transactions with content type application/octet-stream carries
// a binary batch: (u32 little-endian length, signed transaction bytes)*.
HttpReply handle_request(Node& node, std::string_view method, std::string_view target,
                         std::string_view body, std::string_view content_type = "application/json");

class HttpServer {
 public:
  // Binds and listens at once (throws std::runtime_error naming the address).
  HttpServer(Node& node, HttpOptions options);
  ~HttpServer();
  std::uint16_t port() const { return port_; }
  // Accepts connections until stop(); one thread per connection.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace artel::node
