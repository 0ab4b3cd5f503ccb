// artel_bench_node: how many signed transfers a node applies and durably
// commits per second, next to how many Ed25519 signatures this machine
// verifies per second in the same run.
//
// A real node (RocksDB in a temporary directory, synced block commits) serves
// its HTTP API on a loopback port; client threads post pre-signed transfers
// in batches and count those acknowledged as applied (= committed).
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/shipped.h"
#include "node/http_client.h"
#include "node/http_server.h"
#include "node/node.h"
#include "vm/abi.h"

using namespace artel::node;
namespace module = artel::module;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Verifications per second with `threads` threads over distinct signed messages.
double verify_rate(unsigned threads, double duration) {
  constexpr int n = 512;
  KeyPair k = KeyPair::generate();
  std::vector<Bytes> msgs(n);
  std::vector<Signature> sigs(n);
  for (int i = 0; i < n; ++i) {
    msgs[i] = Bytes(180, static_cast<std::uint8_t>(i));
    sigs[i] = sign(k.sk, msgs[i]);
  }
  std::atomic<std::uint64_t> total{0};
  auto start = Clock::now();
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t)
    ts.emplace_back([&] {
      std::uint64_t done = 0;
      while (seconds_since(start) < duration)
        for (int i = 0; i < 64; ++i, ++done)
          if (!verify(k.pk, msgs[done % n], sigs[done % n])) std::abort();
      total += done;
    });
  for (auto& t : ts) t.join();
  return static_cast<double>(total) / seconds_since(start);
}


struct Options {
  std::size_t transfers = 60'000, batch = 1'000, members_n = 256;
  unsigned clients = 4, verify_threads = 2;
  std::string wire = "binary";
};

// The charters of a charter run: the platform's and the consumer society's,
// compiled from the shipped sources.
struct Charters {
  module::Built platform, society;
};

std::optional<module::Built> compile_shipped(const std::string& name) {
  auto b = artel::bench::build_shipped(name);
  if (!b) return std::nullopt;
  return std::move(b->built);
}

// Transfers per second a node applies and durably commits, over HTTP. With
// `charters`, the platform charter binds everyone and the cooperative runs
// the consumer society's charter (its on_transfer carries every transfer),
// and the clock has moved a week past the contributions, so each member's
// first transfer also settles a week of demurrage.
double run_load(const Options& o, const Charters* charters, std::size_t& applied_total) {
  auto dir = std::filesystem::temp_directory_path() /
             ("artel-bench-node-" + std::to_string(::getpid()) + (charters ? "-charters" : "-native"));
  std::filesystem::remove_all(dir);
  KeyPair op = KeyPair::generate(), clock = KeyPair::generate(), coop = KeyPair::generate();
  const std::string genesis = Genesis::make("bench", {op.pk}, clock.pk, "2026-01-05").document();
  const Hash ledger = ledger_id(genesis);
  std::vector<KeyPair> members;
  std::vector<std::uint64_t> nonce(o.members_n, 0);
  std::uint64_t op_nonce = 0, coop_nonce = 0, clock_nonce = 0;
  auto make = [&ledger](const KeyPair& k, std::uint64_t& n, TxBody b) {
    Transaction tx;
    tx.signer = k.pk;
    tx.nonce = ++n;
    tx.body = std::move(b);
    return sign_transaction(tx, k, ledger);
  };
  double rate = 0;
  {
    NodeOptions opts;
    opts.data_dir = dir.string();
    opts.genesis = genesis;
    opts.verify_threads = o.verify_threads;
    Node node(opts);
    HttpOptions hopts;
    HttpServer server(node, hopts);
    std::thread serve([&] { server.run(); });
    std::string url = "http://127.0.0.1:" + std::to_string(server.port());

    // Setup: one cooperative, members with money.
    std::vector<Bytes> setup;
    if (charters) setup.push_back(make(op, op_nonce, DeployCharter{0, charters->platform.bytes, "platform"}));
    setup.push_back(make(op, op_nonce, RegisterCoop{coop.pk, "bench"}));
    if (charters) setup.push_back(make(coop, coop_nonce, DeployCharter{1, charters->society.bytes, "society"}));
    for (std::size_t i = 0; i < o.members_n; ++i) {
      members.push_back(KeyPair::generate());
      setup.push_back(make(coop, coop_nonce, AdmitMember{1, members.back().pk, 0}));
      setup.push_back(make(coop, coop_nonce, Contribute{i + 1, 1'000'000'000, ContributionKind::money, "", ""}));
    }
    if (charters) setup.push_back(make(clock, clock_nonce, AdvancePeriod{7}));
    for (auto& f : node.submit(std::move(setup)))
      if (auto r = f.get(); !r.applied) {
        std::fprintf(stderr, "setup failed: %s\n", r.error.message.c_str());
        std::exit(1);
      }

    // Pre-sign the load; client c owns members c, c+clients, ...
    std::printf("signing %zu transfers...\n", o.transfers);
    std::vector<std::vector<Bytes>> load(o.clients);
    for (std::size_t i = 0; i < o.transfers; ++i) {
      std::size_t m = i % o.members_n;
      std::uint64_t to = (m + 1 + i / o.members_n) % o.members_n + 1;
      if (to == m + 1) to = to % o.members_n + 1;
      load[m % o.clients].push_back(
          make(members[m], nonce[m], Transfer{0, 0, to, 100 + static_cast<std::int64_t>(i % 100), ""}));
    }
    // Request bodies are built before the clock starts: the client's own
    // encoding is not the node's cost.
    const bool binary = o.wire == "binary";
    std::vector<std::vector<std::string>> bodies(o.clients);
    for (unsigned c = 0; c < o.clients; ++c)
      for (std::size_t i = 0; i < load[c].size(); i += o.batch) {
        std::size_t end = std::min(load[c].size(), i + o.batch);
        if (binary) {
          Writer w;
          for (std::size_t j = i; j < end; ++j) w.bytes(load[c][j]);
          bodies[c].push_back(w.as_string());
        } else {
          json arr = json::array();
          for (std::size_t j = i; j < end; ++j) arr.push_back(to_hex(load[c][j]));
          bodies[c].push_back(json{{"transactions", arr}}.dump());
        }
      }

    std::atomic<std::size_t> applied{0}, rejected{0};
    auto start = Clock::now();
    std::vector<std::thread> cs;
    for (unsigned c = 0; c < o.clients; ++c)
      cs.emplace_back([&, c] {
        HttpClient client(url);
        for (const auto& body : bodies[c]) {
          auto r = client.request("POST", "/v1/transactions", body,
                                  binary ? "application/octet-stream" : "application/json");
          json j = json::parse(r.body);
          applied += j["applied"].get<std::size_t>();
          rejected += j["rejected"].get<std::size_t>();
        }
      });
    for (auto& t : cs) t.join();
    double elapsed = seconds_since(start);
    applied_total = applied;
    rate = static_cast<double>(applied) / elapsed;
    std::printf("node%s: %zu transfers applied and committed in %.3f s (%zu rejected), height %llu\n",
                charters ? " (charters)" : "", applied.load(), elapsed, rejected.load(),
                static_cast<unsigned long long>(node.ledger().summary().height));
    server.stop();
    serve.join();
    node.stop();
  }
  std::filesystem::remove_all(dir);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"artel_bench_node - node throughput, native and through charters, against the Ed25519 verification rate"};
  Options o;
  app.add_option("--transfers", o.transfers, "signed transfers to submit (each run)");
  app.add_option("--batch", o.batch, "transfers per HTTP request");
  app.add_option("--members", o.members_n, "members (signers)");
  app.add_option("--clients", o.clients, "client connections posting in parallel");
  app.add_option("--verify-threads", o.verify_threads, "node threads verifying signatures");
  app.add_option("--wire", o.wire, "request format: binary (length-prefixed) or json (hex strings)")
      ->check(CLI::IsMember({"binary", "json"}));
  CLI11_PARSE(app, argc, argv);
  crypto_init();
  auto platform = compile_shipped("platform.artel");
  auto society = compile_shipped("consumer_society.artel");
  if (!platform || !society) return 1;
  const Charters charters{std::move(*platform), std::move(*society)};

  // The machine may be shared: measure verification before and after the
  // node's runs and compare against the mean.
  double v1_before = verify_rate(1, 1.0), v2_before = verify_rate(2, 1.0);
  std::size_t native_applied = 0, charter_applied = 0;
  const double native = run_load(o, nullptr, native_applied);
  const double charter = run_load(o, &charters, charter_applied);
  double v1_after = verify_rate(1, 1.0), v2_after = verify_rate(2, 1.0);
  double v1 = (v1_before + v1_after) / 2, v2 = (v2_before + v2_after) / 2;
  std::printf("\n%-60s %12.0f /s  (before %.0f, after %.0f)\n", "Ed25519 verifications, 1 thread", v1, v1_before,
              v1_after);
  std::printf("%-60s %12.0f /s  (before %.0f, after %.0f)\n", "Ed25519 verifications, 2 threads", v2, v2_before,
              v2_after);
  std::printf("%-60s %12.0f /s  (%.0f %% of 2-thread verify, %.0f %% of 1-thread)\n",
              ("native transfers applied + durably committed (HTTP " + o.wire + ")").c_str(), native, 100 * native / v2,
              100 * native / v1);
  std::printf("%-60s %12.0f /s  (%.0f %% of the native rate)\n",
              "transfers through the platform and society charters", charter, 100 * charter / native);
  return native_applied == o.transfers && charter_applied == o.transfers ? 0 : 1;
}
