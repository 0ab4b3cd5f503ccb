#include "http_server.h"

// clang-format off
#include <utility>  // must precede Asio with g++ 12 in C++20
// clang-format on
#include <poll.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "vm/abi.h"
#include "vm/module.h"

namespace artel::node {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

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

// Binary batch: no hex, no per-transaction JSON on the way in, and only the
// rejected transactions are itemised on the way out.
HttpReply submit_binary(Node& node, std::string_view body) {
  std::vector<Bytes> txs;
  Reader r(body);
  while (r.ok() && !r.at_end()) {
    Bytes b = r.bytes(max_tx_size);
    if (!r.ok())
      return error_reply(400, "bad_encoding", "binary batch: transaction " + std::to_string(txs.size()) +
                                                  " at byte " + std::to_string(r.position()) +
                                                  " is truncated or over " + std::to_string(max_tx_size) +
                                                  " bytes");
    txs.push_back(std::move(b));
  }
  if (txs.empty()) return error_reply(400, "bad_encoding", "binary batch: no transactions");
  auto futures = node.submit(std::move(txs));
  std::uint64_t applied = 0, height = 0;
  json rejections = json::array();
  for (std::size_t i = 0; i < futures.size(); ++i) {
    Receipt rc = futures[i].get();
    if (rc.applied) {
      ++applied;
      height = std::max(height, rc.height);
    } else {
      rejections.push_back({{"index", i}, {"id", hex(rc.id)}, {"error", error_json(rc.error)}});
    }
  }
  return json_reply(200, json{{"applied", applied}, {"rejected", rejections.size()}, {"height", height},
                              {"rejections", rejections}});
}

HttpReply submit(Node& node, std::string_view body) {
  json req = json::parse(body, nullptr, false);
  if (req.is_discarded() || !req.is_object())
    return error_reply(400, "invalid_json", "the body must be a JSON object");
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
      return error_reply(400, "invalid_json", "\"transactions\" must be a non-empty array");
    for (std::size_t i = 0; i < arr.size(); ++i) {
      auto b = decode_one(arr[i], base64, why);
      if (!b) return error_reply(400, "bad_encoding", "transactions[" + std::to_string(i) + "]: " + why);
      txs.push_back(std::move(*b));
    }
  } else {
    const char* field = req.contains("tx_base64") ? "tx_base64" : "tx";
    if (!req.contains(field))
      return error_reply(400, "invalid_json", "expected \"tx\" (hex), \"tx_base64\" or \"transactions\"");
    auto b = decode_one(req[field], base64, why);
    if (!b) return error_reply(400, "bad_encoding", std::string(field) + ": " + why);
    txs.push_back(std::move(*b));
  }
  auto futures = node.submit(std::move(txs));
  if (!batch) {
    Receipt r = futures[0].get();
    if (r.applied) return json_reply(200, receipt_json(r));
    return json_reply(http_status(r.error.code), json{{"id", hex(r.id)}, {"error", error_json(r.error)}});
  }
  json results = json::array();
  std::uint64_t applied = 0;
  for (auto& f : futures) {
    Receipt r = f.get();
    applied += r.applied;
    results.push_back(receipt_json(r));
  }
  return json_reply(200, json{{"results", results}, {"applied", applied},
                              {"rejected", results.size() - applied}});
}

HttpReply account(Node& node, std::string_view name, bool statement, std::string_view query) {
  auto handle = parse_account_name(name);
  if (!handle)
    return error_reply(400, "bad_account", "'" + std::string(name) +
                                               "' is not an account (share:N, coop:N, fund, charter:F:M or a member id)");
  auto snapshot = node.ledger().store().snapshot();  // one block's state throughout
  Overlay view(*snapshot);
  State st(view);
  if (auto e = st.account_exists(*handle)) return error_reply(404, code_name(e->code), e->message);
  // Demurrage is charged lazily: show a share account as of now, with the
  // weeks not yet taken settled in this read-only view (nothing is written).
  if (abi::account_kind(*handle) == abi::AccountKind::share) {
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
  } else if (abi::account_kind(*handle) == abi::AccountKind::cooperative) {
    std::uint64_t c = abi::account_owner(*handle);
    auto rec = st.coop(c);
    j["cooperative"] = {{"id", c}, {"name", rec->name}, {"person", rec->person},
                        {"members", st.coop_members_count(c)},
                        {"cooperative_account", st.coop_aggregate(c)}};
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
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::optional<vm::Module>> modules;
  auto cite = [&](std::uint64_t coop, std::uint32_t version, std::uint32_t ordinal) -> json {
    if (ordinal == 0) return nullptr;
    auto it = modules.find({coop, version});
    if (it == modules.end()) {
      std::optional<vm::Module> m;
      if (auto c = st.charter(coop, version))
        if (auto parsed = vm::parse(c->module)) m = std::move(parsed.value());
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

// /v1/charter[/VERSION][?coop=N]: the charter of cooperative N (default 0,
// the platform's).
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
    if (!c) return error_reply(404, "unknown_charter_version", "no charter version " + std::string(rest));
    return json_reply(200, charter_version_json(*c, true));
  }
  if (slot.latest == 0) return error_reply(404, "no_charter", "no charter is deployed");
  auto cur = st.charter(*coop, slot.active);
  json versions = json::array();
  for (std::uint32_t v = 1; v <= slot.latest; ++v)
    if (auto c = st.charter(*coop, v)) versions.push_back(charter_version_json(*c, false));
  json j{{"cooperative", *coop}, {"version", cur->version}, {"module_id", hex(cur->module_id)},
         {"source", cur->source}, {"versions", versions}, {"day", st.day()}};
  j["pending"] = slot.pending ? json(slot.pending) : json(nullptr);
  return json_reply(200, j);
}

HttpReply status(Node& node) {
  auto snapshot = node.ledger().store().snapshot();  // one block's state throughout
  Overlay view(*snapshot);
  State st(view);
  const LedgerSummary s = read_summary(*snapshot);  // the very block the snapshot shows
  json j{{"ledger_id", hex(st.ledger_id())},
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
  return json_reply(200, j);
}

HttpReply block(Node& node, std::string_view h) {
  auto n = parse_u64(h);
  auto b = n ? node.ledger().block(*n) : std::nullopt;
  if (!b) return error_reply(404, "unknown_block", "no block at height " + std::string(h));
  json txs = json::array();
  for (const auto& t : b->transactions) txs.push_back(to_hex(t));
  return json_reply(200, json{{"height", b->height}, {"state_digest", hex(b->digest)},
                              {"block_hash", hex(b->block_hash)}, {"transactions", txs}});
}

HttpReply transaction(Node& node, std::string_view id) {
  auto h = hash_from_hex(id);
  if (!h) return error_reply(400, "bad_id", "a transaction id is 64 hex digits");
  auto height = node.ledger().tx_height(*h);
  if (!height) return error_reply(404, "unknown_transaction", "transaction " + std::string(id) + " is not on the ledger");
  auto snapshot = node.ledger().store().snapshot();
  Overlay view(*snapshot);
  json events = json::array();
  for (const auto& e : State(view).events(*h)) events.push_back(event_json(e));
  return json_reply(200, json{{"id", std::string(id)}, {"height", *height}, {"events", events}});
}

// /v1/members/{id}/events?from=N: the events that name a member, oldest first.
HttpReply member_events(Node& node, std::string_view rest, std::string_view query) {
  const auto slash = rest.find('/');
  const auto member = parse_u64(rest.substr(0, slash));
  if (!member || slash == std::string_view::npos || rest.substr(slash) != "/events")
    return error_reply(404, "not_found", "no such endpoint: /v1/members/" + std::string(rest));
  auto snapshot = node.ledger().store().snapshot();
  Overlay view(*snapshot);
  State st(view);
  if (!st.member(*member)) return error_reply(404, "unknown_member", "no member " + std::to_string(*member));
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
  return json_reply(200, j);
}

}  // namespace

HttpReply handle_request(Node& node, std::string_view method, std::string_view target,
                         std::string_view body, std::string_view content_type) {
  std::string_view path = target, query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  auto method_not_allowed = [&] {
    return error_reply(405, "method_not_allowed", std::string(method) + " is not allowed on " + std::string(path));
  };
  try {
    if (path == "/v1/transactions") {
      if (method != "POST") return method_not_allowed();
      return content_type.starts_with("application/octet-stream") ? submit_binary(node, body) : submit(node, body);
    }
    if (method != "GET") {
      if (path == "/v1/status" || path == "/metrics" || path.starts_with("/v1/")) return method_not_allowed();
      return error_reply(404, "not_found", "no endpoint " + std::string(path));
    }
    if (path == "/v1/status") return status(node);
    if (path == "/metrics")
      return HttpReply{200, "text/plain; version=0.0.4",
                       node.metrics().prometheus(node.ledger().summary()), {}};
    if (path == "/v1/charter" || path.starts_with("/v1/charter/"))
      return charter(node, path.substr(std::string_view("/v1/charter").size()), query);
    if (path.starts_with("/v1/blocks/")) return block(node, path.substr(11));
    if (path.starts_with("/v1/signers/")) return signer(node, path.substr(12));
    if (path.starts_with("/v1/transactions/")) return transaction(node, path.substr(17));
    if (path.starts_with("/v1/members/")) return member_events(node, path.substr(12), query);
    if (path.starts_with("/v1/networks/")) return network_graph(node, path.substr(13), query);
    if (path.starts_with("/v1/accounts/")) {
      auto rest = path.substr(13);
      constexpr std::string_view suffix = "/statement";
      if (rest.ends_with(suffix)) return account(node, rest.substr(0, rest.size() - suffix.size()), true, query);
      if (rest.find('/') != std::string_view::npos)
        return error_reply(404, "not_found", "no endpoint " + std::string(path));
      return account(node, rest, false, query);
    }
    return error_reply(404, "not_found", "no endpoint " + std::string(path));
  } catch (const json::exception& e) {
    // A field of the wrong JSON type (e.g. "encoding": 5) is the client's error.
    return error_reply(400, "invalid_json", e.what());
  } catch (const std::exception& e) {
    return error_reply(500, "internal", e.what());
  }
}

struct HttpServer::Impl {
  Node& node;
  HttpOptions options;
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::set<int> open_fds;
  std::size_t threads = 0;
  std::condition_variable done_cv;

  Impl(Node& n, HttpOptions o) : node(n), options(std::move(o)) {}

  static bool wait_readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }

  // After refusing a body, read and drop what the client still sends (up to a
  // limit and a deadline) so it sees our response rather than a reset.
  static void drain(tcp::socket& s) {
    beast::error_code ec;
    s.shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 65536> buf;
    std::size_t total = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (total < (512u << 20) && std::chrono::steady_clock::now() < deadline) {
      if (!wait_readable(s.native_handle(), 1000)) break;
      std::size_t n = s.read_some(net::buffer(buf), ec);
      if (ec || n == 0) break;
      total += n;
    }
  }

  void write(tcp::socket& s, unsigned version, bool keep_alive, const HttpReply& r, beast::error_code& ec) {
    // Every error reply is counted, including requests refused before any
    // transaction reached the ledger (a body too large, invalid JSON).
    if (r.status >= 400 && !r.error_code.empty()) node.metrics().refused(r.error_code);
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "arteld");
    res.set(http::field::content_type, r.content_type);
    res.keep_alive(keep_alive);
    res.body() = r.body;
    res.prepare_payload();
    http::write(s, res, ec);
  }

  void session(tcp::socket s) {
    beast::flat_buffer buf;
    beast::error_code ec;
    for (;;) {
      if (buf.size() == 0 && !wait_readable(s.native_handle(), 60'000)) break;  // idle
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(options.max_body);
      http::read_header(s, buf, parser, ec);
      if (ec == http::error::end_of_stream || stopping) break;
      if (ec == http::error::body_limit) {  // Content-Length already over the limit
        write(s, 11, false,
              error_reply(413, "body_too_large", "the body exceeds the limit of " +
                                                     std::to_string(options.max_body) + " bytes"),
              ec);
        drain(s);
        break;
      }
      if (ec) {
        write(s, 11, false, error_reply(400, "bad_request", "malformed HTTP request: " + ec.message()), ec);
        break;
      }
      const unsigned version = parser.get().version();
      auto length = parser.content_length();
      if (length && *length > options.max_body) {
        write(s, version, false,
              error_reply(413, "body_too_large", "the body is " + std::to_string(*length) +
                                                     " bytes; the limit is " + std::to_string(options.max_body)),
              ec);
        drain(s);
        break;
      }
      http::read(s, buf, parser, ec);
      if (ec == http::error::body_limit) {
        write(s, version, false,
              error_reply(413, "body_too_large", "the body exceeds " + std::to_string(options.max_body) + " bytes"), ec);
        drain(s);
        break;
      }
      if (ec) break;
      auto req = parser.release();
      HttpReply r = handle_request(node, std::string_view(req.method_string().data(), req.method_string().size()),
                                   std::string_view(req.target().data(), req.target().size()), req.body(),
                                   std::string_view(req[http::field::content_type].data(),
                                                    req[http::field::content_type].size()));
      bool keep = req.keep_alive() && !stopping;
      write(s, version, keep, r, ec);
      if (ec || !keep) break;
    }
    s.shutdown(tcp::socket::shutdown_both, ec);
  }
};

HttpServer::HttpServer(Node& node, HttpOptions options)
    : impl_(std::make_unique<Impl>(node, std::move(options))) {
  auto& a = impl_->acceptor;
  beast::error_code ec;
  auto addr = net::ip::make_address(impl_->options.address, ec);
  if (ec) throw std::runtime_error("bad listen address " + impl_->options.address + ": " + ec.message());
  tcp::endpoint ep{addr, impl_->options.port};
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + impl_->options.address + ":" +
                             std::to_string(impl_->options.port) + ": " + ec.message());
  port_ = a.local_endpoint().port();
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::run() {
  auto& im = *impl_;
  while (!im.stopping) {
    beast::error_code ec;
    tcp::socket s(im.io);
    im.acceptor.accept(s, ec);
    if (ec) {
      if (im.stopping) break;
      continue;
    }
    std::unique_lock lock(im.mu);
    if (im.threads >= im.options.max_connections) {
      lock.unlock();
      im.write(s, 11, false, error_reply(503, "busy", "too many open connections"), ec);
      continue;
    }
    ++im.threads;
    int fd = s.native_handle();
    im.open_fds.insert(fd);
    std::thread([&im, fd, sock = std::move(s)]() mutable {
      im.session(std::move(sock));
      std::lock_guard l(im.mu);
      im.open_fds.erase(fd);
      --im.threads;
      im.done_cv.notify_all();
    }).detach();
  }
}

void HttpServer::stop() {
  auto& im = *impl_;
  if (im.stopping.exchange(true)) return;
  beast::error_code ec;
  im.acceptor.cancel(ec);
  ::shutdown(im.acceptor.native_handle(), SHUT_RDWR);
  std::unique_lock lock(im.mu);
  for (int fd : im.open_fds) ::shutdown(fd, SHUT_RDWR);
  im.done_cv.wait(lock, [&] { return im.threads == 0; });
}

}  // namespace artel::node
