// `artel demo`: the platform end to end on the embedded single node. The
// platform charter binds everyone; a union of consumer societies, each
// society under its own charter, with members whose keys come from --seed
// and some of whom belong to two societies; every transaction is really
// signed and verified; weeks of contributions, transfers and returns; then
// totals, the conservation check over every account, the state digest and
// one member's statement citing articles of both charters.
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "charter_build.h"
#include "commands.h"
#include "splitmix.h"
#include "compiler/driver.h"
#include "file_io.h"
#include "keys.h"
#include "node/genesis.h"
#include "node/ledger.h"
#include "node/node.h"
#include "node/state.h"
#include "node/transaction.h"
#include "vm/abi.h"
#include "vm/module.h"

namespace artel::cli {

namespace {

namespace fs = std::filesystem;
using node::Bytes;
using node::KeyPair;

struct DemoOptions {
  std::uint64_t members = 1000;
  std::uint64_t weeks = 52;
  std::uint64_t coops = 3;
  std::string seed = "1";
  std::string data;
  std::string platform_charter;  // default: charters/platform.artel
  std::vector<std::string> charters;  // the societies' charters, in turn; default: consumer_society, village_society
  std::uint64_t statement_member = 0;  // 0: the first member of the first society
};

// splitmix64: a small deterministic generator, so the same seed gives the
// same ledger on every machine.
struct Random {
  SplitMix64 g;
  std::uint64_t next() { return g.next(); }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
};

KeyPair derive_key(const std::string& seed, const std::string& role, std::uint64_t index) {
  return key_from_text("artel-demo|" + seed + "|" + role + "|" + std::to_string(index));
}

std::string money(std::int64_t minor) { return typed::format_money(minor, 2); }

class Demo {
 public:
  explicit Demo(const DemoOptions& o) : o_(o), rng_{0} {
    node::Hash h = node::blake2b256(std::span(reinterpret_cast<const std::uint8_t*>(o.seed.data()), o.seed.size()));
    for (int i = 0; i < 8; ++i) rng_.g.s = (rng_.g.s << 8) | h[static_cast<std::size_t>(i)];
  }

  int run() {
    node::crypto_init();
    const fs::path shipped = compiler::default_stdlib_dir().parent_path() / "charters";
    auto platform = compile_charter(o_.platform_charter.empty() ? (shipped / "platform.artel").string()
                                                                : o_.platform_charter);
    if (!platform) return 1;
    std::vector<std::string> paths = o_.charters;
    if (paths.empty())
      paths = {(shipped / "consumer_society.artel").string(), (shipped / "village_society.artel").string()};
    for (const auto& path : paths) {
      auto c = compile_charter(path);
      if (!c) return 1;
      society_charters_.push_back(std::move(*c));
    }
    auto network = compile_charter((shipped / "guarantor_network.artel").string());
    if (!network) return 1;
    fs::path dir = o_.data.empty() ? fs::temp_directory_path() / ("artel-demo-" + std::to_string(::getpid())) : fs::path(o_.data);
    if (o_.data.empty()) fs::remove_all(dir);
    if (fs::exists(dir) && !fs::is_empty(dir)) {
      std::cerr << dir.string() << ": error: the data directory is not empty; the demo starts a new ledger\n";
      return 2;
    }
    operator_ = derive_key(o_.seed, "operator", 0);
    clock_ = derive_key(o_.seed, "clock", 0);
    // The genesis document: its random bytes come from the seed, so the same
    // seed gives the same ledger id and the same state digest.
    node::Genesis genesis;
    genesis.platform = "Artel demo platform";
    genesis.council = {operator_.pk};
    genesis.clock_key = clock_.pk;
    genesis.created = "2026-01-05";
    genesis.salt = derive_key(o_.seed, "genesis", 0).pk;
    node::NodeOptions opts;
    opts.data_dir = dir.string();
    opts.genesis = genesis.document();
    node_ = std::make_unique<node::Node>(opts);
    ledger_ = node_->ledger().id();

    std::cout << "artel demo: " << o_.members << " people in " << o_.coops << " consumer societies of a union, " << o_.weeks
              << " weeks, seed " << o_.seed << "\n";
    std::cout << "ledger " << node::hex(ledger_) << ", data " << dir.string() << "\n";
    std::cout << "platform charter " << platform->path << ": module " << vm::to_hex(platform->built.id) << "\n";
    for (const auto& c : society_charters_)
      std::cout << "society charter " << c.path << ": module " << vm::to_hex(c.built.id) << "\n";

    if (!setup(*platform)) return 1;
    if (!setup_network(*network)) return 1;
    for (std::uint64_t week = 1; week <= o_.weeks; ++week) {
      if (!run_week(week)) return 1;
    }
    const int rc = report();
    node_->stop();
    node_.reset();
    if (o_.data.empty()) fs::remove_all(dir);
    return rc;
  }

 private:
  using Charter = CompiledCharter;

  static std::optional<Charter> compile_charter(const std::string& path) { return compile_charter_file(path, std::cerr); }

  Bytes sign(node::TxBody body, const KeyPair& key, const std::vector<const KeyPair*>& approvers = {}) {
    node::Transaction tx;
    tx.signer = key.pk;
    tx.nonce = ++nonces_[key.pk];
    tx.body = std::move(body);
    for (const KeyPair* a : approvers) node::add_approval(tx, *a, ledger_);
    return node::sign_transaction(tx, key, ledger_);
  }

  // Submits a batch and waits until the node has committed it. Returns the
  // receipts in order.
  std::vector<node::Receipt> submit(std::vector<Bytes> batch) {
    auto futures = node_->submit(std::move(batch));
    std::vector<node::Receipt> out;
    out.reserve(futures.size());
    for (auto& f : futures) out.push_back(f.get());
    return out;
  }

  // A transaction to sign and submit: the signer's nonce is chosen when it is
  // signed.
  struct Pending {
    node::TxBody body;
    const KeyPair* key = nullptr;
    std::vector<const KeyPair*> approvers = {};
  };
  // Signs and submits `items` in order, as one block where possible. A
  // rejected transaction leaves the ledger (and its signer's nonce) as it
  // was, so the same signer's later transactions of the batch arrive with a
  // nonce that skips ahead: those are signed again with the right nonce and
  // resubmitted, until every item has its own verdict. Returns one receipt
  // per item, in order.
  std::vector<node::Receipt> submit_all(const std::vector<Pending>& items) {
    std::vector<node::Receipt> out(items.size());
    std::vector<std::size_t> todo(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) todo[i] = i;
    while (!todo.empty()) {
      std::vector<Bytes> batch;
      batch.reserve(todo.size());
      for (std::size_t i : todo) batch.push_back(sign(items[i].body, *items[i].key, items[i].approvers));
      auto receipts = submit(std::move(batch));
      std::vector<std::size_t> again;
      std::set<node::PublicKey> gap;  // signers whose nonces a rejection left a gap in
      for (std::size_t k = 0; k < todo.size(); ++k) {
        const std::size_t i = todo[k];
        const node::PublicKey& pk = items[i].key->pk;
        if (!receipts[k].applied && gap.count(pk) && receipts[k].error.code == node::TxCode::bad_nonce) {
          again.push_back(i);
          continue;
        }
        if (!receipts[k].applied) gap.insert(pk);
        out[i] = std::move(receipts[k]);
      }
      node::Overlay view(node_->ledger().store());
      node::State st(view);
      for (const auto& pk : gap) {
        auto person = st.person_by_key(pk);
        nonces_[pk] = person ? st.nonce(*person) : st.key_nonce(pk);
      }
      todo = std::move(again);
    }
    return out;
  }

  bool expect_all(const std::vector<node::Receipt>& rs, const char* what) {
    for (const auto& r : rs) {
      if (r.applied) continue;
      std::cerr << "artel demo: " << what << " was rejected: " << node::code_name(r.error.code) << ": " << r.error.message << "\n";
      return false;
    }
    return true;
  }

  bool setup(const Charter& platform) {
    std::vector<Bytes> batch;
    batch.push_back(sign(node::DeployCharter{0, platform.built.bytes, platform.source}, operator_));
    union_ = derive_key(o_.seed, "union", 0);
    batch.push_back(sign(node::RegisterCoop{union_.pk, "Union of consumer societies"}, operator_));
    for (std::uint64_t c = 0; c < o_.coops; ++c) {
      coops_.push_back(derive_key(o_.seed, "coop", c));
      batch.push_back(sign(node::RegisterCoop{coops_.back().pk, "Consumer society " + std::to_string(c + 1)}, operator_));
    }
    if (!expect_all(submit(std::move(batch)), "setting up the platform")) return false;
    // Cooperative ids: the union is 1, the societies 2..; each society runs
    // its own charter (the charters in turn) and is a member of the union
    // (members 1..coops); then the people, one in ten of whom also joins the
    // next society.
    batch.clear();
    for (std::uint64_t c = 0; c < o_.coops; ++c) {
      const Charter& ch = society_charters_[c % society_charters_.size()];
      batch.push_back(sign(node::DeployCharter{c + 2, ch.built.bytes, ch.source}, coops_[c]));
      batch.push_back(sign(node::AdmitMember{1, coops_[c].pk, c + 2}, union_));
    }
    std::uint64_t next_member = o_.coops + 1;
    for (std::uint64_t m = 0; m < o_.members; ++m) {
      people_.push_back(derive_key(o_.seed, "member", m));
      person_memberships_.emplace_back();
      std::vector<std::uint64_t> joins = {m % o_.coops};
      if (o_.coops > 1 && m % 10 == 9) joins.push_back((m + 1) % o_.coops);
      for (std::uint64_t c : joins) {
        batch.push_back(sign(node::AdmitMember{2 + c, people_.back().pk, 0}, coops_[c]));
        memberships_.push_back(Membership{m, c, next_member});
        person_memberships_.back().push_back(next_member++);
      }
    }
    if (!expect_all(submit(std::move(batch)), "an admission")) return false;
    std::cout << "set up: the platform charter; union (cooperative 1); " << o_.coops << " societies (cooperatives 2.."
              << o_.coops + 1 << ", members 1.." << o_.coops << " of the union) under "
              << society_charters_.size() << " charters; " << o_.members << " people holding " << memberships_.size()
              << " memberships\n";
    return true;
  }

  // The guarantor network (source document 001): a cooperative of its own
  // whose participants, the first of the societies' people, are members of
  // their society too. Each pays 20,000.00 in, posts the required deposit of
  // 10,000.00 and is vouched for by the next two participants.
  bool setup_network(const Charter& charter) {
    network_key_ = derive_key(o_.seed, "network", 0);
    network_coop_ = o_.coops + 2;
    if (!expect_all(submit({sign(node::RegisterCoop{network_key_.pk, "Guarantor network"}, operator_)}),
                    "registering the network"))
      return false;
    if (!expect_all(submit({sign(node::DeployCharter{network_coop_, charter.built.bytes, charter.source}, network_key_)}),
                    "deploying the network's charter"))
      return false;
    const std::uint64_t n = std::clamp<std::uint64_t>(o_.members / 10, 8, 1000);
    std::vector<Bytes> batch;
    for (std::uint64_t i = 0; i < n && i < o_.members; ++i)
      batch.push_back(sign(node::AdmitMember{network_coop_, people_[i].pk, 0}, network_key_));
    if (!expect_all(submit(std::move(batch)), "admission to the network")) return false;
    {
      node::Overlay view(node_->ledger().store());
      node::State st(view);
      for (std::uint64_t i = 0; i < n && i < o_.members; ++i) {
        const std::uint64_t m = *st.membership(person_id(i), network_coop_);
        network_.push_back(m);
        person_memberships_[i].push_back(m);
      }
    }
    std::vector<Pending> items;
    for (std::size_t i = 0; i < network_.size(); ++i) {
      items.push_back({node::Contribute{network_[i], 20'000'00, node::ContributionKind::money, "network", ""}, &network_key_});
      contributed_ += 20'000'00;
    }
    if (!expect_all(submit_all(items), "a contribution to the network")) return false;
    items.clear();
    for (std::size_t i = 0; i < network_.size(); ++i) items.push_back({call(i, "post_deposit", {10'000'00}), &people_[i]});
    if (!expect_all(submit_all(items), "a deposit")) return false;
    for (int k = 1; k <= 2; ++k) {
      items.clear();
      for (std::size_t i = 0; i < network_.size(); ++i) {
        const std::size_t g = (i + static_cast<std::size_t>(k)) % network_.size();
        items.push_back({call(g, "offer_guarantee", {static_cast<std::int64_t>(network_[i])}), &people_[g]});
      }
      if (!expect_all(submit_all(items), "an offer of a guarantee")) return false;
      items.clear();
      for (std::size_t i = 0; i < network_.size(); ++i) {
        const std::size_t g = (i + static_cast<std::size_t>(k)) % network_.size();
        items.push_back({call(i, "accept_guarantee", {static_cast<std::int64_t>(network_[g])}), &people_[i]});
      }
      if (!expect_all(submit_all(items), "an acceptance of a guarantee")) return false;
    }
    std::cout << "guarantor network (cooperative " << network_coop_ << "): " << network_.size()
              << " participants, each with a deposit of 10000.00 RUB and two guarantors\n";
    return true;
  }

  node::TxBody call(std::size_t participant, const std::string& rule, std::vector<std::int64_t> args) {
    return node::CallRule{network_coop_, network_[participant], rule, std::move(args)};
  }

  // A week of the network: deals proposed and accepted; most are performed,
  // some fail and are compensated by the failing supplier's guarantors, some
  // go to a dispute that three guarantors decide at level 1 and that is
  // carried out once the two weeks for an appeal have passed.
  void network_week(std::uint64_t week) {
    const std::size_t n = network_.size();
    const std::uint64_t deals = std::max<std::size_t>(1, n / 20);
    std::vector<Pending> items;
    std::vector<std::pair<std::size_t, std::size_t>> sides;
    for (std::uint64_t d = 0; d < deals; ++d) {
      const std::size_t s = rng_.below(n);
      const std::size_t c = (s + 3 + rng_.below(n - 3)) % n;  // not the supplier, nor its guarantors
      const std::int64_t amount = static_cast<std::int64_t>(1'000'00 + rng_.below(9'000'00));
      items.push_back({call(s, "propose_deal",
                            {static_cast<std::int64_t>(network_[c]), amount, static_cast<std::int64_t>(week + 4)}),
                       &people_[s]});
      sides.emplace_back(s, c);
    }
    auto proposed = submit_all(items);
    std::vector<std::pair<std::int64_t, std::pair<std::size_t, std::size_t>>> open;
    items.clear();
    for (std::size_t i = 0; i < proposed.size(); ++i) {
      count(proposed[i]);
      if (!proposed[i].applied) continue;
      const std::int64_t number = static_cast<std::int64_t>(++deals_);
      items.push_back({call(sides[i].second, "accept_deal", {number}), &people_[sides[i].second]});
      open.push_back({number, sides[i]});
    }
    auto accepted = submit_all(items);
    items.clear();
    for (std::size_t i = 0; i < accepted.size(); ++i) {
      count(accepted[i]);
      if (!accepted[i].applied) continue;
      const auto [number, who] = open[i];
      const auto [s, c] = who;
      const std::size_t g1 = (s + 1) % n, g2 = (s + 2) % n;
      const std::uint64_t fate = rng_.below(20);
      if (fate < 13) {
        items.push_back({call(c, "confirm_deal", {number}), &people_[c]});
        ++performed_;
      } else if (fate < 17) {
        items.push_back({call(g1, "compensate_deal", {number, static_cast<std::int64_t>(network_[s])}), &people_[g1],
                         {&people_[g1], &people_[g2]}});
        ++compensations_tried_;
      } else {
        items.push_back({call(c, "open_dispute", {number}), &people_[c]});
        const std::int64_t dispute = static_cast<std::int64_t>(++disputes_);
        for (std::size_t v : {g1, g2, (c + 1) % n})
          votes_.push_back({call(v, "vote_in_dispute", {dispute, 1}), &people_[v]});
        enforce_.emplace_back(week + 2, Pending{call(c, "enforce_decision", {dispute}), &people_[c]});
      }
    }
    for (const auto& r : submit_all(items)) {
      count(r);
      if (r.applied)
        for (const auto& e : r.events) {
          const node::StoredEvent se = node::stored_event(e);
          if (se.name == "deal_compensated") ++compensated_;
        }
    }
    for (const auto& r : submit_all(votes_)) {
      count(r);
      if (r.applied)
        for (const auto& e : r.events)
          if (node::stored_event(e).name == "dispute_decided") ++decided_;
    }
    votes_.clear();
    items.clear();
    std::vector<std::pair<std::uint64_t, Pending>> later;
    for (auto& [due, p] : enforce_) (due <= week ? items.push_back(p) : later.push_back({due, p}));
    enforce_ = std::move(later);
    for (const auto& r : submit_all(items)) {
      count(r);
      if (r.applied) ++closed_;
    }
  }

  void count(const node::Receipt& r) {
    ++total_tx_;
    if (!r.applied) ++network_rejections_[std::string(node::code_name(r.error.code))];
  }

  bool run_week(std::uint64_t week) {
    std::vector<Pending> batch;
    std::vector<int> kinds;  // 0 contribution, 1 transfer, 2 return
    std::vector<std::int64_t> amounts;
    auto add = [&](node::TxBody body, const KeyPair& key, int kind, std::int64_t amount) {
      batch.push_back(Pending{std::move(body), &key});
      kinds.push_back(kind);
      amounts.push_back(amount);
    };
    for (const Membership& ms : memberships_) {
      // Everyone joins with a first contribution; later about one in five
      // memberships receives a contribution each week.
      if (week == 1 || rng_.below(5) == 0) {
        std::int64_t amount = static_cast<std::int64_t>(100'00 + rng_.below(week == 1 ? 4900'00 : 900'00));
        add(node::Contribute{ms.id, amount, node::ContributionKind::money, "week " + std::to_string(week), ""},
            coops_[ms.coop], 0, amount);
      }
    }
    // Each society pays its weekly dues into its share account in the union.
    for (std::uint64_t c = 0; c < o_.coops; ++c) {
      std::int64_t amount = static_cast<std::int64_t>(1000'00 + rng_.below(1000'00));
      add(node::Contribute{c + 1, amount, node::ContributionKind::money, "union dues, week " + std::to_string(week), ""},
          union_, 0, amount);
    }
    const std::uint64_t transfers = std::max<std::uint64_t>(1, o_.members / 5);
    for (std::uint64_t t = 0; t < transfers && o_.members > 1; ++t) {
      std::uint64_t from = rng_.below(o_.members), to = rng_.below(o_.members - 1);
      if (to >= from) ++to;
      const auto& mine = person_memberships_[from];
      const auto& theirs = person_memberships_[to];
      const std::uint64_t from_member = mine[rng_.below(mine.size())];
      const std::uint64_t to_member = theirs.size() == 1 ? 0 : theirs[rng_.below(theirs.size())];
      std::int64_t amount = static_cast<std::int64_t>(1'00 + rng_.below(200'00));
      add(node::Transfer{from_member, person_id(to), to_member, amount, ""}, people_[from], 1, amount);
    }
    const std::uint64_t returns = std::max<std::uint64_t>(1, o_.members / 300);
    for (std::uint64_t r = 0; r < returns; ++r) {
      const Membership& ms = memberships_[rng_.below(memberships_.size())];
      std::int64_t amount = static_cast<std::int64_t>(10'00 + rng_.below(50'00));
      add(node::ReturnShare{ms.id, amount}, coops_[ms.coop], 2, amount);
    }
    auto receipts = submit_all(batch);
    std::uint64_t applied[3] = {}, rejected = 0;
    for (std::size_t i = 0; i < receipts.size(); ++i) {
      if (!receipts[i].applied) {
        ++rejected;
        ++rejections_[std::string(node::code_name(receipts[i].error.code))];
        continue;
      }
      ++applied[kinds[i]];
      if (kinds[i] == 0) contributed_ += amounts[i];
      if (kinds[i] == 2) returned_ += amounts[i];
    }
    network_week(week);
    // The clock moves a week: day 7 * week (the genesis date is a Monday).
    auto adv = submit({sign(node::AdvancePeriod{7 * week}, clock_)});
    if (!expect_all(adv, "advancing the period")) return false;
    total_tx_ += receipts.size() + 1;
    std::cout << "week " << week << "/" << o_.weeks << ": " << applied[0] << " contributions, " << applied[1]
              << " transfers, " << applied[2] << " returns applied, " << rejected << " rejected; height "
              << node_->ledger().summary().height << "\n";
    return true;
  }

  // Person ids: the union and the societies are persons 1..coops+1, the
  // people follow in order of admission.
  std::uint64_t person_id(std::uint64_t index) const { return o_.coops + 2 + index; }

  // The module of a charter version, for article citations.
  const vm::Module* module_of(node::State& st, std::uint64_t coop, std::uint32_t version) {
    auto it = modules_.find({coop, version});
    if (it != modules_.end()) return &it->second;
    auto c = st.charter(coop, version);
    if (!c) return nullptr;
    auto parsed = vm::parse(c->module);
    if (!parsed) return nullptr;
    return &modules_.emplace(std::pair{coop, version}, parsed.value()).first->second;
  }

  std::string citation(node::State& st, const node::Posting& p) {
    if (p.article == 0) return std::string(node::kind_name(static_cast<node::TxKind>(p.tx_kind)));
    const vm::Module* m = module_of(st, p.charter_coop, p.charter_version);
    if (!m || p.article > m->articles.size()) return "article #" + std::to_string(p.article);
    const vm::Article& a = m->articles[p.article - 1];
    std::string title = a.titles.count("en") ? a.titles.at("en") : a.titles.empty() ? "" : a.titles.begin()->second;
    return m->header.name + " v" + std::to_string(p.charter_version) + ", art. " + a.number + " \"" + title + "\"";
  }

  int report() {
    using abi::AccountKind;
    using abi::account_handle;
    node::Overlay view(node_->ledger().store());
    node::State st(view);
    // Demurrage is charged lazily, when an account is next touched; settle
    // every account in a scratch view to see the ledger as of now.
    node_->ledger().install_settler(st);
    for (std::uint64_t id = 1; id <= st.members_count(); ++id) {
      if (auto e = st.settle(id)) {
        std::cerr << "artel demo: settling member " << id << ": " << e->message << "\n";
        return 1;
      }
    }
    const node::Calendar cal(st.genesis_day());
    std::cout << "\n== totals after " << o_.weeks << " weeks (" << cal.date(st.day()) << ", every account settled)\n";
    std::int64_t shares = 0, own = 0;
    for (std::uint64_t id = 1; id <= st.members_count(); ++id) shares += st.account(account_handle(AccountKind::share, id)).balance;
    for (std::uint64_t c = 1; c <= st.coops_count(); ++c) {
      const std::int64_t o = st.account(account_handle(AccountKind::cooperative, c)).balance;
      own += o;
      std::cout << "cooperative " << c << (c == 1 ? " (union)" : "") << ": cooperative account " << money(st.coop_aggregate(c))
                << " RUB, own account " << money(o) << " RUB\n";
    }
    const std::int64_t fund = st.account(account_handle(AccountKind::fund, 0)).balance;
    // Every account the ledger keeps, charter-declared ones included.
    std::int64_t held = 0, others = 0;
    view.scan("A", [&](std::string_view k, std::string_view) {
      if (k.size() != 9) return true;
      const std::uint64_t handle = node::get_be64(k.substr(1));
      const std::int64_t b = st.account(handle).balance;
      held += b;
      const auto kind = abi::account_kind(handle);
      if (kind != AccountKind::share && kind != AccountKind::cooperative && kind != AccountKind::fund) others += b;
      return true;
    });
    std::cout << "platform fund: " << money(fund) << " RUB\n";
    {
      std::int64_t deposits = 0;
      for (std::uint64_t m : network_)
        deposits += st.account(account_handle(AccountKind::charter, abi::charter_account_owner(network_coop_, 0, m))).balance;
      std::cout << "guarantor network (cooperative " << network_coop_ << "): " << network_.size() << " participants, "
                << 2 * network_.size() << " guarantees; " << deals_ << " deals: " << performed_ << " performed, "
                << compensated_ << " of " << compensations_tried_ << " failed deals compensated from the deposits, "
                << disputes_ << " disputed, " << decided_ << " decided at level 1, " << closed_
                << " carried out after the weeks for an appeal; deposits " << money(deposits) << " RUB\n";
      if (!network_rejections_.empty()) {
        std::cout << "network transactions refused by reason:";
        for (const auto& [code, k] : network_rejections_) std::cout << " " << code << " " << k << ";";
        std::cout << "\n";
      }
    }
    std::cout << "share accounts: " << money(shares) << " RUB; accounts the charters declare: " << money(others) << " RUB\n";
    const std::int64_t expected = contributed_ - returned_;
    std::cout << "conservation: contributions " << money(contributed_) << " - returns " << money(returned_) << " = "
              << money(expected) << " RUB; every account on the ledger = " << money(held)
              << " RUB: " << (held == expected ? "exact" : "MISMATCH") << "\n";
    if (!rejections_.empty()) {
      std::cout << "rejected transactions by reason:";
      for (const auto& [code, n] : rejections_) std::cout << " " << code << " " << n << ";";
      std::cout << "\n";
    }
    const auto summary = node_->ledger().summary();
    std::cout << "transactions: " << total_tx_ << ", blocks: " << summary.height << "\n";
    std::cout << "state digest: " << node::hex(summary.digest) << "\n";

    const std::uint64_t who = o_.statement_member ? o_.statement_member : person_memberships_[0][0];
    const std::uint64_t handle = account_handle(AccountKind::share, who);
    const node::AccountRec rec = st.account(handle);
    std::cout << "\n== statement of member " << who << " (share:" << who << "), " << rec.postings << " postings\n";
    std::cout << "date        amount        balance       transaction       cited (charter, version, article)\n";
    const std::uint64_t shown = 24;
    const std::uint64_t from = rec.postings > shown ? rec.postings - shown : 0;
    if (from > 0) std::cout << "  (" << from << " earlier postings not shown)\n";
    for (const auto& p : st.postings(handle, from, shown)) {
      // A charge settled only in this read-only view has no transaction yet:
      // it is collected when the account is next used.
      std::string tx = p.tx == node::Hash{} ? std::string("(not yet taken)") : node::hex(p.tx).substr(0, 16);
      std::printf("%s  %12s  %12s  %-16s  %s\n", cal.date(p.day).c_str(), money(p.amount).c_str(),
                  money(p.balance).c_str(), tx.c_str(), citation(st, p).c_str());
    }
    std::cout.flush();
    return held == expected ? 0 : 1;
  }

  DemoOptions o_;
  Random rng_;
  std::vector<Charter> society_charters_;
  KeyPair operator_, clock_, union_;
  node::Hash ledger_{};
  std::vector<KeyPair> coops_, people_;
  struct Membership {
    std::uint64_t person = 0;  // index into people_
    std::uint64_t coop = 0;    // index into coops_
    std::uint64_t id = 0;      // the membership's id on the ledger
  };
  std::vector<Membership> memberships_;
  KeyPair network_key_;
  std::uint64_t network_coop_ = 0;
  std::vector<std::uint64_t> network_;  // participant i (person index i): its membership in the network
  std::vector<Pending> votes_;
  std::vector<std::pair<std::uint64_t, Pending>> enforce_;  // (week due, the enforcement)
  std::uint64_t deals_ = 0, performed_ = 0, compensations_tried_ = 0, compensated_ = 0, disputes_ = 0, decided_ = 0,
                closed_ = 0;
  std::map<std::string, std::uint64_t> network_rejections_;
  std::vector<std::vector<std::uint64_t>> person_memberships_;  // by person index
  std::map<node::PublicKey, std::uint64_t> nonces_;
  std::unique_ptr<node::Node> node_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, vm::Module> modules_;
  std::map<std::string, std::uint64_t> rejections_;
  std::int64_t contributed_ = 0, returned_ = 0;
  std::uint64_t total_tx_ = 0;
};

}  // namespace

void add_demo_commands(CLI::App& app, Context& ctx) {
  static DemoOptions opts;
  auto* demo = app.add_subcommand("demo", "Run the platform and a union of consumer societies on the embedded single node");
  demo->add_option("--members", opts.members, "People in the societies (one in ten joins two)")
      ->check(CLI::Range(2, 10'000'000));
  demo->add_option("--weeks", opts.weeks, "Weeks to run")->check(CLI::Range(1, 10'000));
  demo->add_option("--coops", opts.coops, "Consumer societies in the union")->check(CLI::Range(1, 1000));
  demo->add_option("--seed", opts.seed, "Seed of every key and every random choice");
  demo->add_option("--data", opts.data, "Data directory (default: a temporary one, removed at the end)");
  demo->add_option("--platform-charter", opts.platform_charter, "Platform charter source (default: charters/platform.artel)");
  demo->add_option("--charter", opts.charters,
                   "A society's charter source, repeatable, given to the societies in turn "
                   "(default: charters/consumer_society.artel and charters/village_society.artel)");
  demo->add_option("--statement", opts.statement_member, "Member whose statement to print");
  demo->callback([&ctx] { ctx.exit_code = Demo(opts).run(); });
}

}  // namespace artel::cli
