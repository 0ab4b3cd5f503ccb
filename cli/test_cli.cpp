// `artel test FILE...`: runs charter scenarios (docs/testing.md) on the real
// in-process ledger: RocksDB in a temporary folder, real Ed25519 keys and
// signatures, modules built by the real compiler from the charters' sources.
// Each failed expectation is reported as `file:line: expected ..., got ...`;
// the exit status is 0 when every scenario passed, 1 otherwise.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "charter_build.h"
#include "commands.h"
#include "decimal.h"
#include "file_io.h"
#include "keys.h"
#include "node/genesis.h"
#include "node/ledger.h"
#include "node/state.h"
#include "node/transaction.h"
#include "scenario.h"
#include "vm/abi.h"
#include "vm/module.h"

namespace artel::cli {

namespace {

namespace fs = std::filesystem;
using namespace scenario;
using abi::account_handle;
using abi::AccountKind;
using node::KeyPair;

// A scenario that cannot go on (an unknown name, a charter that does not
// compile, a setup step the ledger refused).
struct Stop {
  Where at;
  std::string message;
};

struct Money {
  int scale = 2;
  std::string currency;  // empty: any
};

bool currency_matches(const std::string& written, const std::string& charter) {
  if (charter.empty() || written == charter) return true;
  if (charter == "RUB") return written.rfind("руб", 0) == 0 || written == "₽";
  return false;
}

KeyPair derive_key(const std::string& scope, const std::string& role, const std::string& name) {
  return key_from_text("artel-test|" + scope + "|" + role + "|" + name);
}

// What `artel test` found over all files: counts and, per charter file,
// which articles the scenarios exercised.
struct Totals {
  std::size_t scenarios = 0, failed_scenarios = 0, expectations = 0, failed_expectations = 0, errors = 0;
  std::map<std::string, std::shared_ptr<const CompiledCharter>> charters;  // by path
  std::map<std::string, std::set<std::string>> exercised;                  // path -> article numbers
};

class Runner {
 public:
  // `keep`: when not empty, the scenario's ledger is moved there at the
  // end (with genesis.json and every party's key file) instead of removed.
  Runner(const File& file, const Scenario& sc, Totals& totals,
         std::map<std::string, std::shared_ptr<const CompiledCharter>>& cache, fs::path keep = {})
      : file_(file), sc_(sc), totals_(totals), cache_(cache), keep_(std::move(keep)) {}

  // Runs the scenario; returns whether every expectation held.
  bool run() {
    std::random_device rd;
    dir_ =
        fs::temp_directory_path() / ("artel-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    bool ok = true;
    try {
      start_ledger();
      for (const Step& s : sc_.steps) {
        if (!is_expectation(s.kind)) check_unexpected_refusal();
        run_step(s);
      }
      check_unexpected_refusal();
    } catch (const Stop& e) {
      std::cout << file_.path << ":" << e.at.line << ":" << e.at.col << ": error: " << e.message << "\n";
      stopped_ = true;
    }
    ok = failures_ == 0 && !stopped_;
    view_.reset();
    view_kv_.reset();
    ledger_.reset();
    std::error_code ec;
    if (!keep_.empty() && fs::exists(dir_)) keep_ledger();
    fs::remove_all(dir_, ec);
    return ok;
  }

  std::size_t expectations() const { return expectations_; }
  std::size_t failures() const { return failures_; }
  bool stopped() const { return stopped_; }

 private:
  struct Party {
    bool coop = false;
    KeyPair key;
    std::uint64_t coop_id = 0;  // coop: its cooperative id
  };

  static bool is_expectation(StepKind k) {
    return k == StepKind::expect_balance || k == StepKind::expect_refused || k == StepKind::expect_event ||
           k == StepKind::expect_statement || k == StepKind::expect_state;
  }

  void fail(const Step& s, const std::string& message) {
    std::cout << file_.path << ":" << s.at.line << ": " << message << "\n";
    ++failures_;
  }

  // ---- the ledger

  // The ledger as arteld opens it (`arteld --data DIR`): its genesis
  // document, and a key file (the hex seed, as `artel keygen` writes) for
  // the council, the clock and every party, under keys/.
  void keep_ledger() {
    fs::remove_all(keep_);
    fs::create_directories(keep_.parent_path().empty() ? fs::path(".") : keep_.parent_path());
    fs::rename(dir_, keep_);
    {
      std::ofstream(keep_ / "genesis.json") << genesis_;
    }
    fs::create_directories(keep_ / "keys");
    auto write_key = [&](const std::string& name, const KeyPair& k) {
      const fs::path f = keep_ / "keys" / (name + ".key");
      std::ofstream(f) << k.seed_hex() << "\n";
      fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    };
    write_key("council", council_);
    write_key("clock", clock_);
    for (const auto& [name, p] : parties_) write_key(name, p.key);
    std::cout << "kept  " << keep_.string() << ": the ledger of \"" << sc_.title << "\" (arteld --data "
              << keep_.string() << ")\n";
  }

  void start_ledger() {
    node::crypto_init();
    council_ = derive_key(sc_.title, "council", "");
    clock_ = derive_key(sc_.title, "clock", "");
    node::Genesis g;
    g.platform = "artel test: " + sc_.title;
    g.council = {council_.pk};
    g.clock_key = clock_.pk;
    g.created = "2026-01-05";
    g.salt = derive_key(sc_.title, "genesis", "").pk;
    genesis_ = g.document();
    ledger_ = std::make_unique<node::Ledger>(dir_.string(), genesis_);
    refresh_view();
  }

  std::uint64_t next_nonce(const node::PublicKey& pk) {
    node::Overlay v(ledger_->store());
    node::State st(v);
    auto person = st.person_by_key(pk);
    return (person ? st.nonce(*person) : st.key_nonce(pk)) + 1;
  }

  node::Receipt submit(node::TxBody body, const KeyPair& key,
                       const std::vector<const KeyPair*>& approvers = {}) {
    node::Transaction tx;
    tx.signer = key.pk;
    tx.nonce = next_nonce(key.pk);
    tx.body = std::move(body);
    for (const KeyPair* a : approvers) node::add_approval(tx, *a, ledger_->id());
    node::Bytes bytes = node::sign_transaction(tx, key, ledger_->id());
    std::vector<node::Prepared> batch;
    batch.push_back(node::prepare(std::move(bytes), ledger_->id()));
    return ledger_->apply_block(batch).receipts.at(0);
  }

  // A setup step the ledger must take; the scenario stops when it does not.
  void must(const Step& s, const node::Receipt& r, const std::string& what) {
    if (!r.applied)
      throw Stop{s.at, what + " was refused: " + std::string(node::code_name(r.error.code)) + ": " +
                           r.error.message};
  }

  // Records a step's outcome for the expectations that follow it.
  void outcome(const Step& s, std::vector<node::Receipt> receipts) {
    last_step_ = &s;
    last_refusal_.reset();
    last_refusal_checked_ = false;
    last_events_.clear();
    for (auto& r : receipts) {
      for (auto& e : r.events) last_events_.push_back(e);
      if (!r.applied && !last_refusal_) last_refusal_ = r.error;
    }
    refresh_view();
    if (s.kind == StepKind::advance)
      for (auto& e : view_events_) last_events_.push_back(e);
  }

  void check_unexpected_refusal() {
    if (last_step_ && last_refusal_ && !last_refusal_checked_) {
      std::cout << file_.path << ":" << last_step_->at.line
                << ": expected the step to be carried out, got refused: "
                << node::code_name(last_refusal_->code) << ": " << last_refusal_->message << "\n";
      ++expectations_;  // a step without `expect refused` after it is expected to be carried out
      ++failures_;
      last_refusal_checked_ = true;
    }
  }

  // The ledger as of now: every share account settled (the lazy periodic
  // charges taken) in a scratch overlay, as a member's statement shows it;
  // and the lines each account gained since the previous step.
  void refresh_view() {
    view_.reset();
    view_kv_ = std::make_unique<node::Overlay>(ledger_->store());
    view_ = std::make_unique<node::State>(*view_kv_);
    ledger_->install_settler(*view_);
    view_events_.clear();
    view_->set_event_sink(&view_events_);
    for (std::uint64_t m = 1; m <= view_->members_count(); ++m)
      if (auto e = view_->settle(m))
        throw Stop{last_step_ ? last_step_->at : sc_.at,
                   "the period charges of share(" + member_text(m) + ") cannot be taken: " + e->message};
    view_->set_event_sink(nullptr);
    new_lines_.clear();
    for (std::uint64_t h : known_accounts()) {
      const node::AccountRec rec = view_->account(h);
      std::uint64_t& seen = seen_lines_[h];
      if (rec.postings > seen) {
        auto lines = view_->postings(h, seen, rec.postings - seen);
        for (const auto& p : lines) exercised(p.charter_coop, p.charter_version, p.article);
        new_lines_[h] = std::move(lines);
      }
      seen = rec.postings;
    }
  }

  std::vector<std::uint64_t> known_accounts() {
    std::vector<std::uint64_t> out;
    for (std::uint64_t m = 1; m <= view_->members_count(); ++m)
      out.push_back(account_handle(AccountKind::share, m));
    for (std::uint64_t c = 1; c <= view_->coops_count(); ++c)
      out.push_back(account_handle(AccountKind::cooperative, c));
    out.push_back(account_handle(AccountKind::fund, 0));
    for (const auto& [key, charter] : deployed_) {
      const std::uint64_t coop = key.first;
      for (std::size_t f = 0; f < charter->typed.accounts.size(); ++f) {
        if (!charter->typed.accounts[f].keyed) {
          out.push_back(account_handle(AccountKind::charter, abi::charter_account_owner(coop, f, 0)));
          continue;
        }
        for (std::uint64_t m = 1; m <= view_->members_count(); ++m)
          out.push_back(account_handle(AccountKind::charter, abi::charter_account_owner(coop, f, m)));
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // ---- charters

  std::shared_ptr<const CompiledCharter> compile(const Step& s, const std::string& written) {
    fs::path p = written;
    if (p.is_relative()) p = fs::path(file_.path).parent_path() / p;
    const std::string path = p.lexically_normal().string();
    if (auto it = cache_.find(path); it != cache_.end()) return it->second;
    std::ostringstream diags;
    auto c = compile_charter_file(path, diags);
    if (!c) {
      std::string d = diags.str();
      while (!d.empty() && d.back() == '\n') d.pop_back();
      throw Stop{s.at, "the charter " + path + " does not compile:\n" + d};
    }
    auto shared = std::make_shared<const CompiledCharter>(std::move(*c));
    cache_[path] = shared;
    totals_.charters[path] = shared;
    return shared;
  }

  // The charter version in force for cooperative `coop` (0: the platform).
  std::shared_ptr<const CompiledCharter> in_force(std::uint64_t coop) {
    const node::CharterSlot slot = view_->charter_slot(coop);
    auto it = deployed_.find({coop, slot.active});
    return it == deployed_.end() ? nullptr : it->second;
  }
  std::shared_ptr<const CompiledCharter> version(std::uint64_t coop, std::uint32_t v) {
    auto it = deployed_.find({coop, v});
    return it == deployed_.end() ? nullptr : it->second;
  }

  void exercised(std::uint64_t coop, std::uint32_t v, std::uint32_t ordinal) {
    auto c = version(coop, v);
    if (!c || ordinal == 0 || ordinal > c->built.module.articles.size()) return;
    totals_.exercised[c->path].insert(c->built.module.articles[ordinal - 1].number);
  }
  void exercised_entry(std::uint64_t coop, const std::string& entry) {
    auto c = in_force(coop);
    if (!c) return;
    for (const auto& e : c->built.module.entries)
      if (e.name == entry) totals_.exercised[c->path].insert(e.article);
  }

  Money money_of(std::uint64_t coop) {
    auto c = in_force(coop);
    if (!c) c = in_force(0);
    if (!c) return Money{2, ""};
    return Money{static_cast<int>(c->typed.scale), c->typed.currency};
  }

  std::string money_text(std::int64_t minor, const Money& m) {
    return typed::format_money(minor, m.scale) + (m.currency.empty() ? "" : " " + m.currency);
  }

  // ---- names

  Party& party(const std::string& name, Where at) {
    auto it = parties_.find(name);
    if (it == parties_.end())
      throw Stop{at, "no person or cooperative is called '" + name + "' in this scenario"};
    return it->second;
  }

  std::uint64_t coop_id(const std::string& name, Where at) {
    if (name == "platform" || name == "платформа") return 0;
    Party& p = party(name, at);
    if (!p.coop) throw Stop{at, "'" + name + "' is a person, not a cooperative"};
    return p.coop_id;
  }

  std::uint64_t person_id(const std::string& name, Where at) {
    Party& p = party(name, at);
    auto id = view_->person_by_key(p.key.pk);
    if (!id) throw Stop{at, "'" + name + "' is a member of no cooperative yet (admit it first)"};
    return *id;
  }

  // A membership: the one the reference names, else the one in `context`
  // (the cooperative whose charter is running), else the person's only one.
  std::uint64_t membership(const MemberRef& r, std::optional<std::uint64_t> context = std::nullopt) {
    const std::uint64_t person = person_id(r.name, r.at);
    if (!r.coop.empty()) {
      const std::uint64_t c = coop_id(r.coop, r.at);
      auto m = view_->membership(person, c);
      if (!m) throw Stop{r.at, "'" + r.name + "' is not a member of " + r.coop};
      return *m;
    }
    if (context && *context != 0)
      if (auto m = view_->membership(person, *context)) return *m;
    auto all = view_->memberships(person);
    if (all.size() == 1) return all[0];
    if (all.empty()) throw Stop{r.at, "'" + r.name + "' is a member of no cooperative"};
    std::string coops;
    for (std::size_t i = 0; i < all.size(); ++i)
      coops += (i == 0                ? ""
                : i + 1 == all.size() ? " and "
                                      : ", ") +
               coop_name(view_->member(all[i])->coop_id);
    throw Stop{r.at, "'" + r.name + "' is a member of " + coops + ": write '" + r.name + " in COOPERATIVE'"};
  }

  std::string coop_name(std::uint64_t id) {
    if (id == 0) return "platform";
    for (const auto& [name, p] : parties_)
      if (p.coop && p.coop_id == id) return name;
    return "cooperative " + std::to_string(id);
  }

  std::string member_text(std::uint64_t member) {
    auto m = view_->member(member);
    if (!m) return "member " + std::to_string(member);
    auto person = view_->person(m->person);
    std::string name = "member " + std::to_string(member);
    if (person)
      for (const auto& [n, p] : parties_)
        if (p.key.pk == person->key) name = n;
    if (view_->memberships(m->person).size() > 1) name += " in " + coop_name(m->coop_id);
    return name;
  }

  std::string account_text(std::uint64_t h) {
    switch (abi::account_kind(h)) {
      case AccountKind::share:
        return "share(" + member_text(abi::account_owner(h)) + ")";
      case AccountKind::cooperative:
        return "own(" + coop_name(abi::account_owner(h)) + ")";
      case AccountKind::fund:
        return "fund";
      default:
        return node::account_name(h);
    }
  }

  // The cooperative whose charter's money an account is counted in.
  std::uint64_t account_coop(std::uint64_t h) {
    switch (abi::account_kind(h)) {
      case AccountKind::share: {
        auto m = view_->member(abi::account_owner(h));
        return m ? m->coop_id : 0;
      }
      case AccountKind::cooperative:
        return abi::account_owner(h);
      case AccountKind::charter:
        return abi::charter_account_coop(abi::account_owner(h));
      default:
        return 0;
    }
  }

  std::uint64_t account(const AccountRef& a) {
    switch (a.kind) {
      case AccountRef::Kind::share:
        return account_handle(AccountKind::share, membership(a.member));
      case AccountRef::Kind::own: {
        const std::uint64_t c = coop_id(a.coop, a.at);
        if (c == 0) throw Stop{a.at, "the platform has no own account; its money is the fund"};
        return account_handle(AccountKind::cooperative, c);
      }
      case AccountRef::Kind::fund:
        return account_handle(AccountKind::fund, 0);
      case AccountRef::Kind::charter: {
        const std::uint64_t c = coop_id(a.coop, a.at);
        auto ch = in_force(c);
        if (!ch) throw Stop{a.at, a.coop + " has no charter"};
        for (std::size_t f = 0; f < ch->typed.accounts.size(); ++f) {
          const auto& fam = ch->typed.accounts[f];
          if (fam.name != a.family) continue;
          if (fam.keyed != a.keyed)
            throw Stop{a.at,
                       "the account " + a.family +
                           (fam.keyed ? " is kept per member: write " + a.coop + "." + a.family + "[MEMBER]"
                                      : " is a single account: write " + a.coop + "." + a.family)};
          const std::uint64_t m = a.keyed ? membership(a.member, c) : 0;
          return account_handle(AccountKind::charter, abi::charter_account_owner(c, f, m));
        }
        throw Stop{a.at, "the charter of " + a.coop + " declares no account '" + a.family + "'"};
      }
    }
    return 0;
  }

  // ---- values

  std::int64_t money_value(const Value& v, const Money& m) {
    if (v.kind != Value::Kind::money)
      throw Stop{v.at, "expected an amount of money with its currency (e.g. 100.00 " +
                           (m.currency.empty() ? std::string("RUB") : m.currency) + "), found '" + v.text() +
                           "'"};
    if (!currency_matches(v.currency, m.currency))
      throw Stop{v.at, "the charter's currency is " + m.currency + ", not " + v.currency};
    std::string why;
    auto r = parse_fixed(v.digits, m.scale, why);
    if (!r)
      throw Stop{v.at, v.text() + " " + why + "; the charter counts money to " + std::to_string(m.scale) +
                           " decimal places"};
    return *r;
  }

  // A value as the charter's type `type` carries it, in the context of the
  // charter of cooperative `coop`.
  std::int64_t typed_value(const Value& v, const std::string& type, std::uint64_t coop) {
    auto want = [&](Value::Kind k, const char* what) {
      if (v.kind != k)
        throw Stop{v.at, "expected " + std::string(what) + " (a " + type + "), found '" + v.text() + "'"};
    };
    std::string why;
    if (type == "money") return money_value(v, money_of(coop));
    if (type == "rate") {
      want(Value::Kind::rate, "a rate such as 0.5%");
      auto r = parse_fixed(v.digits, 7, why);  // parts per billion: 1% = 10^7
      if (!r) throw Stop{v.at, v.text() + " " + why + "; rates are exact to 7 decimal places of a percent"};
      return *r;
    }
    if (type == "member") {
      want(Value::Kind::name, "a member");
      return static_cast<std::int64_t>(membership(v.name, coop));
    }
    if (type == "cooperative") {
      want(Value::Kind::name, "a cooperative");
      return static_cast<std::int64_t>(coop_id(v.name.name, v.at));
    }
    if (type == "bool") {
      want(Value::Kind::boolean, "true or false");
      return v.flag ? 1 : 0;
    }
    want(Value::Kind::number, "a whole number");
    auto r = parse_fixed(v.digits, 0, why);
    if (!r) throw Stop{v.at, v.text() + " " + why + "; a " + type + " is a whole number"};
    return *r;
  }

  std::string typed_text(std::int64_t x, const std::string& type, std::uint64_t coop) {
    if (type == "money") return money_text(x, money_of(coop));
    if (type == "rate") return typed::format_rate(x);
    if (type == "member") return member_text(static_cast<std::uint64_t>(x));
    if (type == "cooperative") return coop_name(static_cast<std::uint64_t>(x));
    if (type == "bool") return x ? "true" : "false";
    return std::to_string(x);
  }

  const KeyPair& signer_key(const MemberRef& r) {
    if (r.name == "council" || r.name == "совет") return council_;
    return party(r.name, r.at).key;
  }

  std::vector<const KeyPair*> approver_keys(const Step& s) {
    std::vector<const KeyPair*> out;
    for (const auto& n : s.names) out.push_back(&signer_key(MemberRef{n, "", s.at}));
    return out;
  }

  const KeyPair& coop_key(std::uint64_t coop, Where at) {
    for (const auto& [name, p] : parties_)
      if (p.coop && p.coop_id == coop) return p.key;
    throw Stop{at, "cooperative " + std::to_string(coop) + " is not named in this scenario"};
  }

  // ---- steps

  void hooks_ran(std::uint64_t member_coop, const char* hook) {
    exercised_entry(0, hook);
    exercised_entry(member_coop, hook);
  }

  void run_step(const Step& s) {
    switch (s.kind) {
      case StepKind::platform: {
        auto c = compile(s, s.path);
        must(s, submit(node::DeployCharter{0, c->built.bytes, c->source}, council_),
             "deploying the platform charter");
        deployed_[{0, 1}] = c;
        outcome(s, {});
        return;
      }
      case StepKind::cooperative: {
        if (parties_.count(s.coop)) throw Stop{s.at, "'" + s.coop + "' is named already"};
        Party p{true, derive_key(sc_.title, "coop", s.coop), 0};
        must(s, submit(node::RegisterCoop{p.key.pk, s.coop}, council_), "registering " + s.coop);
        refresh_view();
        p.coop_id = view_->coops_count();
        parties_[s.coop] = p;
        if (!s.path.empty()) {
          auto c = compile(s, s.path);
          must(s, submit(node::DeployCharter{p.coop_id, c->built.bytes, c->source}, p.key),
               "deploying the charter of " + s.coop);
          deployed_[{p.coop_id, 1}] = c;
        }
        outcome(s, {});
        return;
      }
      case StepKind::person:
        for (const auto& n : s.names) {
          if (parties_.count(n)) throw Stop{s.at, "'" + n + "' is named already"};
          parties_[n] = Party{false, derive_key(sc_.title, "person", n), 0};
        }
        return;
      case StepKind::admit: {
        const std::uint64_t c = coop_id(s.coop, s.at);
        std::vector<node::Receipt> rs;
        for (const auto& n : s.names) {
          if (!parties_.count(n)) parties_[n] = Party{false, derive_key(sc_.title, "person", n), 0};
          const Party& p = parties_[n];
          rs.push_back(submit(node::AdmitMember{c, p.key.pk, p.coop ? p.coop_id : 0}, coop_key(c, s.at)));
        }
        outcome(s, std::move(rs));
        return;
      }
      case StepKind::contribution: {
        const std::uint64_t m = membership(s.member);
        const std::uint64_t c = view_->member(m)->coop_id;
        const std::int64_t amount = money_value(*s.amount, money_of(c));
        hooks_ran(c, "on_contribute");
        outcome(s, {submit(node::Contribute{m, amount, node::ContributionKind::money, "", ""},
                           coop_key(c, s.at))});
        return;
      }
      case StepKind::transfer: {
        const std::uint64_t from = membership(s.member);
        const std::uint64_t c = view_->member(from)->coop_id;
        const std::int64_t amount = money_value(*s.amount, money_of(c));
        const std::uint64_t to_person = person_id(s.to.name, s.to.at);
        const std::uint64_t to_member = s.to.coop.empty() ? 0 : membership(s.to);
        hooks_ran(c, "on_transfer");
        outcome(s,
                {submit(node::Transfer{from, to_person, to_member, amount, s.text}, signer_key(s.member))});
        return;
      }
      case StepKind::return_share: {
        const std::uint64_t m = membership(s.member);
        const std::uint64_t c = view_->member(m)->coop_id;
        const std::int64_t amount = money_value(*s.amount, money_of(c));
        hooks_ran(c, "on_return");
        outcome(s, {submit(node::ReturnShare{m, amount}, coop_key(c, s.at))});
        return;
      }
      case StepKind::call:
        return run_call(s);
      case StepKind::advance: {
        // The clock moves by days; a week is seven days, a month runs to the
        // first day of a later month, a period is the platform charter's.
        node::Overlay now(ledger_->store());
        node::State st(now);
        const node::Calendar cal(st.genesis_day());
        std::string unit = s.unit;
        if (unit == "period") {
          auto platform = in_force(0);
          unit = platform && platform->built.module.header.period == vm::PeriodKind::Month ? "month" : "week";
        }
        const std::uint64_t from = st.day();
        std::uint64_t to = from;
        if (unit == "day") to += s.count;
        if (unit == "week") to += 7 * s.count;
        if (unit == "month") to = cal.first_day(vm::PeriodKind::Month, cal.index(vm::PeriodKind::Month, to) + s.count);
        std::vector<node::Receipt> rs;
        // At most a year per transaction, as the clock key would.
        for (std::uint64_t at = from; at < to;) {
          at = std::min(to, at + node::kMaxClockStep);
          rs.push_back(submit(node::AdvancePeriod{at}, clock_));
          if (!rs.back().applied) break;
        }
        // The periodic clauses of every charter whose period ended ran.
        for (const auto& [key, charter] : deployed_) {
          if (in_force(key.first) != charter) continue;
          const vm::PeriodKind kind = charter->built.module.header.period;
          if (cal.index(kind, to) == cal.index(kind, from)) continue;
          for (const auto& e : charter->built.module.entries)
            if (e.kind == vm::EntryKind::Periodic || e.kind == vm::EntryKind::PerAccount)
              totals_.exercised[charter->path].insert(e.article);
        }
        outcome(s, std::move(rs));
        return;
      }
      case StepKind::amend: {
        const std::uint64_t c = coop_id(s.coop, s.at);
        const node::CharterSlot before = view_->charter_slot(c);
        const std::uint32_t next = before.latest + 1;
        auto ch = s.settings.empty() ? compile(s, s.path) : amended(s, c, next);
        exercised_entry(c, "on_amend");
        auto r = submit(node::AmendCharter{c, ch->built.bytes, ch->source}, signer_key(s.member),
                        approver_keys(s));
        if (r.applied) deployed_[{c, next}] = ch;
        outcome(s, {r});
        return;
      }
      case StepKind::expect_balance:
        return expect_balance(s);
      case StepKind::expect_refused:
        return expect_refused(s);
      case StepKind::expect_event:
        return expect_event(s);
      case StepKind::expect_statement:
        return expect_statement(s);
      case StepKind::expect_state:
        return expect_state(s);
    }
  }

  // The charter in force with the parameters `s` sets and the next
  // version number: what a lawyer gets by editing those lines of the source.
  std::shared_ptr<const CompiledCharter> amended(const Step& s, std::uint64_t coop, std::uint32_t next) {
    auto base = in_force(coop);
    if (!base) throw Stop{s.at, coop_name(coop) + " has no charter to amend"};
    std::istringstream in(base->source);
    std::string out, line;
    std::set<std::string> done;
    bool versioned = false;
    auto starts = [](const std::string& l, std::initializer_list<const char*> words) {
      const std::size_t b = l.find_first_not_of(" \t");
      if (b == std::string::npos) return std::string::npos;
      for (const char* w : words) {
        const std::string ws = std::string(w) + " ";
        if (l.compare(b, ws.size(), ws) == 0) return b + ws.size();
      }
      return std::string::npos;
    };
    while (std::getline(in, line)) {
      if (!versioned) {
        if (auto at = starts(line, {"charter", "устав"}); at != std::string::npos) {
          for (const char* w : {" version ", " версия "}) {
            const auto v = line.find(w, at);
            if (v == std::string::npos) continue;
            const auto num = v + std::string(w).size();
            auto end = line.find_first_not_of("0123456789", num);
            line = line.substr(0, num) + std::to_string(next) +
                   (end == std::string::npos ? "" : line.substr(end));
            versioned = true;
          }
        }
      }
      if (auto at = starts(line, {"parameter", "параметр"}); at != std::string::npos) {
        const auto colon = line.find(':', at);
        const auto eq = line.find('=', at);
        const std::string name = colon == std::string::npos ? "" : line.substr(at, colon - at);
        for (const auto& [pname, value] : s.settings) {
          if (pname != name || eq == std::string::npos) continue;
          const auto comment = line.find("//", eq);
          std::string written =
              value.kind == Value::Kind::money
                  ? value.digits + " " +
                        (base->typed.currency.empty() ? value.currency : base->typed.currency)
                  : value.text();
          line = line.substr(0, eq + 1) + " " + written +
                 (comment == std::string::npos ? "" : "  " + line.substr(comment));
          done.insert(pname);
        }
      }
      out += line + "\n";
    }
    for (const auto& [pname, value] : s.settings)
      if (!done.count(pname))
        throw Stop{value.at, "the charter of " + coop_name(coop) + " has no parameter '" + pname + "'"};
    if (!versioned) throw Stop{s.at, "cannot find the version in the header of " + base->path};
    const fs::path tmp = dir_ / ("amended-" + std::to_string(coop) + "-v" + std::to_string(next) + ".artel");
    {
      std::ofstream f(tmp);
      f << out;
    }
    std::ostringstream diags;
    auto c = compile_charter_file(tmp.string(), diags);
    if (!c) throw Stop{s.at, "the amended charter does not compile:\n" + diags.str()};
    c->path = base->path;  // coverage counts it with the charter it amends
    return std::make_shared<const CompiledCharter>(std::move(*c));
  }

  void run_call(const Step& s) {
    std::uint64_t c = 0;
    std::uint64_t member_id = 0;
    const bool by_council = s.member.name == "council" || s.member.name == "совет";
    const Party* signer = by_council ? nullptr : &party(s.member.name, s.member.at);
    if (!s.coop.empty()) {
      c = coop_id(s.coop, s.at);
    } else if (signer && signer->coop && s.member.coop.empty()) {
      c = signer->coop_id;
    } else if (signer) {
      member_id = membership(s.member);
      c = view_->member(member_id)->coop_id;
    }
    if (signer && member_id == 0 && !(signer->coop && s.member.coop.empty())) {
      const std::uint64_t person = person_id(s.member.name, s.member.at);
      if (!s.member.coop.empty())
        member_id = membership(s.member);
      else if (auto m = view_->membership(person, c))
        member_id = *m;
    }
    auto ch = in_force(c);
    const vm::EntryPoint* entry = nullptr;
    if (ch)
      for (const auto& e : ch->built.module.entries)
        if (e.name == s.rule && e.kind == vm::EntryKind::Rule) entry = &e;
    std::vector<std::int64_t> args;
    for (std::size_t i = 0; i < s.args.size(); ++i) {
      const std::string type = entry && i < entry->params.size() ? entry->params[i].type : "int";
      args.push_back(typed_value(s.args[i], type, c));
    }
    if (entry) totals_.exercised[ch->path].insert(entry->article);
    outcome(s, {submit(node::CallRule{c, member_id, s.rule, args}, signer_key(s.member), approver_keys(s))});
  }

  // ---- expectations

  void expect_balance(const Step& s) {
    ++expectations_;
    const std::uint64_t h = account(s.account);
    const Money m = money_of(account_coop(h));
    const std::int64_t want = money_value(*s.amount, m);
    const std::int64_t got = view_->account(h).balance;
    if (got != want)
      fail(s, "expected the balance of " + s.account.text() + " to be " + money_text(want, m) + ", got " +
                  money_text(got, m));
  }

  std::string article_number(std::uint64_t coop, std::uint32_t v, std::uint32_t ordinal) {
    auto c = version(coop, v);
    if (!c || ordinal == 0 || ordinal > c->built.module.articles.size()) return "#" + std::to_string(ordinal);
    return c->built.module.articles[ordinal - 1].number;
  }

  void expect_refused(const Step& s) {
    ++expectations_;
    if (!last_step_) return fail(s, "expected a refusal, but no step ran before this line");
    last_refusal_checked_ = true;
    if (!last_refusal_)
      return fail(s, "expected the step at line " + std::to_string(last_step_->at.line) +
                         " to be refused, got carried out");
    const node::TxError& e = *last_refusal_;
    std::string got = std::string(node::code_name(e.code)) + ": " + e.message;
    if (!s.rule.empty()) {
      auto code = node::tx_code_from_name(s.rule);
      if (!code) throw Stop{s.at, "no refusal is called '" + s.rule + "' (docs/transactions.md lists them)"};
      if (*code != e.code) return fail(s, "expected a refusal " + s.rule + ", got " + got);
    }
    if (s.article) {
      const std::string cited = e.article ? article_number(e.charter_coop, e.charter_version, e.article) : "";
      if (cited != std::to_string(*s.article))
        return fail(s, "expected a refusal citing article " + std::to_string(*s.article) + ", got " + got +
                           (cited.empty() ? " (citing no article)"
                                          : " (article " + cited + " of " + coop_name(e.charter_coop) + ")"));
      if (!s.coop.empty() && coop_id(s.coop, s.at) != e.charter_coop)
        return fail(s, "expected a refusal by the charter of " + s.coop + ", got one by the charter of " +
                           coop_name(e.charter_coop) + ": " + got);
    }
    if (!s.text.empty() && e.message.find(s.text) == std::string::npos)
      fail(s, "expected a refusal saying \"" + s.text + "\", got " + got);
  }

  std::string event_text(const node::CharterEvent& e) {
    node::StoredEvent se = node::stored_event(e);
    std::string t = se.name + "(";
    for (std::size_t i = 0; i < se.values.size(); ++i)
      t += (i ? ", " : "") + typed_text(se.values[i].value, se.values[i].type, e.coop);
    return t + ")";
  }

  void expect_event(const Step& s) {
    ++expectations_;
    std::string seen;
    bool named = false;
    for (const auto& e : last_events_) {
      node::StoredEvent se = node::stored_event(e);
      seen += (seen.empty() ? "" : ", ") + event_text(e);
      if (se.name != s.rule) continue;
      named = true;
      bool same = s.args.size() == se.values.size() || !s.has_args;
      for (std::size_t i = 0; s.has_args && same && i < s.args.size(); ++i)
        same = typed_value(s.args[i], se.values[i].type, e.coop) == se.values[i].value;
      if (!same) continue;
      if (s.negated)
        return fail(s, "expected no event " + s.rule + (s.has_args ? " with those values" : "") + ", got " +
                           event_text(e));
      return;
    }
    if (s.negated) return;
    std::string want = s.rule;
    if (s.has_args) {
      want += "(";
      for (std::size_t i = 0; i < s.args.size(); ++i) want += (i ? ", " : "") + s.args[i].text();
      want += ")";
    }
    fail(s, "expected the event " + want + ", got " +
                (seen.empty() ? std::string("no events") : (named ? "" : "only ") + seen));
  }

  std::string line_text(const node::Posting& p, const Money& m) {
    std::string t = (p.amount > 0 ? "+" : "") + money_text(p.amount, m);
    if (p.article == 0)
      return t + " (" + std::string(node::kind_name(static_cast<node::TxKind>(p.tx_kind))) + ")";
    return t + " (article " + article_number(p.charter_coop, p.charter_version, p.article) + " of " +
           coop_name(p.charter_coop) + ")";
  }

  void expect_statement(const Step& s) {
    ++expectations_;
    const std::uint64_t h = account(s.account);
    const Money m = money_of(account_coop(h));
    const std::int64_t want = money_value(*s.amount, m);
    std::optional<std::uint64_t> want_coop;
    if (!s.coop.empty()) want_coop = coop_id(s.coop, s.at);
    std::string seen;
    auto it = new_lines_.find(h);
    if (it != new_lines_.end())
      for (const auto& p : it->second) {
        seen += (seen.empty() ? "" : ", ") + line_text(p, m);
        if (p.amount != want) continue;
        if (s.article &&
            article_number(p.charter_coop, p.charter_version, p.article) != std::to_string(*s.article))
          continue;
        if (want_coop && *want_coop != p.charter_coop) continue;
        if (!s.text.empty()) {
          auto c = version(p.charter_coop, p.charter_version);
          bool titled = false;
          if (c && p.article >= 1 && p.article <= c->built.module.articles.size())
            for (const auto& [lang, title] : c->built.module.articles[p.article - 1].titles)
              titled = titled || title.find(s.text) != std::string::npos;
          if (!titled) continue;
        }
        return;
      }
    std::string want_text = (want > 0 ? "+" : "") + money_text(want, m);
    if (s.article)
      want_text += " citing article " + std::to_string(*s.article) + (s.coop.empty() ? "" : " of " + s.coop);
    if (!s.text.empty()) want_text += " \"" + s.text + "\"";
    fail(s, "expected a line " + want_text + " on the statement of " + s.account.text() + ", got " +
                (seen.empty() ? std::string("no new lines") : seen));
  }

  void expect_state(const Step& s) {
    ++expectations_;
    const std::uint64_t c = coop_id(s.coop, s.at);
    auto ch = in_force(c);
    if (!ch) throw Stop{s.at, s.coop + " has no charter"};
    const typed::StateVar* var = nullptr;
    for (const auto& v : ch->typed.states)
      if (v.name == s.rule) var = &v;
    if (!var) throw Stop{s.at, "the charter of " + s.coop + " keeps no state called '" + s.rule + "'"};
    const bool is_map = var->type.kind == typed::Kind::map;
    typed::Kind vk = is_map ? var->type.value : var->type.kind;
    std::uint64_t slot = static_cast<std::uint64_t>(var->first_slot);
    std::string what = s.coop + "." + s.rule + (is_map && s.key ? "[" + s.key->text() + "]" : "");
    if (vk == typed::Kind::record) {
      const auto& rec = ch->typed.records[static_cast<std::size_t>(var->type.record)];
      if (s.field.empty()) {
        std::string fields;
        for (const auto& f : rec.fields) fields += (fields.empty() ? "" : ", ") + f.name;
        throw Stop{s.at, "'" + s.rule + "' holds records (" + rec.name + "): name a field, one of " + fields};
      }
      std::size_t f = 0;
      while (f < rec.fields.size() && rec.fields[f].name != s.field) ++f;
      if (f == rec.fields.size())
        throw Stop{s.at, "the record " + rec.name + " has no field '" + s.field + "'"};
      vk = rec.fields[f].type.kind;
      slot += 1 + f;
      what += "." + s.field;
    } else if (!s.field.empty()) {
      throw Stop{s.at, "'" + s.rule + "' holds single values, not records with fields"};
    }
    if (vk == typed::Kind::map || vk == typed::Kind::record)
      throw Stop{s.at, "'" + s.rule + "' holds tables; a scenario reads single values"};
    if (is_map != s.key.has_value())
      throw Stop{s.at, is_map ? "'" + s.rule + "' is a table: write " + s.coop + "." + s.rule + "[KEY]"
                              : "'" + s.rule + "' is a single value: write " + s.coop + "." + s.rule +
                                    " without a key"};
    const std::string vtype = typed::kind_name(vk);
    std::int64_t key = 0;
    if (is_map) key = typed_value(*s.key, typed::kind_name(var->type.key), c);
    const std::int64_t want = typed_value(*s.amount, vtype, c);
    const auto presence = static_cast<std::uint64_t>(var->first_slot);
    if (is_map && !view_->cstate_has(c, presence, key))
      return fail(s, "expected " + what + " = " + s.amount->text() + ", got no entry");
    const std::int64_t got = view_->cstate_get(c, slot, key);
    if (got != want)
      fail(s, "expected " + what + " = " + typed_text(want, vtype, c) + ", got " + typed_text(got, vtype, c));
  }

  const File& file_;
  const Scenario& sc_;
  Totals& totals_;
  std::map<std::string, std::shared_ptr<const CompiledCharter>>& cache_;
  fs::path dir_;
  fs::path keep_;
  std::string genesis_;
  std::unique_ptr<node::Ledger> ledger_;
  KeyPair council_, clock_;
  std::map<std::string, Party> parties_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::shared_ptr<const CompiledCharter>> deployed_;
  std::unique_ptr<node::Overlay> view_kv_;
  std::unique_ptr<node::State> view_;
  std::vector<node::CharterEvent> view_events_;
  std::map<std::uint64_t, std::uint64_t> seen_lines_;
  std::map<std::uint64_t, std::vector<node::Posting>> new_lines_;
  const Step* last_step_ = nullptr;
  std::optional<node::TxError> last_refusal_;
  bool last_refusal_checked_ = false;
  std::vector<node::CharterEvent> last_events_;
  std::size_t expectations_ = 0, failures_ = 0;
  bool stopped_ = false;  // an error ended the scenario early
};

struct TestOptions {
  std::vector<std::string> files;
  bool coverage = false;
  bool require_coverage = false;
  bool quiet = false;
  std::string keep;
};

int run_tests(const TestOptions& o) {
  Totals totals;
  std::map<std::string, std::shared_ptr<const CompiledCharter>> cache;
  bool unreadable = false;
  for (const auto& path : o.files) {
    std::string error;
    auto text = read_text_file(path, error);
    if (!text) {
      std::cout << path << ": error: " << error << "\n";
      unreadable = true;
      continue;
    }
    std::vector<ParseError> errors;
    auto file = scenario::parse(path, *text, errors);
    if (!file) {
      for (const auto& e : errors)
        std::cout << path << ":" << e.at.line << ":" << e.at.col << ": error: " << e.message << "\n";
      unreadable = true;
      continue;
    }
    for (const auto& sc : file->scenarios) {
      fs::path keep;
      if (!o.keep.empty()) keep = fs::path(o.keep) / std::to_string(totals.scenarios + 1);
      Runner r(*file, sc, totals, cache, keep);
      const bool ok = r.run();
      ++totals.scenarios;
      totals.expectations += r.expectations();
      totals.failed_expectations += r.failures();
      totals.errors += r.stopped() ? 1 : 0;
      if (!ok) ++totals.failed_scenarios;
      if (!ok || !o.quiet)
        std::cout << (ok ? "ok    " : "FAIL  ") << path << ": " << sc.title << " (" << r.expectations()
                  << " expectations)\n";
    }
  }
  bool uncovered = false;
  if (o.coverage || o.require_coverage) {
    for (const auto& [path, c] : totals.charters) {
      std::vector<std::string> with_rules, missed;
      for (const auto& a : c->built.module.articles) {
        bool has = false;
        for (const auto& e : c->built.module.entries) has = has || e.article == a.number;
        if (!has) continue;
        with_rules.push_back(a.number);
        if (!totals.exercised[path].count(a.number)) missed.push_back(a.number);
      }
      std::cout << "coverage: " << path << ": " << with_rules.size() - missed.size() << " of "
                << with_rules.size() << " articles with rules exercised";
      if (!missed.empty()) {
        std::cout << "; not exercised: article";
        for (std::size_t i = 0; i < missed.size(); ++i)
          std::cout << (i ? ", " : missed.size() > 1 ? "s " : " ") << missed[i];
        uncovered = true;
      }
      std::cout << "\n";
    }
  }
  std::cout << "artel test: " << totals.scenarios << " scenarios, "
            << totals.scenarios - totals.failed_scenarios << " passed, " << totals.failed_scenarios
            << " failed; " << totals.expectations << " expectations, " << totals.failed_expectations
            << " failed";
  if (totals.errors > 0) std::cout << "; " << totals.errors << " stopped by an error";
  std::cout << "\n";
  return (unreadable || totals.failed_scenarios > 0 || (o.require_coverage && uncovered)) ? 1 : 0;
}

}  // namespace

void add_test_commands(CLI::App& app, Context& ctx) {
  static TestOptions opts;
  auto* test = app.add_subcommand("test", "Run charter scenarios (docs/testing.md) on an in-process ledger");
  test->add_option("files", opts.files, "Scenario files")->required();
  test->add_flag("--coverage", opts.coverage,
                 "Say which articles with rules each charter's scenarios exercised");
  test->add_flag("--require-coverage", opts.require_coverage,
                 "Fail unless every article with rules of every charter deployed was exercised");
  test->add_flag("-q,--quiet", opts.quiet, "Print only failures and the summary");
  test->add_option("--keep", opts.keep,
                   "Keep each scenario's ledger in DIR/N (N counts the scenarios from 1), with genesis.json and "
                   "every party's key under keys/, for `arteld --data DIR/N` and the explorer");
  test->callback([&ctx] { ctx.exit_code = run_tests(opts); });
}

}  // namespace artel::cli
