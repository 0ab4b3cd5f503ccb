#include "http_client.h"

// clang-format off
#include <utility>  // must precede Asio with g++ 12 in C++20
// clang-format on
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <stdexcept>

namespace artel::node {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host, port;
  net::io_context io;
  std::optional<tcp::socket> socket;
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout{0};

  void connect() {
    tcp::resolver resolver(io);
    beast::error_code ec;
    auto results = resolver.resolve(host, port, ec);
    if (ec) throw std::runtime_error("cannot resolve node " + host + ":" + port + ": " + ec.message());
    socket.emplace(io);
    net::connect(*socket, results, ec);
    if (ec) {
      socket.reset();
      throw std::runtime_error("cannot connect to node " + host + ":" + port + ": " + ec.message());
    }
    buffer.clear();
  }
};

HttpClient::HttpClient(std::string_view url) : impl_(std::make_unique<Impl>()) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) throw std::invalid_argument("node URL must start with http://: " + std::string(url));
  url.remove_prefix(scheme.size());
  while (url.ends_with("/")) url.remove_suffix(1);
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == url.size())
    throw std::invalid_argument("node URL needs a port: http://HOST:PORT");
  impl_->host = std::string(url.substr(0, colon));
  impl_->port = std::string(url.substr(colon + 1));
}

HttpClient::~HttpClient() = default;

void HttpClient::set_timeout(std::chrono::milliseconds timeout) { impl_->timeout = timeout; }

HttpResponse HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                 std::string_view content_type, std::string_view authorization) {
  auto& im = *impl_;
  for (int attempt = 0;; ++attempt) {
    bool fresh = !im.socket;
    if (fresh) im.connect();
    http::request<http::string_body> req{http::string_to_verb(beast::string_view(method.data(), method.size())),
                                         std::string(target), 11};
    req.set(http::field::host, im.host);
    req.set(http::field::user_agent, "artel");
    if (!authorization.empty())
      req.set(http::field::authorization, beast::string_view(authorization.data(), authorization.size()));
    if (!body.empty() || method == "POST") {
      req.set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
      req.body() = std::string(body);
    }
    req.keep_alive(true);
    req.prepare_payload();
    beast::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t(1) << 30);
    beast::error_code rec;
    if (im.timeout.count() > 0) {
      // The same exchange, asynchronous, for as long as the bound allows.
      bool done = false;
      http::async_write(*im.socket, req, [&](beast::error_code e, std::size_t) {
        ec = e;
        http::async_read(*im.socket, im.buffer, parser, [&](beast::error_code e2, std::size_t) {
          rec = e2;
          done = true;
        });
      });
      im.io.restart();
      im.io.run_for(im.timeout);
      if (!done) {
        beast::error_code ignored;
        im.socket->close(ignored);
        im.io.restart();
        im.io.run();  // the cancelled handlers
        im.socket.reset();
        throw std::runtime_error("request " + std::string(method) + " " + std::string(target) + " to " + im.host +
                                 ":" + im.port + " got no answer within " + std::to_string(im.timeout.count()) +
                                 " ms");
      }
    } else {
      http::write(*im.socket, req, ec);
      // A server may answer (413) before reading the whole body and close: still read its response.
      http::read(*im.socket, im.buffer, parser, rec);
    }
    if (!rec) {
      auto res = parser.release();
      if (!res.keep_alive()) im.socket.reset();
      return HttpResponse{res.result_int(), std::move(res.body())};
    }
    im.socket.reset();
    // A kept-alive connection the server closed meanwhile: retry once on a new one.
    if (!fresh && attempt == 0 && (ec || (rec == http::error::end_of_stream && !parser.got_some()))) continue;
    throw std::runtime_error("request " + std::string(method) + " " + std::string(target) + " to node " + im.host +
                             ":" + im.port + " failed: " + (ec ? ec.message() : rec.message()));
  }
}

}  // namespace artel::node
