// arteld: the Artel ledger node daemon: a single node with its embedded
// ordering log, or one node of a cluster ordered by etcd (--etcd).
#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/resource.h>

#include <unistd.h>

#include "etcd_log.h"
#include "explorer/explorer.h"
#include "genesis.h"

#include "http_server.h"
#include "node.h"

int main(int argc, char** argv) {
  using namespace artel::node;
  CLI::App app{"arteld - Artel ledger node"};
  app.set_version_flag("--version", std::string("arteld ") + ARTEL_VERSION);
  std::string data, listen = "127.0.0.1:7070", genesis_file;
  NodeOptions opts;
  HttpOptions http;
  app.add_option("--data", data, "data directory (RocksDB); created when missing");
  app.add_option("--listen", listen, "HOST:PORT to serve the HTTP API on (port 0: any free port)");
  app.add_option("--genesis", genesis_file,
                 "the genesis document (default: DATA/genesis.json); required to create a new ledger, "
                 "checked on resume");
  app.add_option("--max-block", opts.max_block, "most transactions per block");
  app.add_option("--verify-threads", opts.verify_threads, "threads verifying signatures");
  app.add_option("--max-body", http.max_body, "largest request body in bytes (more: 413)")->capture_default_str();
  app.add_option("--max-head", http.max_head, "largest request head in bytes (more: 431)")->capture_default_str();
  app.add_option("--max-connections", http.max_connections,
                 "HTTP connections open at once (more: 503); lowered to fit the open-file limit")
      ->capture_default_str();
  app.add_option("--max-per-address", http.max_per_address,
                 "HTTP connections open at once from one client address (more: 429)")
      ->capture_default_str();
  double head_timeout = 10, idle_timeout = 30, shutdown_grace = 10;
  app.add_option("--head-timeout", head_timeout,
                 "seconds from a connection's accept, or a request's first byte, to its whole head; also the "
                 "grace before --min-rate applies to a body or a reply")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  app.add_option("--idle-timeout", idle_timeout, "seconds a kept-alive connection may wait for its next request")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  app.add_option("--min-rate", http.min_rate,
                 "bytes per second a request body must arrive at, and a reply be read at, after the grace")
      ->capture_default_str();
  app.add_option("--shutdown-grace", shutdown_grace,
                 "seconds requests in flight get to finish on SIGTERM before their connections are closed")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--http-threads", http.io_threads, "threads running HTTP connections")->capture_default_str();
  app.add_option("--handler-threads", http.handler_threads, "threads running request handlers")
      ->capture_default_str();
  app.add_flag("--public-reads", http.public_reads,
               "anyone may read every account, statement, notice and block (demos and tests); without it a "
               "member's records need a read signed by the member, its cooperative or the operator council");
  std::string ui_listen;
  app.add_option("--ui", ui_listen,
                 "HOST:PORT to serve the members' explorer on (web pages and the same API, without /metrics; "
                 "docs/explorer.md)");
  std::string ui_tweetnacl;
  app.add_option("--ui-tweetnacl", ui_tweetnacl,
                 "the browser build of tweetnacl the pages sign reads with (default: Debian node-tweetnacl's)");
  std::string etcd_urls, etcd_prefix, node_name;
  app.add_option("--etcd", etcd_urls,
                 "join a cluster ordered by etcd: its client URLs, http://HOST:PORT[,...] (default: a single node)");
  app.add_option("--node-name", node_name, "this node's name in the cluster (default: HOSTNAME:PORT of --listen)");
  app.add_option("--etcd-prefix", etcd_prefix, "etcd key prefix of the ledger (default: artel/LEDGER-ID)");
  app.add_option("--max-pending", opts.max_pending,
                 "transactions awaiting a block at most; a batch that does not fit gets 503 and Retry-After")
      ->capture_default_str();

  auto* init = app.add_subcommand("init", "write the genesis document of a new ledger and print its id");
  std::string platform = "Artel platform", clock_hex, created, out;
  std::vector<std::string> council_hex;
  init->add_option("--data", data, "the data directory; the document is written to DATA/genesis.json");
  init->add_option("--out", out, "write the document here instead");
  init->add_option("--platform", platform, "the platform's name")->capture_default_str();
  init->add_option("--council", council_hex, "an operator council key (hex); repeatable")->required();
  unsigned threshold = 1;
  init->add_option("--threshold", threshold, "council keys that must sign a council act together")
      ->capture_default_str();
  init->add_option("--clock", clock_hex, "the clock key (hex): advances the ledger's clock, nothing else")
      ->required();
  init->add_option("--created", created, "the creation date YYYY-MM-DD (default: today, UTC)");
  CLI11_PARSE(app, argc, argv);

  if (init->parsed()) {
    crypto_init();
    std::vector<PublicKey> council;
    for (const auto& h : council_hex) {
      auto pk = public_key_from_hex(h);
      if (!pk) {
        std::fprintf(stderr, "arteld init: --council %s is not 64 hex digits\n", h.c_str());
        return 2;
      }
      council.push_back(*pk);
    }
    auto clock = public_key_from_hex(clock_hex);
    if (!clock) {
      std::fprintf(stderr, "arteld init: --clock must be 64 hex digits\n");
      return 2;
    }
    if (created.empty()) {
      const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
      const std::chrono::year_month_day ymd{days};
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
      created = buf;
    }
    const std::string doc = Genesis::make(platform, council, *clock, created, threshold).document();
    std::string why;
    if (!Genesis::parse(doc, why)) {
      std::fprintf(stderr, "arteld init: %s\n", why.c_str());
      return 2;
    }
    if (out.empty()) {
      if (data.empty()) {
        std::fprintf(stderr, "arteld init: give --data DIR or --out FILE\n");
        return 2;
      }
      std::filesystem::create_directories(data);
      out = data + "/genesis.json";
    }
    if (std::filesystem::exists(out)) {
      std::fprintf(stderr, "arteld init: %s exists; a ledger's genesis is never rewritten\n", out.c_str());
      return 1;
    }
    std::ofstream f(out, std::ios::binary);
    f << doc;
    if (!f.flush()) {
      std::fprintf(stderr, "arteld init: cannot write %s\n", out.c_str());
      return 1;
    }
    std::printf("ledger id %s\ngenesis %s\n", to_hex(ledger_id(doc)).c_str(), out.c_str());
    return 0;
  }
  if (data.empty()) {
    std::fprintf(stderr, "arteld: --data is required\n");
    return 2;
  }
  if (genesis_file.empty() && std::filesystem::exists(data + "/genesis.json")) genesis_file = data + "/genesis.json";
  if (!genesis_file.empty()) {
    std::ifstream f(genesis_file, std::ios::binary);
    std::stringstream text;
    text << f.rdbuf();
    if (!f) {
      std::fprintf(stderr, "arteld: cannot read the genesis document %s\n", genesis_file.c_str());
      return 2;
    }
    opts.genesis = text.str();
  }
  auto host_port = [](const char* option, const std::string& text, HttpOptions& into) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "arteld: %s needs HOST:PORT, got %s\n", option, text.c_str());
      return false;
    }
    into.address = text.substr(0, colon);
    try {
      const unsigned long port = std::stoul(text.substr(colon + 1));
      if (port > 65535) throw std::out_of_range("port");
      into.port = static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
      std::fprintf(stderr, "arteld: bad port in %s %s\n", option, text.c_str());
      return false;
    }
    return true;
  };
  if (!host_port("--listen", listen, http)) return 2;
  HttpOptions ui_http;
  if (!ui_listen.empty() && !host_port("--ui", ui_listen, ui_http)) return 2;
  opts.data_dir = data;
  auto millis = [](double seconds) { return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000)); };
  http.head_timeout = millis(head_timeout);
  http.idle_timeout = millis(idle_timeout);
  http.shutdown_grace = millis(shutdown_grace);

  // Every connection is a file descriptor: take the open-file limit the
  // system allows this process (the server keeps its connections below it).
  if (rlimit rl{}; ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }

  // Signals are taken by one thread with sigwait, so none interrupts the node.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    crypto_init();
    std::unique_ptr<OrderingLog> log;
    if (!etcd_urls.empty()) {
      EtcdOptions e;
      std::stringstream list(etcd_urls);
      for (std::string url; std::getline(list, url, ',');)
        if (!url.empty()) e.endpoints.push_back(url);
      if (etcd_prefix.empty() && !opts.genesis) {
        std::fprintf(stderr, "arteld: --etcd needs the genesis document (or --etcd-prefix) to name the ledger's keys\n");
        return 2;
      }
      e.prefix = !etcd_prefix.empty() ? etcd_prefix : "artel/" + to_hex(ledger_id(*opts.genesis));
      if (opts.genesis) e.ledger_id = to_hex(ledger_id(*opts.genesis));
      if (node_name.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        node_name = std::string(host) + ":" + std::to_string(http.port);
      }
      e.node_name = node_name;
      e.capacity = std::max<std::size_t>(opts.max_pending, 1);
      log = std::make_unique<EtcdLog>(std::move(e));
    }
    Node node(opts, std::move(log));
    HttpServer server(node, http);
    // The explorer: its own listener, with the API's limits and privacy.
    std::unique_ptr<HttpServer> ui;
    if (!ui_listen.empty()) {
      HttpOptions u = http;
      u.address = ui_http.address;
      u.port = ui_http.port;
      u.site = explorer::make_site(explorer::Options{ui_tweetnacl});
      ui = std::make_unique<HttpServer>(node, u);
    }
    auto s = node.ledger().summary();
    if (server.options().max_connections < http.max_connections)
      std::fprintf(stderr, "arteld: --max-connections lowered to %zu to fit the open-file limit\n",
                   server.options().max_connections);
    std::printf("arteld listening on %s:%u ledger %s height %llu digest %s\n", http.address.c_str(),
                server.port(), hex(node.ledger().id()).c_str(), static_cast<unsigned long long>(s.height),
                hex(s.digest).c_str());
    if (ui) std::printf("arteld explorer on http://%s:%u/\n", ui_http.address.c_str(), ui->port());
    std::fflush(stdout);
    std::thread waiter([&] {
      for (;;) {
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig != SIGPIPE) break;
      }
      if (ui) ui->stop();
      server.stop();
    });
    server.run();
    if (ui) ui->run();
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
