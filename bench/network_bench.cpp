// What the guarantor network (charters/guarantor_network.artel) costs as it
// grows: a period advance, a compensation of a failed deal and a vote in a
// dispute, in a network of N participants with 2N guarantees, for several N
// in one run (default 10 and 100000), so the figures stand next to each
// other.
//   build/release/bench/artel_bench_network [N ...]
//
// The ledger is real (RocksDB, synced commits, the VM, the compiled platform
// and network charters, Ed25519). To reach 100,000 participants in seconds,
// the participants, their deposits (10,000.00 RUB each), their guarantees
// (participant i is vouched for by i+1 and i+2, modulo N) and a few short
// deposits are written straight into the store, as an import would; every
// measured operation is an ordinary signed transaction.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "bench/shipped.h"
#include "node/genesis.h"
#include "node/ledger.h"
#include "vm/abi.h"

namespace {

namespace fs = std::filesystem;
using namespace artel;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

node::Hash ledger_id{};

node::KeyPair key_of(std::uint64_t i) {
  std::array<std::uint8_t, 32> seed{};
  for (int b = 0; b < 8; ++b) seed[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(i >> (8 * b));
  seed[31] = 0x5E;
  return node::KeyPair::from_seed(seed);
}

struct Charter {
  std::string source;
  module::Built built;
  typed::Charter typed;
};

std::optional<Charter> compile(const std::string& name) {
  auto b = bench::build_shipped(name);
  if (!b) return std::nullopt;
  return Charter{"bench", std::move(b->built), std::move(b->typed)};
}

class Bench {
 public:
  Bench(std::uint64_t n, const Charter& platform, const Charter& network) : n_(n), platform_(platform), network_(network) {}

  bool run() {
    dir_ = fs::temp_directory_path() / ("artel-bench-network-" + std::to_string(::getpid()) + "-" + std::to_string(n_));
    fs::remove_all(dir_);
    op_ = key_of(~0ull);
    clock_ = key_of(~1ull);
    coop_ = key_of(~2ull);
    node::Genesis g;
    g.platform = "bench";
    g.council = {op_.pk};
    g.clock_key = clock_.pk;
    g.created = "2026-01-05";
    const std::string genesis = g.document();
    ledger_id = node::ledger_id(genesis);
    {
      node::Ledger ledger(dir_.string(), genesis);
      if (!apply(ledger, {sign(op_, node::DeployCharter{0, platform_.built.bytes, "bench"}),
                          sign(op_, node::RegisterCoop{coop_.pk, "Network"})},
                 "setup"))
        return false;
      if (!apply(ledger, {sign(coop_, node::DeployCharter{1, network_.built.bytes, "bench"})}, "deploy")) return false;
    }
    const double import_s = import();
    if (import_s < 0) return false;
    node::Ledger ledger(dir_.string(), std::nullopt);

    // Period advances: the weekly clause walks the short deposits only.
    double advance_s = 0;
    const int advances = 4;
    for (int p = 1; p <= advances; ++p) {
      auto t = Clock::now();
      if (!apply(ledger, {sign(clock_, node::AdvancePeriod{7 * static_cast<std::uint64_t>(p)})}, "advance")) return false;
      advance_s += seconds_since(t);
    }

    // Deals of 15,000.00 between participants a and b = a + N/2, proposed and
    // accepted: more than a deposit holds, so a compensation reaches the
    // guarantors' deposits too.
    const std::uint64_t deals = std::min<std::uint64_t>(100, n_ / 4);
    std::vector<node::Bytes> txs;
    for (std::uint64_t d = 0; d < deals; ++d)
      txs.push_back(call(side_a(d), "propose_deal", {static_cast<std::int64_t>(side_b(d)), 15'000'00, advances + 10}));
    if (!apply(ledger, std::move(txs), "proposals")) return false;
    txs.clear();
    for (std::uint64_t d = 0; d < deals; ++d) txs.push_back(call(side_b(d), "accept_deal", {static_cast<std::int64_t>(d + 1)}));
    if (!apply(ledger, std::move(txs), "acceptances")) return false;

    // Half the deals fail and are compensated, approved by both guarantors
    // of the failing side; the other half go to a dispute, voted on by
    // three guarantors of the sides.
    txs.clear();
    const std::uint64_t half = deals / 2;
    for (std::uint64_t d = 0; d < half; ++d) {
      const std::uint64_t a = side_a(d);
      txs.push_back(call(guarantor(a, 0), "compensate_deal", {static_cast<std::int64_t>(d + 1), static_cast<std::int64_t>(a)},
                         {guarantor(a, 0), guarantor(a, 1)}));
    }
    auto t = Clock::now();
    if (!apply(ledger, std::move(txs), "compensations")) return false;
    const double compensate_s = seconds_since(t);

    txs.clear();
    for (std::uint64_t d = half; d < deals; ++d) txs.push_back(call(side_b(d), "open_dispute", {static_cast<std::int64_t>(d + 1)}));
    if (!apply(ledger, std::move(txs), "disputes")) return false;
    txs.clear();
    std::uint64_t votes = 0;
    for (std::uint64_t d = half; d < deals; ++d) {
      const std::int64_t number = static_cast<std::int64_t>(d - half + 1);
      // Distinct voters per dispute: the guarantors of a and of b.
      const std::uint64_t a = side_a(d), b = side_b(d);
      for (std::uint64_t v : {guarantor(a, 0), guarantor(a, 1), guarantor(b, 0)}) {
        txs.push_back(call(v, "vote_in_dispute", {number, 1}));
        ++votes;
      }
    }
    t = Clock::now();
    if (!apply(ledger, std::move(txs), "votes")) return false;
    const double vote_s = seconds_since(t);

    std::printf("%7llu participants, %7llu guarantees, %llu short deposits: import %.2f s; period advance %.2f ms "
                "(mean of %d); %llu compensations %.3f ms each; %llu dispute votes %.3f ms each (blocks of them, "
                "synced commit included)\n",
                static_cast<unsigned long long>(n_), static_cast<unsigned long long>(2 * n_),
                static_cast<unsigned long long>(short_), import_s, 1000 * advance_s / advances, advances,
                static_cast<unsigned long long>(half), 1000 * compensate_s / static_cast<double>(half),
                static_cast<unsigned long long>(votes), 1000 * vote_s / static_cast<double>(votes));
    std::fflush(stdout);
    fs::remove_all(dir_);
    return true;
  }

 private:
  // Member ids 1..N; participant i's guarantors are the next two.
  std::uint64_t guarantor(std::uint64_t m, int k) const { return (m - 1 + 1 + static_cast<std::uint64_t>(k)) % n_ + 1; }
  std::uint64_t side_a(std::uint64_t d) const { return 1 + (d * 2) % n_; }
  std::uint64_t side_b(std::uint64_t d) const { return 1 + (d * 2 + n_ / 2) % n_; }

  // Participants, deposits and guarantees straight into the store.
  double import() {
    auto t0 = Clock::now();
    std::size_t deposit_family = 0, short_slot = 0;
    for (std::size_t f = 0; f < network_.typed.accounts.size(); ++f)
      if (network_.typed.accounts[f].name == "deposit") deposit_family = f;
    for (const auto& s : network_.typed.states)
      if (s.name == "short_deposits") short_slot = static_cast<std::size_t>(s.first_slot);
    keys_.clear();
    keys_.reserve(n_);
    node::Store store(dir_.string());
    const std::uint64_t batch = 50'000;
    for (std::uint64_t from = 0; from < n_; from += batch) {
      node::Overlay ov(store);
      node::State st(ov);
      for (std::uint64_t i = from; i < std::min(n_, from + batch); ++i) {
        keys_.push_back(key_of(i));
        const std::uint64_t person = st.add_person(node::PersonRec{keys_.back().pk, node::PersonKind::natural, 0});
        const std::uint64_t id = st.add_member(node::MemberRec{person, 1, 0, 0});
        if (st.post(abi::account_handle(abi::AccountKind::share, id), 1000'00, 0, node::PostingContext{})) return -1;
        const auto deposit = abi::account_handle(abi::AccountKind::charter, abi::charter_account_owner(1, deposit_family, id));
        if (st.post(deposit, 10'000'00, 0, node::PostingContext{})) return -1;
      }
      store.write(ov.writes(), false);
    }
    {
      node::Overlay ov(store);
      node::State st(ov);
      for (std::uint64_t m = 1; m <= n_; ++m)
        for (int k = 0; k < 2; ++k) st.add_guarantee(m, guarantor(m, k));
      // One in a thousand deposits short (at least one): the weekly notices.
      short_ = 0;
      for (std::uint64_t m = 1; m <= n_; m += 1000, ++short_) st.cstate_set(1, short_slot, static_cast<std::int64_t>(m), 1'00);
      store.write(ov.writes(), true);
    }
    return seconds_since(t0);
  }

  node::Bytes sign(const node::KeyPair& k, node::TxBody body) {
    node::Transaction tx;
    tx.signer = k.pk;
    tx.nonce = ++nonces_[k.pk];
    tx.body = std::move(body);
    return node::sign_transaction(tx, k, ledger_id);
  }

  node::Bytes call(std::uint64_t member, const std::string& rule, std::vector<std::int64_t> args,
                   std::vector<std::uint64_t> approvers = {}) {
    const node::KeyPair& k = keys_[member - 1];
    node::Transaction tx;
    tx.signer = k.pk;
    tx.nonce = ++nonces_[k.pk];
    tx.body = node::CallRule{1, member, rule, std::move(args)};
    for (std::uint64_t a : approvers) node::add_approval(tx, keys_[a - 1], ledger_id);
    return node::sign_transaction(tx, k, ledger_id);
  }

  bool apply(node::Ledger& ledger, std::vector<node::Bytes> txs, const char* what) {
    std::vector<node::Prepared> ps;
    for (auto& b : txs) ps.push_back(node::prepare(std::move(b), ledger_id));
    auto result = ledger.apply_block(ps);
    for (const auto& r : result.receipts)
      if (!r.applied) {
        std::fprintf(stderr, "%s rejected: %s: %s\n", what, std::string(node::code_name(r.error.code)).c_str(),
                     r.error.message.c_str());
        return false;
      }
    return true;
  }

  std::uint64_t n_;
  const Charter& platform_;
  const Charter& network_;
  fs::path dir_;
  node::KeyPair op_, clock_, coop_;
  std::vector<node::KeyPair> keys_;
  std::map<node::PublicKey, std::uint64_t> nonces_;
  std::uint64_t short_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  node::crypto_init();
  std::vector<std::uint64_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::stoull(argv[i]));
  if (sizes.empty()) sizes = {10, 100'000};
  auto platform = compile("platform.artel");
  auto network = compile("guarantor_network.artel");
  if (!platform || !network) return 1;
  for (auto n : sizes) {
    if (n < 8) {
      std::fprintf(stderr, "a network needs at least 8 participants\n");
      return 2;
    }
    if (!Bench(n, *platform, *network).run()) return 1;
  }
  return 0;
}
