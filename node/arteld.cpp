// arteld: the Artel ledger node daemon (single node, embedded ordering log).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <thread>

#include "http_server.h"
#include "node.h"

int main(int argc, char** argv) {
  using namespace artel::node;
  CLI::App app{"arteld - Artel ledger node"};
  std::string data, listen = "127.0.0.1:7070", operator_hex;
  NodeOptions opts;
  HttpOptions http;
  app.add_option("--data", data, "data directory (RocksDB); created when missing")->required();
  app.add_option("--listen", listen, "HOST:PORT to serve the HTTP API on (port 0: any free port)");
  app.add_option("--operator", operator_hex,
                 "operator public key (hex); required to create a new ledger, checked on resume");
  app.add_option("--max-block", opts.max_block, "most transactions per block");
  app.add_option("--verify-threads", opts.verify_threads, "threads verifying signatures");
  app.add_option("--max-body", http.max_body, "largest request body in bytes");
  CLI11_PARSE(app, argc, argv);

  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "arteld: --listen needs HOST:PORT, got %s\n", listen.c_str());
    return 2;
  }
  http.address = listen.substr(0, colon);
  try {
    http.port = static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    std::fprintf(stderr, "arteld: bad port in --listen %s\n", listen.c_str());
    return 2;
  }
  if (!operator_hex.empty()) {
    opts.operator_key = public_key_from_hex(operator_hex);
    if (!opts.operator_key) {
      std::fprintf(stderr, "arteld: --operator must be 64 hex digits (an Ed25519 public key)\n");
      return 2;
    }
  }
  opts.data_dir = data;

  // Signals are taken by one thread with sigwait, so none interrupts the node.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    crypto_init();
    Node node(opts);
    HttpServer server(node, http);
    auto s = node.ledger().summary();
    std::printf("arteld listening on %s:%u height %llu digest %s\n", http.address.c_str(), server.port(),
                static_cast<unsigned long long>(s.height), hex(s.digest).c_str());
    std::fflush(stdout);
    std::thread waiter([&] {
      for (;;) {
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig != SIGPIPE) break;
      }
      server.stop();
    });
    server.run();
    waiter.join();
    node.stop();
    std::printf("arteld stopped at height %llu\n",
                static_cast<unsigned long long>(node.ledger().summary().height));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "arteld: %s\n", e.what());
    return 1;
  }
  return 0;
}
