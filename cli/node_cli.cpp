// `artel` ledger client commands: keygen, status, submit, account, statement,
// charter. They talk to an arteld over its HTTP API (docs/operator.md).
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "charter_text.h"
#include "commands.h"
#include "file_io.h"
#include "compiler/typed/typed.h"
#include "node/http_client.h"
#include "node/read_auth.h"
#include "node/transaction.h"

namespace artel::cli {

namespace {

using json = nlohmann::json;
using namespace artel::node;

struct NodeOpts {
  std::string url = "http://127.0.0.1:7070";
};

struct SubmitOpts {
  std::string key_file;
  std::uint64_t nonce = 0;
  std::string ledger;  // the ledger's id (hex); default: the node's
  std::vector<std::string> approvers;
  bool print_only = false;
  // Fields of the transaction kinds.
  std::string name, key_hex, description, valuation, memo, rule, module_file, source_file;
  std::string new_key_file;  // rotate-key: the new key, which also approves
  std::vector<std::string> council_keys;
  std::uint32_t threshold = 1;
  std::uint64_t coop = 0, member = 0, to = 0, to_member = 0, member_coop = 0, period = 0;
  std::int64_t amount = 0;
  bool property = false;
  std::vector<std::int64_t> args;
};

// A sealed key's passphrase: $ARTEL_KEY_PASSPHRASE, else asked on the
// terminal without echo; nullopt when neither is there.
std::optional<std::string> passphrase(const std::string& prompt) {
  if (const char* env = std::getenv("ARTEL_KEY_PASSPHRASE")) return std::string(env);
  int tty = ::open("/dev/tty", O_RDWR);
  if (tty < 0) return std::nullopt;
  termios old{};
  const bool is_tty = ::tcgetattr(tty, &old) == 0;
  if (is_tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  (void)!::write(tty, prompt.data(), prompt.size());
  std::string line;
  char c;
  while (::read(tty, &c, 1) == 1 && c != '\n') line.push_back(c);
  (void)!::write(tty, "\n", 1);
  if (is_tty) ::tcsetattr(tty, TCSAFLUSH, &old);
  ::close(tty);
  return line;
}

// The key in a file `artel keygen` wrote (plain or sealed); nullopt with
// `why` and the exit code set otherwise: 1 when the file cannot be read or
// opened, 2 when it holds no key.
std::optional<KeyPair> read_key(const std::string& path, std::string& why, int& exit_code) {
  auto text = read_text_file(path, why);
  if (!text) {
    exit_code = 1;
    return std::nullopt;
  }
  if (is_sealed_key(*text)) {
    auto pass = passphrase("passphrase for " + path + ": ");
    if (!pass) {
      why = path + " is sealed: set ARTEL_KEY_PASSPHRASE or run from a terminal";
      exit_code = 1;
      return std::nullopt;
    }
    auto seed = open_sealed_seed(*text, *pass, why);
    if (!seed) {
      why = path + ": " + why;
      exit_code = 1;
      return std::nullopt;
    }
    text = *seed;
  }
  std::istringstream in(*text);
  std::string hex;
  std::optional<KeyPair> key;
  if (in >> hex) key = KeyPair::from_seed_hex(hex);
  if (!key) {
    why = path + " holds no key (expected the hex seed `artel keygen` writes)";
    exit_code = 2;
  }
  return key;
}

// Prints the node's JSON answer; non-2xx answers make the command fail.
void print_response(const HttpResponse& r, Context& ctx) {
  json j = json::parse(r.body, nullptr, false);
  std::cout << (j.is_discarded() ? r.body : j.dump(2)) << "\n";
  if (r.status < 200 || r.status >= 300) ctx.exit_code = 1;
}

template <class F>
void guarded(Context& ctx, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    std::cerr << "artel: " << e.what() << "\n";
    ctx.exit_code = 1;
  }
}

void add_node_option(CLI::App* cmd, NodeOpts& n) {
  cmd->add_option("--node", n.url, "node URL, http://HOST:PORT")->capture_default_str();
}

void submit(TxBody body, const SubmitOpts& o, const NodeOpts& n, Context& ctx) {
  std::string why;
  auto key = read_key(o.key_file, why, ctx.exit_code);
  if (!key) {
    std::cerr << "artel: " << why << "\n";
    return;
  }
  Transaction tx;
  tx.signer = key->pk;
  tx.body = std::move(body);
  tx.nonce = o.nonce;
  std::unique_ptr<HttpClient> client;
  if (o.print_only && (tx.nonce == 0 || o.ledger.empty())) {
    std::cerr << "artel: --print needs --nonce and --ledger\n";
    ctx.exit_code = 2;
    return;
  }
  // Signatures cover the ledger's id: a transaction signed for one ledger is
  // refused by every other.
  Hash ledger{};
  if (!o.ledger.empty()) {
    auto id = hash_from_hex(o.ledger);
    if (!id) {
      std::cerr << "artel: --ledger must be 64 hex digits (the ledger id /v1/status shows)\n";
      ctx.exit_code = 2;
      return;
    }
    ledger = *id;
  } else {
    client = std::make_unique<HttpClient>(n.url);
    auto r = client->get("/v1/status");
    json j = json::parse(r.body, nullptr, false);
    if (r.status != 200 || j.is_discarded() || !j.contains("ledger_id")) {
      print_response(r, ctx);
      return;
    }
    ledger = *hash_from_hex(j["ledger_id"].get<std::string>());
  }
  if (tx.nonce == 0) {
    if (!client) client = std::make_unique<HttpClient>(n.url);
    auto r = client->get("/v1/signers/" + to_hex(key->pk));
    json j = json::parse(r.body, nullptr, false);
    if (r.status != 200 || j.is_discarded()) {
      print_response(r, ctx);
      return;
    }
    tx.nonce = j["next_nonce"].get<std::uint64_t>();
  }
  std::vector<std::string> approvers = o.approvers;
  if (!o.new_key_file.empty()) approvers.insert(approvers.begin(), o.new_key_file);
  for (const auto& path : approvers) {
    auto a = read_key(path, why, ctx.exit_code);
    if (!a) {
      std::cerr << "artel: " << why << "\n";
      return;
    }
    add_approval(tx, *a, ledger);
  }
  Bytes bytes = sign_transaction(tx, *key, ledger);
  if (o.print_only) {
    std::cout << to_hex(bytes) << "\n";
    return;
  }
  if (!client) client = std::make_unique<HttpClient>(n.url);
  print_response(client->post("/v1/transactions", json{{"tx", to_hex(bytes)}}.dump()), ctx);
}

// Columns on a terminal: code points, not bytes (titles may be Russian).
std::size_t utf8_width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A statement as a member reads it: amounts in money with the currency,
// and the article (number and title) of the charter version that made each
// line.
void print_statement(const json& j, std::ostream& out) {
  const int scale = j.value("scale", 0);
  const std::string currency = j.value("currency", "");
  auto money = [&](std::int64_t v, bool sign) {
    return (sign && v > 0 ? "+" : "") + typed::format_money(v, scale) + (currency.empty() ? "" : " " + currency);
  };
  out << j.value("account", "") << ": balance " << money(j.value("balance", std::int64_t{0}), false) << " on "
      << j.value("date", "") << ", " << j.value("postings", 0) << " postings\n";
  std::vector<std::array<std::string, 5>> rows{{"#", "date", "amount", "balance", "article"}};
  for (const auto& l : j["statement"]) {
    std::string article;
    if (l["cites"].is_object()) {
      const auto& t = l["cites"]["titles"];
      article = l["cites"].value("charter", "") + " v" + std::to_string(l.value("charter_version", 0)) + " art. " +
                l["cites"].value("number", "") + " " +
                (t.contains("en") ? t["en"].get<std::string>() : t.empty() ? "" : t.begin()->get<std::string>());
    } else {
      article = l.value("kind", "");
    }
    if (l["contribution"].is_object()) article += " (" + l["contribution"].value("description", "") + ")";
    if (l["tx"].is_null()) article += " (not yet taken)";
    rows.push_back({std::to_string(l.value("seq", 0)), l.value("date", ""), money(l.value("amount", std::int64_t{0}), true),
                    money(l.value("balance", std::int64_t{0}), false), article});
  }
  std::array<std::size_t, 5> width{};
  for (const auto& r : rows)
    for (std::size_t c = 0; c < 5; ++c) width[c] = std::max(width[c], utf8_width(r[c]));
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < 5; ++c) {
      const std::size_t pad = width[c] - utf8_width(r[c]);
      const bool right = c == 0 || c == 2 || c == 3;
      if (c != 0) out << "  ";
      if (right) out << std::string(pad, ' ') << r[c];
      else out << r[c] << (c + 1 < 5 ? std::string(pad, ' ') : "");
    }
    out << "\n";
  }
  if (j.contains("next")) out << "(more from --from " << j["next"].get<std::uint64_t>() << ")\n";
}

}  // namespace

void add_node_commands(CLI::App& app, Context& ctx) {
  auto node = std::make_shared<NodeOpts>();

  // keygen
  auto keygen_out = std::make_shared<std::string>();
  auto keygen_show = std::make_shared<std::string>();
  auto* keygen = app.add_subcommand("keygen", "create an Ed25519 key (the file holds the hex seed, or it sealed)");
  keygen->add_option("--out", *keygen_out, "write the secret seed to this file (mode 0600)");
  keygen->add_option("--show", *keygen_show, "print the public key of an existing key file");
  auto keygen_seal = std::make_shared<bool>(false);
  keygen->add_flag("--seal", *keygen_seal,
                   "with --out: seal the file with a passphrase ($ARTEL_KEY_PASSPHRASE, or asked twice)");
  keygen->callback([&ctx, keygen_out, keygen_show, keygen_seal] {
    crypto_init();
    if (!keygen_show->empty()) {
      std::string why;
      auto k = read_key(*keygen_show, why, ctx.exit_code);
      if (!k) {
        std::cerr << "artel: " << why << "\n";
        ctx.exit_code = 1;  // nothing to show, whatever the reason
        return;
      }
      std::cout << to_hex(k->pk) << "\n";
      return;
    }
    KeyPair k = KeyPair::generate();
    std::string content = k.seed_hex() + "\n";
    if (*keygen_seal) {
      if (keygen_out->empty()) {
        std::cerr << "artel: --seal needs --out FILE\n";
        ctx.exit_code = 2;
        return;
      }
      auto first = passphrase("passphrase for " + *keygen_out + ": ");
      auto again = std::getenv("ARTEL_KEY_PASSPHRASE") ? first : passphrase("the same again: ");
      if (!first || first->empty() || first != again) {
        std::cerr << "artel: no passphrase, an empty one, or two that differ; nothing written\n";
        ctx.exit_code = 2;
        return;
      }
      content = seal_seed(k.seed_hex(), *first);
    }
    if (!keygen_out->empty()) {
      int fd = ::open(keygen_out->c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
      std::FILE* f = fd < 0 ? nullptr : ::fdopen(fd, "w");
      if (!f) {
        std::cerr << "artel: cannot create " << *keygen_out << " (it may already exist)\n";
        ctx.exit_code = 1;
        return;
      }
      std::fputs(content.c_str(), f);
      std::fclose(f);
      std::cout << json{{"public_key", to_hex(k.pk)}, {"file", *keygen_out}}.dump(2) << "\n";
    } else {
      std::cout << json{{"public_key", to_hex(k.pk)}, {"seed", k.seed_hex()}}.dump(2) << "\n";
    }
  });

  auto* status = app.add_subcommand("status", "height, state digest and charter of a node");
  add_node_option(status, *node);
  status->callback([&ctx, node] {
    guarded(ctx, [&] { print_response(HttpClient(node->url).get("/v1/status"), ctx); });
  });

  auto signer_key = std::make_shared<std::string>();
  auto* signer = app.add_subcommand(
      "signer", "what a key is on the ledger: its person, memberships, next nonce, and when it was replaced");
  signer->add_option("key", *signer_key, "public key (hex)")->required();
  add_node_option(signer, *node);
  signer->callback([&ctx, node, signer_key] {
    guarded(ctx, [&] { print_response(HttpClient(node->url).get("/v1/signers/" + *signer_key), ctx); });
  });

  // Reads of a member's records are signed (docs/operator.md, "Who may read
  // what"): with --key, by that key for this ledger, valid for a minute.
  struct ReadOpts {
    std::string id, key_file;
    std::uint64_t from = 0, member = 0;
    bool uncollected = false, json_out = false;
  };
  auto ro = std::make_shared<ReadOpts>();
  auto signed_get = [&ctx](const NodeOpts& n, const std::string& key_file,
                           const std::string& target) -> std::optional<HttpResponse> {
    HttpClient client(n.url);
    if (key_file.empty()) return client.get(target);
    std::string why;
    auto key = read_key(key_file, why, ctx.exit_code);
    if (!key) {
      std::cerr << "artel: " << why << "\n";
      return std::nullopt;
    }
    auto st = client.get("/v1/status");
    json j = json::parse(st.body, nullptr, false);
    if (st.status != 200 || j.is_discarded() || !j.contains("ledger_id")) {
      print_response(st, ctx);
      return std::nullopt;
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return client.get(target, sign_read(*key, *hash_from_hex(j["ledger_id"].get<std::string>()),
                                        static_cast<std::uint64_t>(now) + 60, target));
  };
  auto add_read_key = [ro](CLI::App* cmd) {
    cmd->add_option("--key", ro->key_file,
                    "sign the read with this key file (the member's, its cooperative's or a council key); a "
                    "node without --public-reads refuses an unsigned read of a member's records");
  };

  auto* account = app.add_subcommand("account", "balance of an account (share:N, coop:N, fund, charter:F:M or N)");
  account->add_option("id", ro->id, "account")->required();
  account->add_flag("--uncollected", ro->uncollected,
                    "fund or coop:N: also the demurrage owed to it and not yet collected (settles every owing account)");
  add_read_key(account);
  add_node_option(account, *node);
  account->callback([&ctx, node, ro, signed_get] {
    guarded(ctx, [&] {
      if (auto r = signed_get(*node, ro->key_file, "/v1/accounts/" + ro->id + (ro->uncollected ? "?uncollected=1" : "")))
        print_response(*r, ctx);
    });
  });

  auto* statement = app.add_subcommand(
      "statement", "an account's postings as a table in money, each with the article and charter version that made it");
  statement->add_option("id", ro->id, "account")->required();
  statement->add_option("--from", ro->from, "first posting");
  statement->add_flag("--json", ro->json_out, "print the node's JSON answer instead of the table");
  add_read_key(statement);
  add_node_option(statement, *node);
  statement->callback([&ctx, node, ro, signed_get] {
    guarded(ctx, [&] {
      auto r = signed_get(*node, ro->key_file, "/v1/accounts/" + ro->id + "/statement?from=" + std::to_string(ro->from));
      if (!r) return;
      json j = json::parse(r->body, nullptr, false);
      if (ro->json_out || r->status != 200 || j.is_discarded()) return print_response(*r, ctx);
      print_statement(j, std::cout);
    });
  });

  auto* block = app.add_subcommand(
      "block", "one block: its transactions (hex), state digest and hash — to compare nodes or replay a ledger");
  block->add_option("height", ro->from, "the block's height")->required();
  add_read_key(block);
  block->callback([&ctx, node, ro, signed_get] {
    guarded(ctx, [&] {
      if (auto r = signed_get(*node, ro->key_file, "/v1/blocks/" + std::to_string(ro->from))) print_response(*r, ctx);
    });
  });
  add_node_option(block, *node);

  auto* events = app.add_subcommand("events", "the charter events that name a member (notices, acts), oldest first");
  events->add_option("member", ro->member, "member id")->required();
  events->add_option("--from", ro->from, "first event");
  add_read_key(events);
  add_node_option(events, *node);
  events->callback([&ctx, node, ro, signed_get] {
    guarded(ctx, [&] {
      if (auto r = signed_get(*node, ro->key_file,
                              "/v1/members/" + std::to_string(ro->member) + "/events?from=" + std::to_string(ro->from)))
        print_response(*r, ctx);
    });
  });

  struct NetworkOptions {
    std::uint64_t member = 0, coop = 0, levels = 2, limit = 200;
    bool json_out = false;
  };
  auto net = std::make_shared<NetworkOptions>();
  auto* network = app.add_subcommand(
      "network", "a participant's neighbourhood in a guarantor network, as a tree: its guarantors and theirs, and whom "
                 "they vouch for, up to --levels steps");
  network->add_option("member", net->member, "the participant (member id)")->required();
  network->add_option("--coop", net->coop, "the network's cooperative id")->required();
  network->add_option("--levels", net->levels, "steps along guarantees (default 2, at most 16)");
  network->add_option("--limit", net->limit, "at most this many participants (default 200, at most 2000)");
  network->add_flag("--json", net->json_out, "print the node's answer as it is");
  add_node_option(network, *node);
  network->callback([&ctx, node, net] {
    guarded(ctx, [&] {
      auto r = HttpClient(node->url).get("/v1/networks/" + std::to_string(net->coop) + "/graph?member=" +
                                         std::to_string(net->member) + "&levels=" + std::to_string(net->levels) +
                                         "&limit=" + std::to_string(net->limit));
      json j = json::parse(r.body, nullptr, false);
      if (net->json_out || r.status != 200 || j.is_discarded()) return print_response(r, ctx);
      std::map<std::uint64_t, std::vector<std::uint64_t>> up, down;  // guarantors; whom one vouches for
      std::map<std::uint64_t, std::uint64_t> vouches;
      for (const auto& n : j["nodes"]) {
        vouches[n["member"]] = n["vouches_for"];
        for (const auto& g : n["guarantors"]) up[n["member"]].push_back(g);
      }
      for (const auto& e : j["edges"]) down[e["guarantor"]].push_back(e["member"]);
      std::cout << "member " << net->member << " in the network of cooperative " << net->coop << ": "
                << j["nodes"].size() << " participants within " << net->levels << " steps"
                << (j["truncated"].get<bool>() ? " (cut at --limit)" : "") << "\n";
      std::cout << "member " << net->member << "\n";
      std::set<std::uint64_t> shown{net->member};
      // Each line: who, how it is related to the line above, and how many it
      // vouches for in all.
      std::function<void(std::uint64_t, std::uint64_t, std::uint64_t, const std::string&)> walk =
          [&](std::uint64_t x, std::uint64_t parent, std::uint64_t depth, const std::string& indent) {
            if (depth == net->levels) return;
            std::vector<std::pair<std::string, std::uint64_t>> lines;
            for (auto g : up[x])
              if (g != parent) lines.emplace_back("guaranteed by", g);
            for (auto m : down[x])
              if (m != parent) lines.emplace_back("vouches for", m);
            for (std::size_t i = 0; i < lines.size(); ++i) {
              const bool last = i + 1 == lines.size();
              const auto [how, who] = lines[i];
              const bool again = !shown.insert(who).second;
              std::cout << indent << (last ? "└── " : "├── ") << how << " member " << who;
              if (vouches.count(who)) std::cout << " (vouches for " << vouches[who] << ")";
              if (again) std::cout << " (shown above)";
              std::cout << "\n";
              if (!again) walk(who, x, depth + 1, indent + (last ? "    " : "│   "));
            }
          };
      walk(net->member, 0, 0, "");
    });
  });

  auto version = std::make_shared<std::uint32_t>(0);
  auto charter_coop = std::make_shared<std::uint64_t>(0);
  struct CharterOpts {
    bool json_out = false;
    std::string lang = "en";
  };
  auto co = std::make_shared<CharterOpts>();
  auto* charter = app.add_subcommand(
      "charter", "a deployed charter as members read it: articles, parameters in force, who may do what, and what "
                 "changed from the version before");
  charter->add_option("--version", *version, "one version (default: the one in force)");
  charter->add_option("--coop", *charter_coop, "whose charter: a cooperative's id, 0 for the platform's");
  charter->add_option("--lang", co->lang, "language of titles, texts and rights: en or ru")->capture_default_str();
  charter->add_flag("--json", co->json_out,
                    "print the node's JSON answer (without --version: the list of versions and the source)");
  add_node_option(charter, *node);
  charter->callback([&ctx, node, version, charter_coop, co] {
    guarded(ctx, [&] {
      HttpClient client(node->url);
      const std::string coop = "?coop=" + std::to_string(*charter_coop);
      std::uint32_t v = *version;
      if (v == 0 && !co->json_out) {
        auto list = client.get("/v1/charter" + coop);
        json lj = json::parse(list.body, nullptr, false);
        if (list.status != 200 || lj.is_discarded()) return print_response(list, ctx);
        v = lj["version"].get<std::uint32_t>();
      }
      auto r = client.get(v ? "/v1/charter/" + std::to_string(v) + coop : "/v1/charter" + coop);
      json j = json::parse(r.body, nullptr, false);
      if (co->json_out || r.status != 200 || j.is_discarded()) return print_response(r, ctx);
      std::cout << "Version " << v << (j.value("in_force", false) ? " (in force)" : "") << ", effective "
                << j.value("effective_date", "") << ", module " << j.value("module_id", "") << "\n\n";
      print_charter_document(j["document"], co->lang, std::cout);
      if (j["changes"].is_object()) {
        std::cout << "\nChanges from version " << v - 1 << ":\n";
        print_charter_diff(j["changes"], std::cout);
      }
    });
  });

  // submit KIND
  auto o = std::make_shared<SubmitOpts>();
  auto* sub = app.add_subcommand("submit", "build, sign and send a transaction");
  sub->require_subcommand(1);
  auto common = [&](CLI::App* c) {
    c->add_option("--key", o->key_file, "signer's key file")->required();
    c->add_option("--nonce", o->nonce, "signer's nonce (default: the node's next)");
    c->add_option("--ledger", o->ledger, "the ledger's id (hex; default: the node's, from /v1/status)");
    c->add_option("--approve", o->approvers, "key file of an approver (repeatable)");
    c->add_flag("--print", o->print_only, "print the signed transaction in hex instead of sending it");
    add_node_option(c, *node);
  };
  auto send = [&ctx, node, o](auto make) {
    return [&ctx, node, o, make] {
      crypto_init();
      guarded(ctx, [&] {
        std::optional<TxBody> body = make(*o, ctx);
        if (body) submit(std::move(*body), *o, *node, ctx);
      });
    };
  };
  auto pubkey = [](const std::string& hex, Context& c) -> std::optional<PublicKey> {
    auto pk = public_key_from_hex(hex);
    if (!pk) {
      std::cerr << "artel: a public key is 64 hex digits, got '" << hex << "'\n";
      c.exit_code = 2;
    }
    return pk;
  };

  auto* reg = sub->add_subcommand("register-coop", "register a cooperative (an operator council key)");
  common(reg);
  reg->add_option("--coop-key", o->key_hex, "the cooperative's public key (hex)")->required();
  reg->add_option("--name", o->name, "its name")->required();
  reg->callback(send([pubkey](const SubmitOpts& s, Context& c) -> std::optional<TxBody> {
    auto pk = pubkey(s.key_hex, c);
    if (!pk) return std::nullopt;
    return RegisterCoop{*pk, s.name};
  }));

  auto* admit = sub->add_subcommand("admit", "admit a member (the cooperative's key)");
  common(admit);
  admit->add_option("--coop", o->coop, "cooperative id")->required();
  admit->add_option("--member-key", o->key_hex,
                    "the new member's public key (hex); a person already on the ledger keeps its id")
      ->required();
  admit->add_option("--as-coop", o->member_coop, "the new member is this cooperative (a union admitting it)");
  admit->callback(send([pubkey](const SubmitOpts& s, Context& c) -> std::optional<TxBody> {
    auto pk = pubkey(s.key_hex, c);
    if (!pk) return std::nullopt;
    return AdmitMember{s.coop, *pk, s.member_coop};
  }));

  auto* contribute = sub->add_subcommand("contribute", "record a share contribution (the cooperative's key)");
  common(contribute);
  contribute->add_option("--member", o->member, "member id")->required();
  contribute->add_option("--amount", o->amount, "minor units (for property: its valuation)")->required();
  contribute->add_flag("--property", o->property, "a contribution in property");
  contribute->add_option("--description", o->description, "what was contributed");
  contribute->add_option("--valuation", o->valuation, "property: who valued it and how");
  contribute->callback(send([](const SubmitOpts& s, Context&) -> std::optional<TxBody> {
    return Contribute{s.member, s.amount, s.property ? ContributionKind::property : ContributionKind::money,
                      s.description, s.valuation};
  }));

  auto* transfer = sub->add_subcommand("transfer", "pay from one of the signer's share accounts to a person");
  common(transfer);
  transfer->add_option("--from-member", o->member, "the paying membership (default: the signer's only one)");
  transfer->add_option("--to", o->to, "the receiving person's id");
  transfer->add_option("--to-member", o->to_member,
                                         "the receiving membership (default: that person's only one)");
  transfer->add_option("--amount", o->amount, "minor units")->required();
  transfer->add_option("--memo", o->memo, "free text");
  transfer->callback(send([](const SubmitOpts& s, Context& c) -> std::optional<TxBody> {
    if (s.to == 0 && s.to_member == 0) {
      std::cerr << "artel: name the recipient: --to PERSON or --to-member MEMBER\n";
      c.exit_code = 2;
      return std::nullopt;
    }
    return Transfer{s.member, s.to, s.to_member, s.amount, s.memo};
  }));

  auto* ret = sub->add_subcommand("return", "return a share contribution (the cooperative's key)");
  common(ret);
  ret->add_option("--member", o->member, "member id")->required();
  ret->add_option("--amount", o->amount, "minor units")->required();
  ret->callback(send([](const SubmitOpts& s, Context&) -> std::optional<TxBody> {
    return ReturnShare{s.member, s.amount};
  }));

  auto* call = sub->add_subcommand("call", "call a rule of a charter");
  common(call);
  call->add_option("--coop", o->coop, "whose charter: a cooperative's id, 0 for the platform's")->capture_default_str();
  call->add_option("--as-member", o->member, "the acting membership (default: the signer's in that cooperative)");
  call->add_option("rule", o->rule, "rule name")->required();
  call->add_option("args", o->args, "integer arguments");
  call->callback(send([](const SubmitOpts& s, Context&) -> std::optional<TxBody> {
    return CallRule{s.coop, s.member, s.rule, s.args};
  }));

  auto* advance = sub->add_subcommand(
      "advance", "move the ledger's clock (the clock key): every charter's periods that begin on the way run");
  common(advance);
  auto days = std::make_shared<std::uint64_t>(7);
  advance->add_option("--to", o->period, "the ledger day to move to (days since the genesis date)");
  advance->add_option("--days", *days, "how many days to move (default 7, a week)")->check(CLI::Range(1, 366));
  advance->callback([&ctx, node, o, days] {
    crypto_init();
    guarded(ctx, [&] {
      std::uint64_t to = o->period;
      if (to == 0) {
        auto r = HttpClient(node->url).get("/v1/status");
        json j = json::parse(r.body, nullptr, false);
        if (r.status != 200 || j.is_discarded()) return print_response(r, ctx);
        to = j["day"].get<std::uint64_t>() + *days;
      }
      submit(AdvancePeriod{to}, *o, *node, ctx);
    });
  });

  auto* rotate = sub->add_subcommand(
      "rotate-key", "replace the signer's key (a member's or a cooperative's); the new key approves");
  common(rotate);
  rotate->add_option("--new-key", o->new_key_file, "key file of the new key (from `artel keygen`)")->required();
  rotate->callback(send([](const SubmitOpts& s, Context& c) -> std::optional<TxBody> {
    std::string why;
    auto k = read_key(s.new_key_file, why, c.exit_code);
    if (!k) {
      std::cerr << "artel: " << why << "\n";
      return std::nullopt;
    }
    return RotateKey{k->pk};
  }));

  auto* council = sub->add_subcommand(
      "change-council", "replace the operator council and the clock key (council keys, as many as its threshold)");
  common(council);
  council->add_option("--council-key", o->council_keys, "a key of the new council (hex; repeatable)")->required();
  council->add_option("--threshold", o->threshold, "how many council keys must sign a council act")
      ->capture_default_str();
  council->add_option("--clock-key", o->key_hex, "the new clock key (hex)")->required();
  council->callback(send([pubkey](const SubmitOpts& s, Context& c) -> std::optional<TxBody> {
    ChangeCouncil cc;
    for (const auto& hex : s.council_keys) {
      auto pk = pubkey(hex, c);
      if (!pk) return std::nullopt;
      cc.keys.push_back(*pk);
    }
    auto clock = pubkey(s.key_hex, c);
    if (!clock) return std::nullopt;
    cc.threshold = s.threshold;
    cc.clock_key = *clock;
    return cc;
  }));

  for (bool amend : {false, true}) {
    auto* c = sub->add_subcommand(amend ? "amend" : "deploy",
                                  amend ? "amend a charter (a member, with the approvals it demands)"
                                        : "deploy a charter (the platform's: a council key; a cooperative's: its key)");
    common(c);
    c->add_option("--coop", o->coop, "whose charter: a cooperative's id, 0 for the platform's")->capture_default_str();
    c->add_option("--module", o->module_file, "charter module file (.acm)")->required();
    c->add_option("--source", o->source_file, "charter source file")->required();
    c->callback(send([amend](const SubmitOpts& s, Context& cx) -> std::optional<TxBody> {
      std::string why;
      std::optional<std::string> m = read_text_file(s.module_file, why), src;
      if (m) src = read_text_file(s.source_file, why);
      if (!m || !src) {
        std::cerr << "artel: " << why << "\n";
        cx.exit_code = 1;
        return std::nullopt;
      }
      Bytes mb(m->begin(), m->end());
      if (amend) return AmendCharter{s.coop, std::move(mb), *src};
      return DeployCharter{s.coop, std::move(mb), *src};
    }));
  }
}

}  // namespace artel::cli
