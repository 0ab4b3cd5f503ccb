// A small blocking HTTP/1.1 client for the node API (keep-alive, one
// connection). Used by the `artel` client commands, tests and benchmarks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace artel::node {

struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

class HttpClient {
 public:
  // `url` is http://HOST:PORT (a trailing slash is ignored). Throws
  // std::invalid_argument for another form.
  explicit HttpClient(std::string_view url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Throws std::runtime_error naming the node when it cannot be reached.
  // `authorization`, when given, is sent as the Authorization header (a
  // signed read, read_auth.h).
  HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                       std::string_view content_type = "application/json", std::string_view authorization = {});
  // Bounds each request (writing it and reading the answer); 0, the
  // default, waits as long as the server takes. A request over the bound
  // throws, and the connection is closed.
  void set_timeout(std::chrono::milliseconds timeout);
  HttpResponse get(std::string_view target, std::string_view authorization = {}) {
    return request("GET", target, {}, "application/json", authorization);
  }
  HttpResponse post(std::string_view target, std::string_view body) { return request("POST", target, body); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace artel::node
