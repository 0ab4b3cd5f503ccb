// Shared helpers for the node tests: temporary directories, actors that sign
// transactions with their own nonces, charter modules assembled from text,
// and a real arteld process on a loopback port.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "node/crypto.h"
#include "node/genesis.h"
#include "node/http_client.h"
#include "node/ledger.h"
#include "node/transaction.h"
#include "vm/abi.h"
#include "vm/assembler.h"
#include "vm/module.h"

namespace artel::node::test {

using json = nlohmann::json;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("artel-node-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str(const std::string& sub = "db") const { return (path_ / sub).string(); }

 private:
  std::filesystem::path path_;
};

inline std::uint64_t share(std::uint64_t m) { return abi::account_handle(abi::AccountKind::share, m); }

// The ledger the test's actors sign for: signatures cover its id. Set by
// test_genesis(), which every test calls before it creates its ledger.
inline Hash& signing_ledger() {
  static Hash id{};
  return id;
}

// A key with its next nonce.
struct Actor {
  KeyPair key = KeyPair::generate();
  std::uint64_t nonce = 0;
  Bytes sign(TxBody body, const std::vector<const Actor*>& approvers = {}) {
    Transaction tx;
    tx.signer = key.pk;
    tx.nonce = ++nonce;
    tx.body = std::move(body);
    for (const auto* a : approvers) add_approval(tx, a->key, signing_ledger());
    return sign_transaction(tx, key, signing_ledger());
  }
};

// The genesis document of a test ledger whose operator council is `council`
// and whose clock key is `clock`; the actors sign for that ledger from now on.
inline std::string test_genesis(const Actor& council, const Actor& clock) {
  Genesis g = Genesis::make("test platform", {council.key.pk}, clock.key.pk, "2026-01-05");
  std::string doc = g.document();
  signing_ledger() = ledger_id(doc);
  return doc;
}

// One charter entry written in the VM's assembly. `call N` with an ABI id
// becomes a relocation by name, as the compiler emits them.
struct EntrySource {
  std::string name;
  vm::EntryKind kind = vm::EntryKind::Rule;
  std::string article;
  std::size_t params = 0;
  std::string assembly;
  std::vector<vm::Right> rights = {};  // a rule without any: `by member`
  std::vector<std::string> param_types = {};  // default: every parameter "int"
};

// `version` goes into the module's header: the ledger takes a module only as
// the version it would give it (1 for a deploy, the next for an amendment).
inline Bytes build_module(const std::vector<EntrySource>& entries,
                          const std::vector<std::string>& messages = {}, std::uint32_t version = 1,
                          const std::vector<vm::EventDecl>& events = {},
                          vm::PeriodKind period = vm::PeriodKind::Week) {
  vm::Module m;
  m.header.period = period;
  m.events = events;
  m.compiler_version = "node-tests";
  m.header.name = "test charter";
  m.header.version = version;
  m.messages = messages;
  for (const auto& e : entries) {
    auto code = vm::assemble(e.assembly);
    if (!code) throw std::runtime_error("assembly of " + e.name + ": " + code.error().describe());
    vm::EntryPoint ep;
    ep.name = e.name;
    ep.kind = e.kind;
    ep.offset = static_cast<std::uint32_t>(m.code.size());
    ep.article = e.article;
    ep.rights = e.rights;
    if (e.kind == vm::EntryKind::Rule && ep.rights.empty()) ep.rights.push_back({vm::RightKind::Member, 0, 0, 0, 0});
    for (std::size_t i = 0; i < e.params; ++i)
      ep.params.push_back({"a" + std::to_string(i), i < e.param_types.size() ? e.param_types[i] : "int"});
    for (std::uint64_t w : code.value()) {
      if ((w & 0xff) == 0x85 && ((w >> 12) & 0xf) == 0) {  // call ID (src = 0)
        auto id = static_cast<std::uint32_t>(w >> 32);
        for (const auto& f : abi::host_functions)
          if (f.id == id)
            m.relocations.push_back({static_cast<std::uint32_t>(m.code.size()), std::string(f.name), f.id});
      }
      m.code.push_back(w);
    }
    m.entries.push_back(std::move(ep));
  }
  return vm::serialize(m);
}

inline std::string hexs(const Hash& h) { return to_hex(h); }

// Runs a shell command; its exit status and what it printed (stdout and
// stderr together).
struct CommandRun {
  int status = -1;
  std::string out;
};
inline CommandRun run_command(const std::string& cmd) {
  CommandRun r;
  std::FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

#ifdef ARTEL_CLI_PATH
// A shipped charter (charters/NAME.artel) built by the `artel` binary into
// `dir`: the module bytes, empty (and a test failure) when it does not build.
inline Bytes build_shipped_charter(const TempDir& dir, const std::string& name) {
  const std::string out = dir.str(name + ".acm");
  CommandRun b = run_command(std::string(ARTEL_CLI_PATH) + " build " + ARTEL_SOURCE_DIR + "/charters/" + name +
                             ".artel -o " + out);
  EXPECT_EQ(b.status, 0) << b.out;
  std::ifstream in(out, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}
#endif

// A real arteld on a free loopback port (port 0: the kernel picks it; the
// daemon prints the port it got).
class Daemon {
 public:
  // Writes the genesis document into the data folder unless it is there.
  Daemon(std::string data_dir, const std::string& genesis, std::vector<std::string> extra = {})
      : data_(std::move(data_dir)), extra_(std::move(extra)) {
    std::filesystem::create_directories(data_);
    if (!std::filesystem::exists(data_ + "/genesis.json")) {
      std::FILE* f = std::fopen((data_ + "/genesis.json").c_str(), "wb");
      if (f == nullptr) throw std::runtime_error("cannot write the genesis document into " + data_);
      std::fwrite(genesis.data(), 1, genesis.size(), f);
      std::fclose(f);
    }
    start();
  }
  ~Daemon() { kill_hard(); }

  void start() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      // Reads are open unless a test asks for privacy (the option "--private-reads"
      // here, which arteld does not know, is taken off and means "not public").
      std::vector<std::string> args{ARTELD_PATH, "--data", data_, "--listen", "127.0.0.1:0"};
      if (std::find(extra_.begin(), extra_.end(), "--private-reads") == extra_.end()) args.push_back("--public-reads");
      std::erase(extra_, std::string("--private-reads"));
      args.insert(args.end(), extra_.begin(), extra_.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(ARTELD_PATH, argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(fds[0]);
    auto at = line.find("127.0.0.1:");
    if (at == std::string::npos) throw std::runtime_error("arteld did not start: '" + line + "'");
    port_ = std::stoi(line.substr(at + 10));
  }
  void kill_hard() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  int stop() {
    int status = 0;
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    return status;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  std::string data_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// In-process ledger tests that apply one transaction per block; the
// fixture opens `ledger` in `dir`.
class LedgerFixture : public ::testing::Test {
 protected:
  Receipt one(Bytes tx) {
    std::vector<Prepared> p;
    p.push_back(prepare(std::move(tx), signing_ledger()));
    return ledger->apply_block(p).receipts.at(0);
  }
  void ok(Bytes tx) {
    Receipt r = one(std::move(tx));
    ASSERT_TRUE(r.applied) << code_name(r.error.code) << ": " << r.error.message;
  }

  TempDir dir;
  std::unique_ptr<Ledger> ledger;
};

inline json get_json(HttpClient& c, const std::string& target) {
  auto r = c.get(target);
  return json::parse(r.body);
}

inline HttpResponse post_tx(HttpClient& c, const Bytes& tx) {
  return c.post("/v1/transactions", json{{"tx", to_hex(tx)}}.dump());
}

// Tests against a node over HTTP: a fresh ledger's folder, its council,
// clock and one cooperative's keys, and the members `populate` admits.
class NodeOverHttp : public ::testing::Test {
 protected:
  void SetUp() override { crypto_init(); }
  void ok(HttpClient& c, const Bytes& tx) {
    auto r = post_tx(c, tx);
    ASSERT_EQ(r.status, 200u) << r.body;
    ASSERT_TRUE(json::parse(r.body)["applied"].get<bool>()) << r.body;
  }
  // Registers cooperative 1 and admits `n` members, each contributing `each`.
  void populate(HttpClient& c, int n, std::int64_t each) {
    ok(c, op.sign(RegisterCoop{coop.key.pk, "Consumer society No. 1"}));
    for (int i = 0; i < n; ++i) {
      members.emplace_back();
      ok(c, coop.sign(AdmitMember{1, members.back().key.pk, 0}));
      ok(c, coop.sign(Contribute{static_cast<std::uint64_t>(i + 1), each, ContributionKind::money, "cash", ""}));
    }
  }

  TempDir dir;
  Actor op, clock, coop;
  std::string genesis = test_genesis(op, clock);
  std::deque<Actor> members;
};

}  // namespace artel::node::test
