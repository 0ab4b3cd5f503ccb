// Writes seed corpora for the fuzz targets from the project's own data:
//   OUTDIR/module/NAME.acm  every charter in charters/ and tests/charters/good
//                           compiled (the module target);
//   OUTDIR/tx/KIND.bin      a signed transaction of every kind, some with
//                           approvals (the transaction target);
//   OUTDIR/http/NAME.req    a request to every endpoint of the API, in the
//                           HTTP target's layout (byte 0: method and content
//                           type; the target; a newline; the body).
// The charter target reads the .artel files where they lie.
//
//   artel_fuzz_corpus OUTDIR SOURCE_ROOT
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/driver.h"
#include "node/crypto.h"
#include "node/transaction.h"

namespace fs = std::filesystem;
using namespace artel;
using namespace artel::node;

namespace {

void write(const fs::path& p, const void* data, std::size_t size) {
  std::ofstream out(p, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

int modules(const fs::path& out, const fs::path& root) {
  fs::create_directories(out);
  int n = 0;
  for (const fs::path& dir : {root / "charters", root / "tests/charters/good"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".artel") continue;
      Diagnostics diags;
      auto built = compiler::build_file(e.path().string(), ARTEL_FUZZ_STDLIB, diags);
      if (!built) continue;  // a library, not a charter
      write(out / (e.path().stem().string() + ".acm"), built->built.bytes.data(), built->built.bytes.size());
      ++n;
    }
  }
  return n;
}

int transactions(const fs::path& out) {
  fs::create_directories(out);
  Hash ledger{};
  ledger[0] = 1;  // any id but the all-zero one the target checks against
  const KeyPair a = KeyPair::generate(), b = KeyPair::generate(), c = KeyPair::generate();
  const Bytes module{'A', 'C', 'M', '1', 0, 0, 0, 0};
  const std::vector<std::pair<std::string, TxBody>> bodies{
      {"register_coop", RegisterCoop{b.pk, "Consumer society"}},
      {"admit_member", AdmitMember{1, c.pk, 0}},
      {"contribute", Contribute{1, 100'000, ContributionKind::property, "a cow", "appraisal 12"}},
      {"transfer", Transfer{1, 3, 2, 1'500, "rent"}},
      {"return_share", ReturnShare{1, 500}},
      {"call_rule", CallRule{1, 2, "grant_advance", {2, 100, -7}}},
      {"advance_period", AdvancePeriod{7}},
      {"deploy_charter", DeployCharter{1, module, "charter \"X\" version 1"}},
      {"amend_charter", AmendCharter{1, module, "charter \"X\" version 2"}},
      {"rotate_key", RotateKey{c.pk}},
      {"change_council", ChangeCouncil{{a.pk, b.pk}, 2, c.pk}},
  };
  int n = 0;
  for (const auto& [name, body] : bodies) {
    for (int approvals = 0; approvals <= 2; approvals += 2) {
      Transaction tx;
      tx.signer = a.pk;
      tx.nonce = 1 + static_cast<std::uint64_t>(n);
      tx.body = body;
      if (approvals) {
        add_approval(tx, b, ledger);
        add_approval(tx, c, ledger);
      }
      const Bytes bytes = sign_transaction(tx, a, ledger);
      write(out / (name + (approvals ? "_approved" : "") + ".bin"), bytes.data(), bytes.size());
      ++n;
    }
  }
  return n;
}

int requests(const fs::path& out) {
  fs::create_directories(out);
  // Byte 0: method (bits 0-2: GET POST PUT DELETE HEAD OPTIONS PATCH GET),
  // content type (bits 3-4: json, octet-stream, text, none).
  const std::vector<std::tuple<std::string, char, std::string>> reqs{
      {"status", 0, "/v1/status\n"},
      {"metrics", 0, "/metrics\n"},
      {"charter", 0, "/v1/charter?coop=0\n"},
      {"charter_version", 0, "/v1/charter/1?coop=1\n"},
      {"block", 0, "/v1/blocks/3\n"},
      {"signer", 0, "/v1/signers/" + std::string(64, 'a') + "\n"},
      {"transaction", 0, "/v1/transactions/" + std::string(64, '0') + "\n"},
      {"events", 0, "/v1/members/1/events?from=0\n"},
      {"network", 0, "/v1/networks/1/graph?member=2&levels=2\n"},
      {"account", 0, "/v1/accounts/share:1\n"},
      {"fund", 0, "/v1/accounts/fund?uncollected=1\n"},
      {"statement", 0, "/v1/accounts/share:2/statement?from=0&limit=5\n"},
      {"submit", 1, "/v1/transactions\n{\"tx\": \"00\"}"},
      {"submit_b64", 1, "/v1/transactions\n{\"tx_base64\": \"AAAA\"}"},
      {"batch", 1, "/v1/transactions\n{\"transactions\": [\"00\", \"0102\"]}"},
      {"binary", 1 | 8, std::string("/v1/transactions\n\x02\x00\x00\x00\x01\x02", 22)},
      {"wrong_method", 3, "/v1/status\n"},
  };
  for (const auto& [name, head, text] : reqs) {
    std::string bytes(1, head);
    bytes += text;
    write(out / (name + ".req"), bytes.data(), bytes.size());
  }
  return static_cast<int>(reqs.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: artel_fuzz_corpus OUTDIR SOURCE_ROOT\n");
    return 2;
  }
  crypto_init();
  const fs::path out = argv[1], root = argv[2];
  const int m = modules(out / "module", root), t = transactions(out / "tx"), r = requests(out / "http");
  std::printf("seeds: %d modules, %d transactions, %d requests\n", m, t, r);
  return m > 0 ? 0 : 1;
}
