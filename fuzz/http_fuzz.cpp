// libFuzzer target: any request to the node's HTTP API, without sockets
// (handle_request, the function the server calls for every request), on a
// node whose ledger holds a cooperative, members, money and a transfer.
// Input layout: byte 0 picks the method and the content type, then the
// target up to the first newline, then the body. Properties (a violation
// aborts):
//  - the status is one the API documents: 200, 400, 404, 405, 413, 503, or
//    the status of a ledger error code (node/errors.h); never 500;
//  - a JSON reply is valid JSON; an error reply is {"error": {"code",
//    "message"}} with a non-empty message, and when the server refused the
//    request itself, the code it counts in /metrics;
//  - /metrics answers Prometheus text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "node/crypto.h"
#include "node/genesis.h"
#include "node/http_server.h"
#include "node/node.h"
#include "node/transaction.h"

namespace {

using namespace artel::node;
using json = nlohmann::json;

[[noreturn]] void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "property violated: %s: %s\n", what, detail.c_str());
  std::abort();
}

struct Signer {
  KeyPair key = KeyPair::generate();
  std::uint64_t nonce = 0;
  Bytes sign(TxBody body, const Hash& ledger) {
    Transaction tx;
    tx.signer = key.pk;
    tx.nonce = ++nonce;
    tx.body = std::move(body);
    return sign_transaction(tx, key, ledger);
  }
};

Node* the_node = nullptr;

void start_node() {
  crypto_init();
  char pattern[] = "/tmp/artel-http-fuzz-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  if (dir == nullptr) std::abort();
  static Signer op, clock, coop, alice, bob;
  const std::string doc = Genesis::make("fuzz platform", {op.key.pk}, clock.key.pk, "2026-01-05").document();
  const Hash ledger = ledger_id(doc);
  NodeOptions o;
  o.data_dir = dir;
  o.genesis = doc;
  static std::unique_ptr<Node> node = std::make_unique<Node>(o);
  std::vector<Bytes> setup{op.sign(RegisterCoop{coop.key.pk, "C"}, ledger),
                           coop.sign(AdmitMember{1, alice.key.pk, 0}, ledger),
                           coop.sign(AdmitMember{1, bob.key.pk, 0}, ledger),
                           coop.sign(Contribute{1, 5000, ContributionKind::money, "", ""}, ledger),
                           coop.sign(Contribute{2, 3000, ContributionKind::money, "", ""}, ledger),
                           alice.sign(Transfer{0, 3, 0, 700, "fuzz"}, ledger),
                           clock.sign(AdvancePeriod{7}, ledger)};
  for (auto& f : node->submit(std::move(setup)))
    if (!f.get().applied) std::abort();
  the_node = node.get();
}

const std::set<unsigned>& documented() {
  static const std::set<unsigned> s = [] {
    std::set<unsigned> v{200, 400, 404, 405, 413, 503};
    for (const auto& c : tx_codes) v.insert(c.http_status);
    return v;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  start_node();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "GET"};
  static const char* types[] = {"application/json", "application/octet-stream", "text/plain", ""};
  const char* method = methods[data[0] & 7];
  const char* type = types[(data[0] >> 3) & 3];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto nl = rest.find('\n');
  const std::string_view target = rest.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  const HttpReply r = handle_request(*the_node, method, target, body, type);
  const std::string what = std::string(method) + " " + std::string(target) + " -> " + std::to_string(r.status);
  if (!documented().contains(r.status)) finding("an undocumented status", what + " " + r.body);
  if (r.content_type.starts_with("application/json")) {
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded()) finding("a JSON reply that is not JSON", what + " " + r.body);
    if (r.status >= 400) {
      const json* e = nullptr;
      if (j.is_object() && j.contains("error")) e = &j["error"];
      if (e == nullptr || !e->is_object() || !e->contains("code") || !(*e)["code"].is_string() ||
          !e->contains("message") || !(*e)["message"].is_string() || (*e)["message"].get<std::string>().empty())
        finding("an error reply without {error: {code, message}}", what + " " + r.body);
      if (!r.error_code.empty() && (*e)["code"].get<std::string>() != r.error_code)
        finding("the error code counted differs from the reply's", what);
    }
  } else if (r.content_type.starts_with("text/plain")) {
    if (r.status != 200 || !target.starts_with("/metrics")) finding("plain text from an endpoint that answers JSON", what);
  } else {
    finding("an unexpected content type", what + " " + r.content_type);
  }
  return 0;
}
