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
#include <nlohmann/json.hpp>
#include <thread>

#include "node/http_client.h"
#include "node/http_server.h"
#include "node/node.h"
#include "vm/abi.h"

using namespace artel::node;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"artel_bench_node - node throughput against the Ed25519 verification rate"};
  std::size_t transfers = 60'000, batch = 1'000, members_n = 256;
  unsigned clients = 4, verify_threads = 2;
  app.add_option("--transfers", transfers, "signed transfers to submit");
  app.add_option("--batch", batch, "transfers per HTTP request");
  app.add_option("--members", members_n, "members (signers)");
  app.add_option("--clients", clients, "client connections posting in parallel");
  app.add_option("--verify-threads", verify_threads, "node threads verifying signatures");
  std::string wire = "binary";
  app.add_option("--wire", wire, "request format: binary (length-prefixed) or json (hex strings)")
      ->check(CLI::IsMember({"binary", "json"}));
  CLI11_PARSE(app, argc, argv);
  crypto_init();

  auto dir = std::filesystem::temp_directory_path() / ("artel-bench-node-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  KeyPair op = KeyPair::generate(), clock = KeyPair::generate(), coop = KeyPair::generate();
  const std::string genesis = Genesis::make("bench", {op.pk}, clock.pk, "2026-01-05").document();
  const Hash ledger = ledger_id(genesis);
  std::vector<KeyPair> members;
  std::vector<std::uint64_t> nonce(members_n, 0);
  std::uint64_t op_nonce = 0, coop_nonce = 0;
  auto make = [&ledger](const KeyPair& k, std::uint64_t& n, TxBody b) {
    Transaction tx;
    tx.nonce = ++n;
    tx.body = std::move(b);
    return sign_transaction(tx, k, ledger);
  };

  double rate;
  std::size_t applied_total = 0;
  // The machine may be shared: measure verification before and after the
  // node's run and compare against the mean.
  double v1_before = verify_rate(1, 1.0), v2_before = verify_rate(2, 1.0);
  {
    NodeOptions opts;
    opts.data_dir = dir.string();
    opts.genesis = genesis;
    opts.verify_threads = verify_threads;
    Node node(opts);
    HttpOptions hopts;
    HttpServer server(node, hopts);
    std::thread serve([&] { server.run(); });
    std::string url = "http://127.0.0.1:" + std::to_string(server.port());

    // Setup: one cooperative, members with money.
    std::vector<Bytes> setup{make(op, op_nonce, RegisterCoop{coop.pk, "bench"})};
    for (std::size_t i = 0; i < members_n; ++i) {
      members.push_back(KeyPair::generate());
      setup.push_back(make(coop, coop_nonce, AdmitMember{1, members.back().pk, 0}));
      setup.push_back(make(coop, coop_nonce, Contribute{i + 1, 1'000'000'000, ContributionKind::money, "", ""}));
    }
    for (auto& f : node.submit(std::move(setup)))
      if (!f.get().applied) {
        std::fprintf(stderr, "setup failed\n");
        return 1;
      }

    // Pre-sign the load; client c owns members c, c+clients, ...
    std::printf("signing %zu transfers...\n", transfers);
    std::vector<std::vector<Bytes>> load(clients);
    for (std::size_t i = 0; i < transfers; ++i) {
      std::size_t m = i % members_n;
      std::uint64_t to = (m + 1 + i / members_n) % members_n + 1;
      if (to == m + 1) to = to % members_n + 1;
      load[m % clients].push_back(make(members[m], nonce[m], Transfer{0, 0, to, 1 + static_cast<std::int64_t>(i % 100), ""}));
    }
    // Request bodies are built before the clock starts: the client's own
    // encoding is not the node's cost.
    const bool binary = wire == "binary";
    std::vector<std::vector<std::string>> bodies(clients);
    for (unsigned c = 0; c < clients; ++c)
      for (std::size_t i = 0; i < load[c].size(); i += batch) {
        std::size_t end = std::min(load[c].size(), i + batch);
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
    for (unsigned c = 0; c < clients; ++c)
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
    std::printf("node: %zu transfers applied and committed in %.3f s (%zu rejected), height %llu\n", applied.load(),
                elapsed, rejected.load(), static_cast<unsigned long long>(node.ledger().summary().height));
    server.stop();
    serve.join();
    node.stop();
  }
  std::filesystem::remove_all(dir);
  double v1_after = verify_rate(1, 1.0), v2_after = verify_rate(2, 1.0);
  double v1 = (v1_before + v1_after) / 2, v2 = (v2_before + v2_after) / 2;
  std::printf("\n%-52s %12.0f /s  (before %.0f, after %.0f)\n", "Ed25519 verifications, 1 thread", v1, v1_before,
              v1_after);
  std::printf("%-52s %12.0f /s  (before %.0f, after %.0f)\n", "Ed25519 verifications, 2 threads", v2, v2_before,
              v2_after);
  std::printf("%-52s %12.0f /s  (%.0f %% of 2-thread verify, %.0f %% of 1-thread)\n",
              ("transfers applied + durably committed (HTTP " + wire + ")").c_str(), rate, 100 * rate / v2, 100 * rate / v1);
  return applied_total == transfers ? 0 : 1;
}
