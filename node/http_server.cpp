#include "http_server.h"

// clang-format off
#include <utility>  // must precede Asio with g++ 12 in C++20
// clang-format on
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <future>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "charter_json.h"
#include "etcd_log.h"
#include "read_auth.h"
#include "vm/abi.h"
#include "vm/module.h"

namespace artel::node {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    auto eq = part.find('=');
    if (part.substr(0, eq) == name) return eq == std::string_view::npos ? "" : std::string(part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

namespace {

HttpReply json_reply(unsigned status, const json& j) { return HttpReply{status, "application/json", j.dump() + "\n", {}}; }

HttpReply error_reply(unsigned status, std::string_view code, std::string_view message) {
  HttpReply r = json_reply(status, json{{"error", {{"code", code}, {"message", message}}}});
  r.error_code = code;
  return r;
}

json error_json(const TxError& e) {
  json j{{"code", code_name(e.code)}, {"message", e.message}};
  if (e.article != 0) {
    j["article"] = e.article;
    j["cooperative"] = e.charter_coop;
    j["charter_version"] = e.charter_version;
  }
  return j;
}

// An event under its declared name, each value with its name and type.
json event_json(const StoredEvent& e) {
  json values = json::array();
  for (const auto& v : e.values) values.push_back({{"name", v.name}, {"type", v.type}, {"value", v.value}});
  return json{{"event", e.name}, {"cooperative", e.coop}, {"charter_version", e.version}, {"values", values}};
}

json receipt_json(const Receipt& r) {
  json j{{"id", hex(r.id)}, {"applied", r.applied}};
  if (r.applied) {
    j["height"] = r.height;
    json ev = json::array();
    for (const auto& e : r.events) ev.push_back(event_json(stored_event(e)));
    j["events"] = ev;
  } else {
    j["error"] = error_json(r.error);
  }
  return j;
}

const char* account_kind_name(std::uint64_t handle) {
  switch (abi::account_kind(handle)) {
    case abi::AccountKind::share: return "share";
    case abi::AccountKind::cooperative: return "cooperative";
    case abi::AccountKind::fund: return "fund";
    case abi::AccountKind::charter: return "charter";
    case abi::AccountKind::clearing: return "clearing";
  }
  return "unknown";
}

HttpReply busy_reply(Admission a, std::size_t n, std::size_t bound) {
  switch (a) {
    case Admission::too_large: {
      HttpReply r = error_reply(413, "batch_too_large",
                                "a batch of " + std::to_string(n) + " transactions is over the node's queue of " +
                                    std::to_string(bound) + "; split it");
      return r;
    }
    case Admission::unavailable: {
      HttpReply r = error_reply(503, "log_unavailable",
                                "the cluster's ordering log (etcd) cannot be reached from this node; none of the " +
                                    std::to_string(n) + " was ordered, submit them again (reads still work)");
      r.retry_after = 2;
      return r;
    }
    case Admission::stopping: {
      HttpReply r = error_reply(503, "shutting_down", "the node is stopping and takes no transactions; none was ordered");
      r.retry_after = 5;
      return r;
    }
    default: {
      HttpReply r = error_reply(503, "busy",
                                "the node's queue of transactions awaiting a block is full; none of the " +
                                    std::to_string(n) + " was ordered, submit them again");
      r.retry_after = 1;
      return r;
    }
  }
}

// Hands the batch to the node; the reply is made from the receipts, in a job
// given to `defer`, once the blocks holding them are committed.
void submit_batch(Node& node, std::vector<Bytes> txs, std::function<HttpReply(std::vector<Receipt>&)> make_reply,
                  const Defer& defer, const ReplyHandler& done) {
  const std::size_t n = txs.size();
  const Admission a = node.submit_async(
      std::move(txs), [defer, done, make_reply = std::move(make_reply)](std::vector<Receipt> receipts) {
        defer([done, make_reply, receipts = std::move(receipts)]() mutable {
          HttpReply r;
          try {
            r = make_reply(receipts);
          } catch (const std::exception& e) {
            r = error_reply(500, "internal", e.what());
          }
          done(std::move(r));
        });
      });
  if (a != Admission::accepted) done(busy_reply(a, n, node.max_pending()));
}

// Binary batch: no hex, no per-transaction JSON on the way in, and only the
// rejected transactions are itemised on the way out.
void submit_binary(Node& node, std::string_view body, const Defer& defer, const ReplyHandler& done) {
  std::vector<Bytes> txs;
  Reader r(body);
  while (r.ok() && !r.at_end()) {
    Bytes b = r.bytes(max_tx_size);
    if (!r.ok())
      return done(error_reply(400, "bad_encoding", "binary batch: transaction " + std::to_string(txs.size()) +
                                                       " at byte " + std::to_string(r.position()) +
                                                       " is truncated or over " + std::to_string(max_tx_size) +
                                                       " bytes"));
    txs.push_back(std::move(b));
  }
  if (txs.empty()) return done(error_reply(400, "bad_encoding", "binary batch: no transactions"));
  submit_batch(
      node, std::move(txs),
      [](std::vector<Receipt>& receipts) {
        std::uint64_t applied = 0, height = 0;
        json rejections = json::array();
        for (std::size_t i = 0; i < receipts.size(); ++i) {
          const Receipt& rc = receipts[i];
          if (rc.applied) {
            ++applied;
            height = std::max(height, rc.height);
          } else {
            rejections.push_back({{"index", i}, {"id", hex(rc.id)}, {"error", error_json(rc.error)}});
          }
        }
        return json_reply(200, json{{"applied", applied}, {"rejected", rejections.size()}, {"height", height},
                                    {"rejections", rejections}});
      },
      defer, done);
}

void submit(Node& node, std::string_view body, const Defer& defer, const ReplyHandler& done) {
  json req = json::parse(body, nullptr, false);
  if (req.is_discarded() || !req.is_object())
    return done(error_reply(400, "invalid_json", "the body must be a JSON object"));
  auto decode_one = [](const json& v, bool base64, std::string& why) -> std::optional<Bytes> {
    if (!v.is_string()) {
      why = "a transaction must be a string";
      return std::nullopt;
    }
    const auto& s = v.get_ref<const std::string&>();
    auto b = base64 ? from_base64(s) : from_hex(s);
    if (!b) why = base64 ? "not valid base64" : "not valid hex";
    return b;
  };
  std::vector<Bytes> txs;
  bool batch = req.contains("transactions");
  bool base64 = req.contains("tx_base64") || req.value("encoding", "hex") == "base64";
  std::string why;
  if (batch) {
    const auto& arr = req["transactions"];
    if (!arr.is_array() || arr.empty())
      return done(error_reply(400, "invalid_json", "\"transactions\" must be a non-empty array"));
    for (std::size_t i = 0; i < arr.size(); ++i) {
      auto b = decode_one(arr[i], base64, why);
      if (!b) return done(error_reply(400, "bad_encoding", "transactions[" + std::to_string(i) + "]: " + why));
      txs.push_back(std::move(*b));
    }
  } else {
    const char* field = req.contains("tx_base64") ? "tx_base64" : "tx";
    if (!req.contains(field))
      return done(error_reply(400, "invalid_json", "expected \"tx\" (hex), \"tx_base64\" or \"transactions\""));
    auto b = decode_one(req[field], base64, why);
    if (!b) return done(error_reply(400, "bad_encoding", std::string(field) + ": " + why));
    txs.push_back(std::move(*b));
  }
  if (!batch)
    return submit_batch(
        node, std::move(txs),
        [](std::vector<Receipt>& receipts) {
          const Receipt& r = receipts[0];
          if (r.applied) return json_reply(200, receipt_json(r));
          return json_reply(http_status(r.error.code), json{{"id", hex(r.id)}, {"error", error_json(r.error)}});
        },
        defer, done);
  submit_batch(
      node, std::move(txs),
      [](std::vector<Receipt>& receipts) {
        json results = json::array();
        std::uint64_t applied = 0;
        for (const auto& r : receipts) {
          applied += r.applied;
          results.push_back(receipt_json(r));
        }
        return json_reply(200, json{{"results", results}, {"applied", applied},
                                    {"rejected", results.size() - applied}});
      },
      defer, done);
}

// Privacy (docs/operator.md, "Who may read what"): a member's records are
// read with a signature of that member, its cooperative or an operator
// council key; `member` nullopt: records only the council reads (blocks,
// which hold every transaction). nullopt when the read may go on, else the
// refusal.
std::optional<HttpReply> refuse_read(const State& st, const ApiRequest& req, std::optional<std::uint64_t> member) {
  if (req.public_reads) return std::nullopt;
  const std::string whose =
      member ? "member " + std::to_string(*member) + "'s records" : std::string("the blocks");
  const std::string who_may =
      member ? "the member, its cooperative or the operator council" : std::string("the operator council");
  if (req.authorization.empty()) {
    HttpReply r = error_reply(401, "read_signature_required",
                              whose + " are private: sign the read (Authorization: Artel-Read key=..., expires=..., "
                                      "sig=...) with a key of " + who_may);
    return r;
  }
  std::string why;
  auto rs = parse_read_authorization(req.authorization, why);
  if (!rs) return error_reply(401, "bad_read_signature", "the read signature is malformed: " + why);
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  if (rs->expires <= now)
    return error_reply(401, "read_signature_expired",
                       "the read signature expired " + std::to_string(now - rs->expires) + " s ago; sign it again");
  if (rs->expires > now + kMaxReadLifetime)
    return error_reply(401, "bad_read_signature",
                       "the read signature is valid for " + std::to_string(rs->expires - now) +
                           " s; the node accepts at most " + std::to_string(kMaxReadLifetime) + " s");
  if (!verify(rs->key, read_message(st.ledger_id(), rs->expires, req.target), rs->sig))
    return error_reply(401, "bad_read_signature",
                       "the read signature does not verify for this ledger and this request (" +
                           std::string(req.target) + ")");
  if (st.is_council_key(rs->key)) return std::nullopt;
  if (member) {
    const auto person = st.person_by_key(rs->key);
    const auto m = st.member(*member);
    if (person && m) {
      if (m->person == *person) return std::nullopt;
      const auto rec = st.person(*person);
      if (rec && rec->kind == PersonKind::cooperative && rec->coop_id == m->coop_id) return std::nullopt;
    }
  }
  return error_reply(403, "read_not_allowed",
                     "key " + to_hex(rs->key) + " may not read " + whose + "; only " + who_may + " may");
}

// The money an account counts in: the currency and minor-unit scale of the
// charter in force for cooperative `coop`, or of the platform's charter
// when it has none.
void add_currency(json& j, const Ledger& ledger, const State& st, std::uint64_t coop) {
  for (std::uint64_t c : {coop, std::uint64_t{0}}) {
    const CharterSlot slot = st.charter_slot(c);
    if (slot.latest == 0) continue;
    if (auto ch = st.charter(c, slot.active))
      if (auto m = ledger.module(*ch)) {
        j["currency"] = m->header.currency;
        j["scale"] = m->header.scale;
        return;
      }
  }
}

HttpReply account(Node& node, std::string_view name, bool statement, std::string_view query, const ApiRequest& req) {
  auto handle = parse_account_name(name);
  if (!handle)
    return error_reply(400, "bad_account", "'" + std::string(name) +
                                               "' is not an account (share:N, coop:N, fund, charter:F:M or a member id)");
  auto snapshot = node.ledger().store().snapshot();  // one block's state throughout
  Overlay view(*snapshot);
  State st(view);
  if (auto e = st.account_exists(*handle)) return error_reply(404, code_name(e->code), e->message);
  // A share account is a member's record: private. Demurrage is charged
  // lazily: show it as of now, with the weeks not yet taken settled in this
  // read-only view (nothing is written).
  if (abi::account_kind(*handle) == abi::AccountKind::share) {
    if (auto refused = refuse_read(st, req, abi::account_owner(*handle))) return *refused;
    node.ledger().install_settler(st);
    if (auto e = st.settle(abi::account_owner(*handle))) return error_reply(500, code_name(e->code), e->message);
  }
  AccountRec a = st.account(*handle);
  json j{{"account", account_name(*handle)},
         {"kind", account_kind_name(*handle)},
         {"owner", abi::account_owner(*handle)},
         {"balance", a.balance},
         {"last_day", a.last_day},
         {"postings", a.postings},
         {"day", st.day()},
         {"date", Calendar(st.genesis_day()).date(st.day())}};
  if (abi::account_kind(*handle) == abi::AccountKind::share) {
    auto m = st.member(abi::account_owner(*handle));
    j["member"] = {{"id", abi::account_owner(*handle)}, {"cooperative", m->coop_id},
                   {"person", m->person}, {"admitted_day", m->admitted_day}};
    if (m->member_coop != 0) j["member"]["is_cooperative"] = m->member_coop;
    add_currency(j, node.ledger(), st, m->coop_id);
  } else if (abi::account_kind(*handle) == abi::AccountKind::cooperative) {
    std::uint64_t c = abi::account_owner(*handle);
    auto rec = st.coop(c);
    j["cooperative"] = {{"id", c}, {"name", rec->name}, {"person", rec->person},
                        {"members", st.coop_members_count(c)},
                        {"cooperative_account", st.coop_aggregate(c)}};
    add_currency(j, node.ledger(), st, c);
  } else {
    add_currency(j, node.ledger(), st, 0);
  }
  // The fund and a cooperative's own account receive lazily charged
  // demurrage when the charged accounts are next used. On request
  // (?uncollected=1) show what is owed to them but not yet collected, by
  // settling the owing accounts in a read-only scratch view (rules see only
  // the collected balance). That costs work for every owing account, so it is
  // asked for explicitly and refused above kMaxSettledInView members.
  const auto kind = abi::account_kind(*handle);
  const std::string want = query_param(query, "uncollected");
  if (!statement && (want == "1" || want == "true") &&
      (kind == abi::AccountKind::fund || kind == abi::AccountKind::cooperative)) {
    const std::uint64_t coop = kind == abi::AccountKind::cooperative ? abi::account_owner(*handle) : 0;
    const std::uint64_t n = st.coop_members_count(coop);
    constexpr std::uint64_t kMaxSettledInView = 20'000;
    if (n > kMaxSettledInView)
      return error_reply(422, "too_many_accounts",
                         "settling " + std::to_string(n) + " share accounts for one read is refused (the limit is " +
                             std::to_string(kMaxSettledInView) + "); read the account without ?uncollected");
    Overlay scratch(static_cast<const KvReader&>(view));
    State later(scratch);
    node.ledger().install_settler(later);
    for (std::uint64_t i = 0; i < n; ++i)
      if (auto e = later.settle(later.coop_member_at(coop, i))) return error_reply(500, code_name(e->code), e->message);
    j["uncollected_demurrage"] = later.account(*handle).balance - a.balance;
    if (coop != 0) j["cooperative"]["cooperative_account"] = later.coop_aggregate(coop);  // as of now
  }
  if (!statement) return json_reply(200, j);
  std::uint64_t from = parse_u64(query_param(query, "from")).value_or(0);
  std::uint64_t limit = std::min<std::uint64_t>(parse_u64(query_param(query, "limit")).value_or(1000), 10000);
  json lines = json::array();
  std::uint64_t seq = from;
  // Article citations: the number and titles from the module of the charter
  // version that made the posting.
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::shared_ptr<const vm::Module>> modules;
  auto cite = [&](std::uint64_t coop, std::uint32_t version, std::uint32_t ordinal) -> json {
    if (ordinal == 0) return nullptr;
    auto it = modules.find({coop, version});
    if (it == modules.end()) {
      std::shared_ptr<const vm::Module> m;
      if (auto c = st.charter(coop, version)) m = node.ledger().module(*c);
      it = modules.emplace(std::pair{coop, version}, std::move(m)).first;
    }
    if (!it->second || ordinal > it->second->articles.size()) return nullptr;
    const auto& art = it->second->articles[ordinal - 1];
    return json{{"charter", it->second->header.name}, {"number", art.number}, {"titles", art.titles}};
  };
  const Calendar cal(st.genesis_day());
  for (const auto& p : st.postings(*handle, from, limit)) {
    json what = nullptr;  // what a contribution brought in
    if (static_cast<TxKind>(p.tx_kind) == TxKind::contribute)
      if (auto c = st.contribution(p.tx))
        what = {{"kind", c->kind == 1 ? "property" : "money"}, {"description", c->description},
                {"valuation", c->valuation}, {"member", c->member}, {"amount", c->amount}};
    lines.push_back({{"seq", seq++},
                     {"contribution", what},
                     {"day", p.day},
                     {"date", cal.date(p.day)},
                     {"amount", p.amount},
                     {"balance", p.balance},
                     // A charge settled only in this read-only view: not yet taken.
                     {"tx", p.tx == Hash{} ? json(nullptr) : json(hex(p.tx))},
                     {"kind", kind_name(static_cast<TxKind>(p.tx_kind))},
                     {"charter_coop", p.charter_coop},
                     {"charter_version", p.charter_version},
                     {"article", p.article},
                     {"cites", cite(p.charter_coop, p.charter_version, p.article)},
                     {"counterparty", p.counterparty == 0 ? std::string("outside")
                                                          : account_name(p.counterparty)}});
  }
  j["statement"] = lines;
  if (seq < a.postings) j["next"] = seq;
  return json_reply(200, j);
}

json charter_version_json(const CharterVersion& c, bool with_module) {
  json j{{"cooperative", c.coop},          {"version", c.version},
         {"module_id", hex(c.module_id)},  {"module_size", c.module.size()},
         {"effective_period", c.effective_period}, {"tx", hex(c.tx)},
         {"source", c.source}};
  if (with_module) j["module_hex"] = to_hex(c.module);
  return j;
}

// When a version took effect (the first day of its effective period), from
// its own header's period kind.
std::string effective_date(const State& st, const CharterVersion& c, const vm::Module& m) {
  const Calendar cal(st.genesis_day());
  return cal.date(cal.first_day(m.header.period, c.effective_period));
}

// Who signed and approved the transaction that deployed or amended a
// version: its keys, and the persons they belong to (null for a key since
// replaced or not a person's).
json approvals_json(Node& node, const State& st, const Hash& tx) {
  json out = json::array();
  const auto height = node.ledger().tx_height(tx);
  const auto block = height ? node.ledger().block(*height) : std::nullopt;
  if (!block) return out;
  for (const auto& bytes : block->transactions) {
    if (tx_id(bytes) != tx) continue;
    auto decoded = decode(bytes);
    if (const auto* t = std::get_if<Transaction>(&decoded)) {
      auto add = [&](const PublicKey& k, const char* role) {
        const auto p = st.person_by_key(k);
        json who{{"key", to_hex(k)}, {"role", role}, {"person", p ? json(*p) : json(nullptr)}};
        if (p && st.is_council_key(k)) who["council"] = true;
        out.push_back(std::move(who));
      };
      add(t->signer, "signed");
      for (const auto& a : t->approvals) add(a.key, "approved");
    }
    break;
  }
  return out;
}

// /v1/charter[/VERSION][?coop=N]: the charter of cooperative N (default 0,
// the platform's). A version's answer carries the document members read
// (articles, parameters in force, who may do what in words) and what
// changed from the version before, computed from the modules' metadata.
HttpReply charter(Node& node, std::string_view rest, std::string_view query) {
  auto snapshot = node.ledger().store().snapshot();  // one block's state throughout
  Overlay view(*snapshot);
  State st(view);
  const std::string coop_text = query_param(query, "coop");
  const auto coop = coop_text.empty() ? std::optional<std::uint64_t>(0) : parse_u64(coop_text);
  if (!coop || (*coop != 0 && !st.coop(*coop)))
    return error_reply(404, "unknown_cooperative", "no cooperative " + coop_text);
  const CharterSlot slot = st.charter_slot(*coop);
  if (!rest.empty()) {
    auto v = parse_u64(rest.substr(rest.starts_with("/") ? 1 : 0));
    auto c = v && *v <= 0xffffffffu ? st.charter(*coop, static_cast<std::uint32_t>(*v)) : std::nullopt;
    if (!c)
      return error_reply(404, "unknown_charter_version",
                         "cooperative " + std::to_string(*coop) + " has no charter version " +
                             std::string(rest.substr(rest.starts_with("/") ? 1 : 0)));
    json j = charter_version_json(*c, true);
    auto m = node.ledger().module(*c);
    if (!m) return error_reply(500, "internal", "the stored module of this version does not load");
    j["document"] = charter_document_json(*m);
    j["effective_date"] = effective_date(st, *c, *m);
    j["in_force"] = c->version == slot.active;
    j["approved_by"] = approvals_json(node, st, c->tx);
    j["changes"] = nullptr;
    if (c->version > 1)
      if (auto prev = st.charter(*coop, c->version - 1))
        if (auto pm = node.ledger().module(*prev)) j["changes"] = charter_diff_json(vm::diff_modules(*pm, *m));
    return json_reply(200, j);
  }
  if (slot.latest == 0) return error_reply(404, "no_charter", "no charter is deployed");
  auto cur = st.charter(*coop, slot.active);
  json versions = json::array();
  for (std::uint32_t v = 1; v <= slot.latest; ++v)
    if (auto c = st.charter(*coop, v)) {
      json vj = charter_version_json(*c, false);
      if (auto m = node.ledger().module(*c)) {
        vj["effective_date"] = effective_date(st, *c, *m);
        vj["name"] = m->header.name;
      }
      versions.push_back(std::move(vj));
    }
  json j{{"cooperative", *coop}, {"version", cur->version}, {"module_id", hex(cur->module_id)},
         {"source", cur->source}, {"versions", versions}, {"day", st.day()}};
  if (*coop != 0) j["name"] = st.coop(*coop)->name;
  j["pending"] = slot.pending ? json(slot.pending) : json(nullptr);
  return json_reply(200, j);
}

HttpReply status(Node& node) {
  auto snapshot = node.ledger().store().snapshot();  // one block's state throughout
  Overlay view(*snapshot);
  State st(view);
  const LedgerSummary s = read_summary(*snapshot);  // the very block the snapshot shows
  json j{{"ledger_id", hex(st.ledger_id())},
         {"version", ARTEL_VERSION},
         {"height", s.height},
         {"state_digest", hex(s.digest)},
         {"block_hash", hex(s.block_hash)},
         {"day", st.day()},
         {"date", Calendar(st.genesis_day()).date(st.day())},
         {"persons", st.persons_count()},
         {"members", st.members_count()},
         {"cooperatives", st.coops_count()}};
  json charters = json::array();
  for (std::uint64_t coop : st.chartered_coops())
    if (auto c = st.charter(coop, st.charter_slot(coop).active))
      charters.push_back({{"cooperative", coop}, {"version", c->version}, {"module_id", hex(c->module_id)}});
  j["charters"] = charters;
  // A node of a cluster: where it reads the log, and whether it still
  // agrees with the others.
  if (const auto* etcd = dynamic_cast<const EtcdLog*>(&node.log())) {
    const auto diverged = node.diverged();
    j["cluster"] = {{"node", etcd->options().node_name},
                    {"etcd", etcd->options().endpoints},
                    {"prefix", etcd->options().prefix},
                    {"log_index", etcd->read_index()},
                    {"proposed", etcd->proposed()},
                    {"conflicts", etcd->conflicts()},
                    {"available", etcd->available()},
                    {"diverged", diverged ? json(*diverged) : json(nullptr)}};
  } else {
    j["cluster"] = nullptr;
  }
  return json_reply(200, j);
}

// Liveness and readiness for a supervisor or a load balancer: 200 while the
// node can take transactions, 503 (with the reason) while it cannot.
HttpReply health(Node& node) {
  std::string why;
  if (auto d = node.diverged())
    why = "diverged: " + *d;
  else if (!node.log().available())
    why = "the ordering log (etcd) cannot be reached";
  json j{{"live", true}, {"ready", why.empty()}, {"height", node.ledger().summary().height}};
  if (!why.empty()) j["error"] = {{"code", "not_ready"}, {"message", why}};
  return json_reply(why.empty() ? 200 : 503, j);
}

std::string metrics_text(Node& node) {
  std::string m = node.metrics().prometheus(node.ledger().summary(), node.pending(), node.max_pending());
  auto gauge = [&m](const char* name, const char* help, std::uint64_t v) {
    m += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
         std::to_string(v) + "\n";
  };
  {
    // What the ledger holds, from one snapshot: all O(1) counters but the
    // charters, of which there is one per chartered cooperative.
    auto snapshot = node.ledger().store().snapshot();
    Overlay view(*snapshot);
    State st(view);
    std::uint64_t pending = 0;
    const auto coops = st.chartered_coops();
    for (std::uint64_t coop : coops) {
      const auto slot = st.charter_slot(coop);
      pending += slot.pending != slot.active;
    }
    gauge("artel_day", "The ledger's clock: days since the genesis date.", st.day());
    gauge("artel_persons", "Persons on the ledger (members, cooperatives).", st.persons_count());
    gauge("artel_members", "Memberships in all cooperatives.", st.members_count());
    gauge("artel_cooperatives", "Cooperatives registered.", st.coops_count());
    gauge("artel_charters", "Charters deployed (the platform's counts as one).", coops.size());
    gauge("artel_amendments_pending", "Charter amendments waiting for their period to begin.", pending);
  }
  m += "# HELP artel_build_info The node's version.\n# TYPE artel_build_info gauge\nartel_build_info{version=\"" +
       std::string(ARTEL_VERSION) + "\"} 1\n";
  gauge("artel_diverged", "1 when this node stopped applying blocks: its state digest is not the cluster's.",
        node.diverged() ? 1 : 0);
  if (const auto* etcd = dynamic_cast<const EtcdLog*>(&node.log()))
    gauge("artel_log_index", "The last etcd log entry this node read.", etcd->read_index());
  return m;
}

HttpReply block(Node& node, std::string_view h, const ApiRequest& req) {
  {
    auto snapshot = node.ledger().store().snapshot();
    Overlay view(*snapshot);
    if (auto refused = refuse_read(State(view), req, std::nullopt)) return *refused;
  }
  auto n = parse_u64(h);
  auto b = n ? node.ledger().block(*n) : std::nullopt;
  if (!b) return error_reply(404, "unknown_block", "no block at height " + std::string(h));
  json txs = json::array();
  for (const auto& t : b->transactions) txs.push_back(to_hex(t));
  return json_reply(200, json{{"height", b->height}, {"state_digest", hex(b->digest)},
                              {"block_hash", hex(b->block_hash)}, {"transactions", txs}});
}

HttpReply transaction(Node& node, std::string_view id, const ApiRequest& req) {
  auto h = hash_from_hex(id);
  if (!h) return error_reply(400, "bad_id", "a transaction id is 64 hex digits");
  auto height = node.ledger().tx_height(*h);
  if (!height) return error_reply(404, "unknown_transaction", "transaction " + std::string(id) + " is not on the ledger");
  auto snapshot = node.ledger().store().snapshot();
  Overlay view(*snapshot);
  // Its events name members and amounts: the council's, like the blocks.
  if (auto refused = refuse_read(State(view), req, std::nullopt)) return *refused;
  json events = json::array();
  for (const auto& e : State(view).events(*h)) events.push_back(event_json(e));
  return json_reply(200, json{{"id", std::string(id)}, {"height", *height}, {"events", events}});
}

// /v1/members/{id}/events?from=N: the events that name a member, oldest first.
HttpReply member_events(Node& node, std::string_view rest, std::string_view query, const ApiRequest& req) {
  const auto slash = rest.find('/');
  const auto member = parse_u64(rest.substr(0, slash));
  if (!member || slash == std::string_view::npos || rest.substr(slash) != "/events")
    return error_reply(404, "not_found", "no such endpoint: /v1/members/" + std::string(rest));
  auto snapshot = node.ledger().store().snapshot();
  Overlay view(*snapshot);
  State st(view);
  if (!st.member(*member)) return error_reply(404, "unknown_member", "no member " + std::to_string(*member));
  if (auto refused = refuse_read(st, req, *member)) return *refused;
  const std::uint64_t from = parse_u64(query_param(query, "from")).value_or(0);
  const std::uint64_t limit = std::min<std::uint64_t>(parse_u64(query_param(query, "limit")).value_or(1000), 10000);
  json lines = json::array();
  std::uint64_t seq = from;
  std::optional<Hash> tx;
  std::vector<StoredEvent> of_tx;
  for (const auto& [h, pos] : st.member_events(*member, from, limit)) {
    if (tx != h) {
      of_tx = st.events(h);
      tx = h;
    }
    json line = pos < of_tx.size() ? event_json(of_tx[pos]) : json::object();
    line["seq"] = seq++;
    line["tx"] = hex(h);
    lines.push_back(std::move(line));
  }
  json j{{"member", *member}, {"events", lines}, {"count", st.member_events_count(*member)}};
  if (seq < st.member_events_count(*member)) j["next"] = seq;
  return json_reply(200, j);
}

// The shape of a guarantor network (public, as the design's privacy
// decision says): its participants and who vouches for whom. With
// `member`, the neighbourhood of that participant up to `levels` steps
// along guarantees in either direction; without it, the participants from
// `from` on. At most `limit` participants (default 200, at most 2,000); the
// answer says when it was cut. Every participant costs a fixed number of
// reads, and the walk stops at the cap, so the answer never costs more
// than its size, whatever the network's.
HttpReply network_graph(Node& node, std::string_view rest, std::string_view query) {
  const auto slash = rest.find('/');
  const auto coop = parse_u64(rest.substr(0, slash));
  if (!coop || slash == std::string_view::npos || rest.substr(slash) != "/graph")
    return error_reply(404, "not_found", "no such endpoint: /v1/networks/" + std::string(rest));
  auto snapshot = node.ledger().store().snapshot();
  Overlay view(*snapshot);
  State st(view);
  if (*coop == 0 || !st.coop(*coop))
    return error_reply(404, "unknown_cooperative", "no cooperative " + std::to_string(*coop));
  const std::uint64_t limit =
      std::clamp<std::uint64_t>(parse_u64(query_param(query, "limit")).value_or(200), 1, 2000);
  const std::uint64_t levels = std::min<std::uint64_t>(parse_u64(query_param(query, "levels")).value_or(2), 16);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> order;  // (member, level) in the order found
  std::map<std::uint64_t, std::uint64_t> level_of;
  bool truncated = false;
  json j{{"cooperative", *coop}};
  if (auto center = parse_u64(query_param(query, "member"))) {
    auto m = st.member(*center);
    if (!m || m->coop_id != *coop)
      return error_reply(404, "unknown_member",
                         "no member " + std::to_string(*center) + " in cooperative " + std::to_string(*coop));
    j["member"] = *center;
    j["levels"] = levels;
    level_of[*center] = 0;
    order.emplace_back(*center, 0);
    for (std::size_t i = 0; i < order.size(); ++i) {
      const auto [x, d] = order[i];
      if (d == levels) continue;
      auto visit = [&](std::uint64_t y) {
        if (level_of.count(y)) return;
        if (order.size() >= limit) {
          truncated = true;
          return;
        }
        level_of[y] = d + 1;
        order.emplace_back(y, d + 1);
      };
      for (std::uint64_t k = 0; k < st.guarantors_count(x); ++k) visit(st.guarantor_at(x, k));
      const std::uint64_t vouched = st.guaranteed_count(x);
      for (std::uint64_t k = 0; k < vouched && k <= limit; ++k) visit(st.guaranteed_at(x, k));
      if (vouched > limit) truncated = true;
    }
  } else {
    const std::uint64_t from = parse_u64(query_param(query, "from")).value_or(0);
    const std::uint64_t n = st.coop_members_count(*coop);
    for (std::uint64_t i = from; i < n && order.size() < limit; ++i) order.emplace_back(st.coop_member_at(*coop, i), 0);
    truncated = from + order.size() < n;
    if (truncated) j["next"] = from + order.size();
    j["participants"] = n;
  }
  json nodes = json::array(), edges = json::array();
  std::set<std::uint64_t> in_answer;
  for (const auto& [m, d] : order) in_answer.insert(m);
  for (const auto& [m, d] : order) {
    json guarantors = json::array();
    for (std::uint64_t k = 0; k < st.guarantors_count(m); ++k) {
      const std::uint64_t g = st.guarantor_at(m, k);
      guarantors.push_back(g);
      if (in_answer.count(g)) edges.push_back({{"guarantor", g}, {"member", m}});
    }
    json n{{"member", m}, {"person", st.member(m)->person}, {"guarantors", guarantors},
           {"vouches_for", st.guaranteed_count(m)}};
    if (j.contains("member")) n["level"] = d;
    nodes.push_back(std::move(n));
  }
  j["nodes"] = nodes;
  j["edges"] = edges;
  j["truncated"] = truncated;
  return json_reply(200, j);
}

HttpReply signer(Node& node, std::string_view key_hex) {
  auto pk = public_key_from_hex(key_hex);
  if (!pk) return error_reply(400, "bad_key", "a public key is 64 hex digits");
  auto snapshot = node.ledger().store().snapshot();  // one block's state throughout
  Overlay view(*snapshot);
  State st(view);
  const auto person = st.person_by_key(*pk);
  const std::uint64_t nonce = person ? st.nonce(*person) : st.key_nonce(*pk);
  json j{{"key", std::string(key_hex)},
         {"nonce", nonce},
         {"next_nonce", nonce + 1},
         {"council", st.is_council_key(*pk)},
         {"clock", st.clock_key() == pk}};
  j["person"] = person ? json(*person) : json(nullptr);
  json memberships = json::array();
  if (person) {
    for (std::uint64_t m : st.memberships(*person))
      memberships.push_back({{"member", m}, {"cooperative", st.member(m)->coop_id}});
    auto rec = st.person(*person);
    j["cooperative"] = rec && rec->kind == PersonKind::cooperative ? json(rec->coop_id) : json(nullptr);
  } else {
    j["cooperative"] = nullptr;
  }
  j["memberships"] = memberships;
  // A replaced key: whose it was, when and by which transaction it was
  // retired; it never signs again.
  const Calendar cal(st.genesis_day());
  const auto retired = st.retired_key(*pk);
  j["retired"] = retired ? json{{"person", retired->person},
                                {"date", cal.date(retired->day)},
                                {"transaction", to_hex(retired->tx)}}
                         : json(nullptr);
  // The person's keys, oldest change first.
  json history = json::array();
  const std::uint64_t whose = person ? *person : retired ? retired->person : 0;
  if (whose != 0)
    for (const auto& c : st.key_history(whose))
      history.push_back({{"old_key", to_hex(c.old_key)},
                         {"new_key", to_hex(c.new_key)},
                         {"date", cal.date(c.day)},
                         {"transaction", to_hex(c.tx)}});
  j["key_history"] = history;
  if (whose != 0 && !person) j["current_key"] = to_hex(st.person(whose)->key);
  return json_reply(200, j);
}

}  // namespace

void handle_request_async(Node& node, const ApiRequest& req, const Defer& defer, ReplyHandler done) {
  const std::string_view method = req.method, target = req.target, body = req.body, content_type = req.content_type;
  std::string_view path = target, query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  auto method_not_allowed = [&] {
    return error_reply(405, "method_not_allowed", std::string(method) + " is not allowed on " + std::string(path));
  };
  HttpReply r;
  try {
    if (path == "/v1/transactions") {
      if (method != "POST") return done(method_not_allowed());
      if (content_type.starts_with("application/octet-stream")) return submit_binary(node, body, defer, done);
      return submit(node, body, defer, done);
    }
    if (method != "GET") {
      if (path == "/metrics" || path.starts_with("/v1/")) return done(method_not_allowed());
      return done(error_reply(404, "not_found", "no endpoint " + std::string(path)));
    }
    if (req.site != nullptr && *req.site && !path.starts_with("/v1/")) {
      if (auto page = (*req.site)(node, req, path, query)) return done(std::move(*page));
      return done(error_reply(404, "not_found", "no page " + std::string(path)));
    }
    if (path == "/v1/health") {
      r = health(node);
    } else if (path == "/v1/status") {
      r = status(node);
    } else if (path == "/metrics") {
      r = HttpReply{200, "text/plain; version=0.0.4", metrics_text(node), {}};
    } else if (path == "/v1/charter" || path.starts_with("/v1/charter/")) {
      r = charter(node, path.substr(std::string_view("/v1/charter").size()), query);
    } else if (path.starts_with("/v1/blocks/")) {
      r = block(node, path.substr(11), req);
    } else if (path.starts_with("/v1/signers/")) {
      r = signer(node, path.substr(12));
    } else if (path.starts_with("/v1/transactions/")) {
      r = transaction(node, path.substr(17), req);
    } else if (path.starts_with("/v1/members/")) {
      r = member_events(node, path.substr(12), query, req);
    } else if (path.starts_with("/v1/networks/")) {
      r = network_graph(node, path.substr(13), query);
    } else if (path.starts_with("/v1/accounts/")) {
      auto rest = path.substr(13);
      constexpr std::string_view suffix = "/statement";
      if (rest.ends_with(suffix))
        r = account(node, rest.substr(0, rest.size() - suffix.size()), true, query, req);
      else if (rest.find('/') != std::string_view::npos)
        r = error_reply(404, "not_found", "no endpoint " + std::string(path));
      else
        r = account(node, rest, false, query, req);
    } else {
      r = error_reply(404, "not_found", "no endpoint " + std::string(path));
    }
  } catch (const json::exception& e) {
    // A field of the wrong JSON type (e.g. "encoding": 5) is the client's error.
    r = error_reply(400, "invalid_json", e.what());
  } catch (const std::exception& e) {
    r = error_reply(500, "internal", e.what());
  }
  done(std::move(r));
}

HttpReply handle_request(Node& node, const ApiRequest& request) {
  std::promise<HttpReply> reply;
  auto f = reply.get_future();
  handle_request_async(
      node, request, [](std::function<void()> job) { job(); },
      [&reply](HttpReply r) { reply.set_value(std::move(r)); });
  return f.get();
}

// ---------------------------------------------------------------------------
// The server.

namespace {

using Clock = std::chrono::steady_clock;

// Jobs handed to the handler pool or to a connection's strand from other
// threads (the node's block thread) go through the gate, which drops them
// once the server has stopped (the pool and the I/O threads are gone).
struct Gate {
  std::mutex mu;
  bool open = true;
  template <class Executor>
  void post(const Executor& ex, std::function<void()> job) {
    std::lock_guard lock(mu);
    if (open) net::post(ex, std::move(job));
  }
  void close() {
    std::lock_guard lock(mu);
    open = false;
  }
};

class Session;

}  // namespace

struct HttpServer::Core : std::enable_shared_from_this<HttpServer::Core> {
  Node& node;
  HttpOptions options;
  // Declared before the I/O context, so they outlive every socket.
  std::mutex mu;
  std::condition_variable cv;
  std::map<net::ip::address, std::size_t> per_address;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  std::size_t refusing = 0;  // connections being refused right now
  bool stopped = false;
  std::atomic<bool> stopping{false};
  std::atomic<Clock::rep> stop_deadline{0};

  net::io_context io{static_cast<int>(std::max(1u, options.io_threads))};
  // The I/O threads run until stop(), even when no operation is pending
  // (while stopping, every connection may be waiting for its handler).
  net::executor_work_guard<net::io_context::executor_type> keep_running = net::make_work_guard(io);
  tcp::acceptor acceptor{net::make_strand(io)};
  net::steady_timer accept_retry{acceptor.get_executor()};
  net::thread_pool handlers{std::max(1u, options.handler_threads)};
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::vector<std::thread> threads;

  Core(Node& n, HttpOptions o) : node(n), options(std::move(o)) {}

  // A deadline, brought forward to the end of the shutdown grace once
  // stopping.
  Clock::time_point bounded(Clock::time_point at) const {
    if (!stopping.load(std::memory_order_acquire)) return at;
    return std::min(at, Clock::time_point(Clock::duration(stop_deadline.load())));
  }
  // Runs deferred work on the handler pool.
  Defer defer() {
    return [g = gate, ex = handlers.get_executor()](std::function<void()> job) { g->post(ex, std::move(job)); };
  }

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void refuse(tcp::socket socket, unsigned status, std::string_view code, std::string_view reason,
              std::string message);
  void unregister(Session* s, const net::ip::address& peer);
};

namespace {

std::chrono::milliseconds at_rate(std::size_t bytes, std::size_t rate) {
  return std::chrono::milliseconds(rate == 0 ? 0 : static_cast<std::int64_t>(bytes * 1000 / rate));
}

// One connection. Every handler runs on the connection's strand (the
// stream's executor); the request's work runs on the handler pool and posts
// its reply back.
class Session : public std::enable_shared_from_this<Session> {
 public:
  using Core = HttpServer::Core;
  Session(std::shared_ptr<Core> core, tcp::socket socket, net::ip::address peer)
      : core_(std::move(core)), stream_(std::move(socket)), peer_(std::move(peer)), accepted_(Clock::now()) {}
  ~Session() {
    beast::error_code ec;
    stream_.socket().close(ec);
    core_->node.metrics().connection_closed(close_reason_.empty() ? "aborted" : close_reason_);
    core_->unregister(this, peer_);
  }

  void start() { await_request(); }
  auto stream_executor() { return stream_.get_executor(); }
  // After the grace, with no I/O thread running: closes the socket, so
  // every operation still queued completes at once.
  void force_close() { close("shutdown"); }

  // Shutdown: a connection waiting for a request closes now; one in the
  // middle of a request has until the end of the grace.
  void on_stop() {
    if (phase_ == Phase::waiting) {
      close("shutdown");
      return;
    }
    if (phase_ == Phase::head || phase_ == Phase::body || phase_ == Phase::writing) expire(deadline_);
  }

 private:
  enum class Phase { waiting, head, body, handling, writing, draining, closed };

  void expire(Clock::time_point at) {
    deadline_ = core_->bounded(at);
    stream_.expires_at(deadline_);
  }

  void close(const char* reason) {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    if (close_reason_.empty()) close_reason_ = reason;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  // Waits for the first byte of the next request: a new connection has the
  // head timeout for its whole head, a kept-alive one the idle timeout.
  void await_request() {
    if (core_->stopping.load(std::memory_order_acquire)) return close("shutdown");
    phase_ = Phase::waiting;
    if (buffer_.size() > 0) return read_head(Clock::now(), Clock::now() + core_->options.head_timeout);
    expire(first_ ? accepted_ + core_->options.head_timeout : Clock::now() + core_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->buffer_.commit(n);
      if (ec) return self->close(ec == beast::error::timeout ? "idle_timeout" : "client_closed");
      const auto now = Clock::now();
      self->read_head(now, self->first_ ? self->accepted_ + self->core_->options.head_timeout
                                        : now + self->core_->options.head_timeout);
    });
  }

  void read_head(Clock::time_point started, Clock::time_point deadline) {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::head;
    request_start_ = started;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(core_->options.max_head, UINT32_MAX)));
    parser_->body_limit(core_->options.max_body);
    expire(deadline);
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_head(ec);
    });
  }

  void on_head(beast::error_code ec) {
    if (phase_ == Phase::closed) return;
    const auto& o = core_->options;
    if (ec == beast::error::timeout) return close("head_timeout");
    if (ec == http::error::body_limit)  // Content-Length already over the limit
      return refuse_body(error_reply(413, "body_too_large",
                                     "the body exceeds the limit of " + std::to_string(o.max_body) + " bytes"));
    if (ec == http::error::header_limit)
      return reply_and_close(error_reply(431, "head_too_large", "the request head exceeds the limit of " +
                                                                     std::to_string(o.max_head) + " bytes"),
                             "head_too_large");
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted)
      return close("client_closed");
    if (ec) return reply_and_close(error_reply(400, "bad_request", "malformed HTTP request: " + ec.message()),
                                   "bad_request");
    version_ = parser_->get().version();
    if (auto length = parser_->content_length(); length && *length > o.max_body)
      return refuse_body(error_reply(413, "body_too_large", "the body is " + std::to_string(*length) +
                                                                 " bytes; the limit is " + std::to_string(o.max_body)));
    if (parser_->is_done()) return dispatch();
    body_start_ = Clock::now();
    body_bytes_ = 0;
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      phase_ = Phase::body;
      expire(Clock::now() + o.head_timeout);
      static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
      return net::async_write(stream_, net::buffer(cont.data(), cont.size()),
                              [self = shared_from_this()](beast::error_code e, std::size_t) {
                                if (e) return self->close("client_closed");
                                self->read_body();
                              });
    }
    read_body();
  }

  // The body arrives piece by piece; the deadline moves with what arrived, so
  // a client sending at least min_rate after the grace is never cut.
  void read_body() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::body;
    const auto& o = core_->options;
    expire(body_start_ + o.head_timeout + at_rate(body_bytes_, o.min_rate));
    http::async_read_some(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->body_bytes_ += n;
      if (ec == beast::error::timeout) return self->close("body_timeout");
      if (ec == http::error::body_limit)
        return self->refuse_body(error_reply(413, "body_too_large", "the body exceeds " +
                                                                        std::to_string(self->core_->options.max_body) +
                                                                        " bytes"));
      if (ec) return self->close("client_closed");
      if (self->parser_->is_done()) return self->dispatch();
      self->read_body();
    });
  }

  void dispatch() {
    phase_ = Phase::handling;
    auto req = std::make_shared<http::request<http::string_body>>(parser_->release());
    parser_.reset();
    keep_alive_ = req->keep_alive();
    auto self = shared_from_this();
    const std::string_view method(req->method_string().data(), req->method_string().size());
    const std::string_view target(req->target().data(), req->target().size());
    const auto ctype = (*req)[http::field::content_type];
    // A submission of modest size is decoded right here and handed to the
    // node; its reply is made on this strand once the block is committed.
    // No other thread is woken on the way, so a submission costs what it did
    // with a thread per connection.
    if (method == "POST" && target == "/v1/transactions" && req->body().size() <= (64u << 10)) {
      Defer on_strand = [g = core_->gate, ex = stream_.get_executor()](std::function<void()> job) {
        g->post(ex, std::move(job));
      };
      return handle_request_async(core_->node,
                                  ApiRequest{method, target, req->body(), std::string_view(ctype.data(), ctype.size()),
                                             {}, core_->options.public_reads, nullptr},
                                  on_strand, [self](HttpReply r) { self->write(std::move(r)); });
    }
    // Everything else may read much of the ledger: the handler pool does it,
    // so the I/O threads stay free for the other connections.
    ReplyHandler done = [self](HttpReply r) {
      net::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    };
    core_->gate->post(core_->handlers.get_executor(), [core = core_, req, done = std::move(done)]() mutable {
      const auto type = (*req)[http::field::content_type];
      const auto auth = (*req)[http::field::authorization];
      handle_request_async(core->node,
                           ApiRequest{std::string_view(req->method_string().data(), req->method_string().size()),
                                      std::string_view(req->target().data(), req->target().size()), req->body(),
                                      std::string_view(type.data(), type.size()),
                                      std::string_view(auth.data(), auth.size()), core->options.public_reads,
                                      core->options.site ? &core->options.site : nullptr},
                           core->defer(), std::move(done));
    });
  }

  std::shared_ptr<http::response<http::string_body>> response(const HttpReply& r, bool keep) {
    // Every error reply is counted, including requests refused before any
    // transaction reached the ledger (a body too large, invalid JSON).
    if (r.status >= 400 && !r.error_code.empty()) core_->node.metrics().refused(r.error_code);
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "arteld");
    res->set(http::field::content_type, r.content_type);
    if (r.retry_after != 0) res->set(http::field::retry_after, std::to_string(r.retry_after));
    res->keep_alive(keep);
    res->body() = r.body;
    res->prepare_payload();
    return res;
  }

  void write(HttpReply r) {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::writing;
    const bool keep = keep_alive_ && !core_->stopping.load(std::memory_order_acquire);
    auto res = response(r, keep);
    expire(Clock::now() + core_->options.head_timeout + at_rate(res->body().size(), core_->options.min_rate));
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
      self->core_->node.metrics().request_served(
          std::chrono::duration<double>(Clock::now() - self->request_start_).count());
      if (ec) return self->close(ec == beast::error::timeout ? "write_timeout" : "client_closed");
      if (!keep) return self->close(self->core_->stopping ? "shutdown" : "done");
      self->first_ = false;
      self->await_request();
    });
  }

  void reply_and_close(const HttpReply& r, const char* reason) {
    phase_ = Phase::writing;
    auto res = response(r, false);
    expire(Clock::now() + core_->options.head_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, reason](beast::error_code, std::size_t) {
      self->close(reason);
    });
  }

  // After refusing a body, read and drop what the client still sends (up to a
  // limit and a deadline) so it sees the reply rather than a reset.
  void refuse_body(const HttpReply& r) {
    phase_ = Phase::writing;
    auto res = response(r, false);
    expire(Clock::now() + core_->options.head_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return self->close("body_too_large");
      beast::error_code e;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, e);
      self->phase_ = Phase::draining;
      self->drained_ = 0;
      self->expire(Clock::now() + std::chrono::seconds(5));
      self->drain();
    });
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(65536), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > (512u << 20)) return self->close("body_too_large");
      self->drain();
    });
  }

  std::shared_ptr<Core> core_;
  beast::tcp_stream stream_;
  net::ip::address peer_;
  Clock::time_point accepted_, request_start_, body_start_, deadline_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Phase phase_ = Phase::waiting;
  bool first_ = true;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::size_t body_bytes_ = 0, drained_ = 0;
  std::string close_reason_;
};

}  // namespace

void HttpServer::Core::accept() {
  acceptor.async_accept(net::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    self->on_accept(ec, std::move(s));
  });
}

void HttpServer::Core::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load(std::memory_order_acquire) || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors (or another transient failure): the pending
    // connection stays in the backlog; try again shortly instead of spinning.
    node.metrics().connection_refused(ec == net::error::no_descriptors ? "open_file_limit" : "accept_error");
    accept_retry.expires_after(std::chrono::milliseconds(50));
    accept_retry.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e) self->accept();
    });
    return;
  }
  beast::error_code e;
  auto endpoint = socket.remote_endpoint(e);
  if (e) {
    accept();
    return;
  }
  const auto peer = endpoint.address();
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu);
    if (sessions.size() >= options.max_connections) {
      refuse(std::move(socket), 503, "busy", "connections",
             "the node has " + std::to_string(options.max_connections) + " connections open, its limit");
    } else if (per_address[peer] >= options.max_per_address) {
      refuse(std::move(socket), 429, "too_many_connections", "per_address",
             "your address has " + std::to_string(options.max_per_address) + " connections open, the limit");
    } else {
      ++per_address[peer];
      session = std::make_shared<Session>(shared_from_this(), std::move(socket), peer);
      sessions.emplace(session.get(), session);
      node.metrics().connection_opened();
    }
  }
  if (session) net::dispatch(session->stream_executor(), [session] { session->start(); });
  accept();
}

void HttpServer::Core::unregister(Session* s, const net::ip::address& peer) {
  std::lock_guard lock(mu);
  sessions.erase(s);
  if (auto it = per_address.find(peer); it != per_address.end() && --it->second == 0) per_address.erase(it);
  cv.notify_all();
}

// Called with `mu` held. A short reply with Retry-After, then the connection
// is closed; at most 256 such replies are in flight, beyond that the
// connection is closed at once.
void HttpServer::Core::refuse(tcp::socket socket, unsigned status, std::string_view code, std::string_view reason,
                              std::string message) {
  node.metrics().connection_refused(reason);
  node.metrics().refused(std::string(code));
  if (refusing >= 256) return;  // the socket closes as it goes out of scope
  ++refusing;
  struct Refusal {
    beast::tcp_stream stream;
    http::response<http::string_body> res;
    beast::flat_buffer scratch;
  };
  auto r = std::make_shared<Refusal>(Refusal{beast::tcp_stream(std::move(socket)), {}, {}});
  r->res = http::response<http::string_body>(static_cast<http::status>(status), 11);
  r->res.set(http::field::server, "arteld");
  r->res.set(http::field::content_type, "application/json");
  r->res.set(http::field::retry_after, "1");
  r->res.keep_alive(false);
  r->res.body() = json{{"error", {{"code", code}, {"message", message}}}}.dump() + "\n";
  r->res.prepare_payload();
  r->stream.expires_after(std::chrono::seconds(2));
  auto finish = [self = shared_from_this(), r] {
    beast::error_code e;
    r->stream.socket().close(e);
    std::lock_guard lock(self->mu);
    --self->refusing;
  };
  http::async_write(r->stream, r->res, [r, finish](beast::error_code ec, std::size_t) {
    if (ec) return finish();
    beast::error_code e;
    r->stream.socket().shutdown(tcp::socket::shutdown_send, e);
    // Read what the client sent until it closes, so it sees the reply
    // rather than a reset.
    r->stream.async_read_some(r->scratch.prepare(16384), [r, finish](beast::error_code, std::size_t) { finish(); });
  });
}

HttpServer::HttpServer(Node& node, HttpOptions options) {
  // Every connection is a file descriptor: keep room for the ledger's own.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    const std::size_t room = rl.rlim_cur > 512 + 16 ? static_cast<std::size_t>(rl.rlim_cur) - 512 : 16;
    if (options.max_connections > room) options.max_connections = room;
  }
  core_ = std::make_shared<Core>(node, std::move(options));
  auto& c = *core_;
  auto& a = c.acceptor;
  beast::error_code ec;
  auto addr = net::ip::make_address(c.options.address, ec);
  if (ec) throw std::runtime_error("bad listen address " + c.options.address + ": " + ec.message());
  tcp::endpoint ep{addr, c.options.port};
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + c.options.address + ":" + std::to_string(c.options.port) + ": " +
                             ec.message());
  port_ = a.local_endpoint().port();
  c.accept();
  for (unsigned i = 0; i < std::max(1u, c.options.io_threads); ++i) c.threads.emplace_back([&c] { c.io.run(); });
}

HttpServer::~HttpServer() { stop(); }

const HttpOptions& HttpServer::options() const { return core_->options; }

void HttpServer::run() {
  std::unique_lock lock(core_->mu);
  core_->cv.wait(lock, [&] { return core_->stopped; });
}

void HttpServer::stop() {
  auto& c = *core_;
  if (c.stopping.load()) {
    run();
    return;
  }
  const auto deadline = Clock::now() + c.options.shutdown_grace;
  c.stop_deadline.store(deadline.time_since_epoch().count());
  c.stopping.store(true, std::memory_order_release);
  net::post(c.acceptor.get_executor(), [&c] {
    beast::error_code ec;
    c.acceptor.close(ec);
    c.accept_retry.cancel();
  });
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(c.mu);
    for (auto& [p, w] : c.sessions)
      if (auto s = w.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) net::post(s->stream_executor(), [s] { s->on_stop(); });
  open.clear();
  {
    // Requests in flight finish within the grace (their deadlines are
    // brought forward to its end); a little more for the closing itself.
    std::unique_lock lock(c.mu);
    c.cv.wait_until(lock, deadline + std::chrono::milliseconds(500), [&] { return c.sessions.empty(); });
  }
  c.gate->close();
  c.handlers.join();
  c.keep_running.reset();
  c.io.stop();
  for (auto& t : c.threads) t.join();
  // What is left (a request whose reply never came within the grace) is
  // closed here, and the handlers still queued run to their end, so no
  // connection outlives the server.
  {
    std::lock_guard lock(c.mu);
    for (auto& [p, w] : c.sessions)
      if (auto s = w.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->force_close();
  open.clear();
  c.io.restart();
  c.io.run();
  {
    std::lock_guard lock(c.mu);
    c.stopped = true;
  }
  c.cv.notify_all();
}

}  // namespace artel::node
