// What a period boundary costs with N share accounts, and what touching
// accounts costs afterwards (each settles its demurrage lazily).
//   build/release/bench/artel_bench_demurrage [N ...]   (default 10000 100000 1000000)
//
// The ledger is real (RocksDB, the VM, the compiled consumer-society
// charter). To reach a million accounts in reasonable time the members and
// their first contributions are written straight into the store, as a
// genesis import would; the period advance and the transfers that follow
// are ordinary signed transactions.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/shipped.h"
#include "node/genesis.h"
#include "node/ledger.h"
#include "vm/abi.h"

namespace {

namespace fs = std::filesystem;
using namespace artel;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

node::Hash ledger_id{};  // the bench ledger's, from its genesis document

struct Signer {
  node::KeyPair key;
  std::uint64_t nonce = 0;
  node::Bytes sign(node::TxBody body) {
    node::Transaction tx;
    tx.signer = key.pk;
    tx.nonce = ++nonce;
    tx.body = std::move(body);
    return node::sign_transaction(tx, key, ledger_id);
  }
};

node::KeyPair key_of(std::uint64_t i) {
  std::array<std::uint8_t, 32> seed{};
  for (int b = 0; b < 8; ++b) seed[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(i >> (8 * b));
  seed[31] = 0xA7;
  return node::KeyPair::from_seed(seed);
}

bool apply(node::Ledger& ledger, std::vector<node::Bytes> txs, const char* what) {
  std::vector<node::Prepared> ps;
  for (auto& b : txs) ps.push_back(node::prepare(std::move(b), ledger_id));
  auto result = ledger.apply_block(ps);
  for (const auto& r : result.receipts)
    if (!r.applied) {
      std::fprintf(stderr, "%s rejected: %s: %s\n", what, std::string(node::code_name(r.error.code)).c_str(), r.error.message.c_str());
      return false;
    }
  return true;
}

bool run(std::uint64_t n, const module::Built& charter) {
  fs::path dir = fs::temp_directory_path() / ("artel-bench-demurrage-" + std::to_string(::getpid()) + "-" + std::to_string(n));
  fs::remove_all(dir);
  Signer op{key_of(~0ull)};
  Signer coop{key_of(~1ull)};
  Signer clock{key_of(~2ull)};
  node::Genesis g;
  g.platform = "bench";
  g.council = {op.key.pk};
  g.clock_key = clock.key.pk;
  g.created = "2026-01-05";
  const std::string genesis = g.document();
  ledger_id = node::ledger_id(genesis);
  {
    node::Ledger ledger(dir.string(), genesis);
    if (!apply(ledger, {op.sign(node::DeployCharter{0, charter.bytes, "bench"}), op.sign(node::RegisterCoop{coop.key.pk, "Bench"})},
               "setup"))
      return false;
  }
  // Import: n members of cooperative 1 with 1,000.00 RUB each (persons
  // 2.., the cooperative being person 1).
  auto t0 = Clock::now();
  {
    node::Store store(dir.string());
    const std::uint64_t batch = 100'000;
    for (std::uint64_t from = 0; from < n; from += batch) {
      node::Overlay ov(store);
      node::State st(ov);
      for (std::uint64_t i = from; i < std::min(n, from + batch); ++i) {
        node::PublicKey pk{};
        for (int b = 0; b < 8; ++b) pk[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>((i + 1) >> (8 * b));
        const std::uint64_t person = st.add_person(node::PersonRec{pk, node::PersonKind::natural, 0});
        const std::uint64_t id = st.add_member(node::MemberRec{person, 1, 0, 0});
        if (auto e = st.post(abi::account_handle(abi::AccountKind::share, id), 1000'00, 0, node::PostingContext{}))
          return false;
      }
      store.write(ov.writes(), false);
    }
  }
  const double import_s = seconds_since(t0);

  node::Ledger ledger(dir.string(), std::nullopt);
  // Each period boundary: one signed transaction; untouched accounts cost nothing.
  double advance_s = 0;
  const int boundaries = 4;
  for (int p = 1; p <= boundaries; ++p) {
    auto t = Clock::now();
    if (!apply(ledger, {clock.sign(node::AdvancePeriod{7 * static_cast<std::uint64_t>(p)})}, "advance")) return false;
    advance_s += seconds_since(t);
  }
  // 1,000 members then pay each other: every payment settles two accounts
  // for the 4 boundaries they missed.
  std::vector<Signer> payers;
  std::vector<node::Bytes> txs;
  const std::uint64_t touched = std::min<std::uint64_t>(1000, n / 2);
  for (std::uint64_t i = 0; i < touched; ++i) {
    // Payers need keys the ledger knows: admit them with real transactions.
    payers.push_back(Signer{key_of(i)});
    txs.push_back(coop.sign(node::AdmitMember{1, payers.back().key.pk, 0}));
    txs.push_back(coop.sign(node::Contribute{n + i + 1, 500'00, node::ContributionKind::money, "", ""}));
  }
  if (!apply(ledger, std::move(txs), "admission")) return false;
  if (!apply(ledger, {clock.sign(node::AdvancePeriod{7 * (boundaries + 1)})}, "advance")) return false;
  txs.clear();
  for (std::uint64_t i = 0; i < touched; ++i)
    txs.push_back(payers[i].sign(node::Transfer{0, 0, 1 + i * (n / touched), 1'00, ""}));
  auto t = Clock::now();
  if (!apply(ledger, std::move(txs), "transfers")) return false;
  const double touch_s = seconds_since(t);

  std::printf("%9llu share accounts: import %.2f s; period advance %.4f s each (mean of %d); "
              "%llu transfers settling %llu accounts' missed weeks %.3f s (%.0f per second)\n",
              static_cast<unsigned long long>(n), import_s, advance_s / boundaries, boundaries,
              static_cast<unsigned long long>(touched), static_cast<unsigned long long>(2 * touched), touch_s,
              static_cast<double>(touched) / touch_s);
  std::fflush(stdout);
  fs::remove_all(dir);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  node::crypto_init();
  std::vector<std::uint64_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::stoull(argv[i]));
  if (sizes.empty()) sizes = {10'000, 100'000, 1'000'000};
  auto b = bench::build_shipped("platform.artel");
  if (!b) return 1;
  const module::Built* built = &b->built;
  for (auto n : sizes)
    if (!run(n, *built)) return 1;
  return 0;
}
