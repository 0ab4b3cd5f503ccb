// A cluster of real arteld processes ordered by a real etcd (Debian's
// etcd-server) on loopback: transactions sent to different nodes end up in
// the same blocks on every node, with the same state digest at every height;
// a node that was down catches up, a new node joins from nothing; a node
// whose digest the others outvote stops applying and says so. Skipped when
// etcd is not installed.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "harness.h"
#include "node/etcd_log.h"

namespace artel::node::test {
namespace {

constexpr const char* kEtcd = "/usr/bin/etcd";

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// An etcd cluster of `n` members on loopback, each in its own folder,
// started and stopped by PID; a member killed can be started again.
class Etcd {
 public:
  Etcd(const std::string& dir, int n) : dir_(dir) {
    std::filesystem::create_directories(dir);
    for (int i = 0; i < n; ++i) {
      clients_.push_back("http://127.0.0.1:" + std::to_string(free_port()));
      peers_.push_back("http://127.0.0.1:" + std::to_string(free_port()));
      pids_.push_back(-1);
    }
    for (int i = 0; i < n; ++i) start(i);
    wait_ready();
  }
  ~Etcd() {
    for (std::size_t i = 0; i < pids_.size(); ++i) stop(static_cast<int>(i));
  }
  void start(int i) {
    std::string cluster;
    for (std::size_t k = 0; k < peers_.size(); ++k)
      cluster += (k ? "," : "") + std::string("m") + std::to_string(k) + "=" + peers_[k];
    const auto u = static_cast<std::size_t>(i);
    pids_[u] = ::fork();
    if (pids_[u] == 0) {
      const std::string log = dir_ + "/etcd-" + std::to_string(i) + ".log";
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<std::string> args{kEtcd,
                                    "--name", "m" + std::to_string(i),
                                    "--data-dir", dir_ + "/etcd-" + std::to_string(i),
                                    "--listen-client-urls", clients_[u],
                                    "--advertise-client-urls", clients_[u],
                                    "--listen-peer-urls", peers_[u],
                                    "--initial-advertise-peer-urls", peers_[u],
                                    "--initial-cluster", cluster,
                                    "--max-request-bytes", "8388608"};
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(kEtcd, argv.data());
      ::_exit(127);
    }
  }
  void kill(int i) { end(i, SIGKILL); }
  void stop(int i) { end(i, SIGTERM); }
  // Ready when a write succeeds: the members have a leader.
  void wait_ready() {
    for (int i = 0; i < 300; ++i) {
      try {
        EtcdKv kv(clients_);
        kv.put("ready", "1");
        return;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    throw std::runtime_error("etcd did not start; see " + dir_ + "/etcd-*.log");
  }
  std::string url() const { return clients_[0]; }
  std::string urls() const {
    std::string all;
    for (const auto& c : clients_) all += (all.empty() ? "" : ",") + c;
    return all;
  }

 private:
  void end(int i, int signal) {
    auto& pid = pids_[static_cast<std::size_t>(i)];
    if (pid > 0) {
      ::kill(pid, signal);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
  }
  std::string dir_;
  std::vector<std::string> clients_, peers_;
  std::vector<pid_t> pids_;
};

class Cluster : public NodeOverHttp {
 protected:
  void SetUp() override {
    NodeOverHttp::SetUp();
    if (!std::filesystem::exists(kEtcd)) GTEST_SKIP() << "etcd is not installed (Debian: etcd-server)";
    etcd = std::make_unique<Etcd>(dir.str("etcd"), 1);
  }
  std::unique_ptr<Daemon> node(const std::string& name) {
    return std::make_unique<Daemon>(dir.str(name), genesis,
                                    std::vector<std::string>{"--etcd", etcd->urls(), "--node-name", name});
  }
  static json status(const Daemon& d) {
    HttpClient c(d.url());
    return get_json(c, "/v1/status");
  }
  // Waits until every node is at `height` (or 30 s pass).
  static void wait_for_height(const std::vector<const Daemon*>& nodes, std::uint64_t height) {
    for (int i = 0; i < 3000; ++i) {
      bool all = true;
      for (const auto* d : nodes) all = all && status(*d)["height"].get<std::uint64_t>() >= height;
      if (all) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the nodes did not reach height " << height;
  }
  // Every node has the same block, digest and block hash at every height.
  static void expect_same_chain(const std::vector<const Daemon*>& nodes, std::uint64_t height) {
    std::vector<std::unique_ptr<HttpClient>> cs;
    for (const auto* d : nodes) cs.push_back(std::make_unique<HttpClient>(d->url()));
    for (std::uint64_t h = 1; h <= height; ++h) {
      const json first = get_json(*cs[0], "/v1/blocks/" + std::to_string(h));
      for (std::size_t i = 1; i < cs.size(); ++i) {
        const json other = get_json(*cs[i], "/v1/blocks/" + std::to_string(h));
        EXPECT_EQ(other["state_digest"], first["state_digest"]) << "height " << h << ", node " << i;
        EXPECT_EQ(other["block_hash"], first["block_hash"]) << "height " << h << ", node " << i;
        EXPECT_EQ(other["transactions"], first["transactions"]) << "height " << h << ", node " << i;
      }
    }
  }

  std::unique_ptr<Etcd> etcd;
};

// Three nodes; the cooperative is registered through the first, members
// admitted through the second, and then three clients pay through all three
// at once. Every transaction is applied once, and the three chains are one.
TEST_F(Cluster, TransactionsSentToAnyNodeMakeTheSameBlocksEverywhere) {
  auto n1 = node("n1"), n2 = node("n2"), n3 = node("n3");
  HttpClient c1(n1->url()), c2(n2->url()), c3(n3->url());
  ok(c1, op.sign(RegisterCoop{coop.key.pk, "Consumer society No. 1"}));
  for (int i = 0; i < 6; ++i) {
    members.emplace_back();
    ok(c2, coop.sign(AdmitMember{1, members.back().key.pk, 0}));
    ok(c3, coop.sign(Contribute{static_cast<std::uint64_t>(i + 1), 10'000, ContributionKind::money, "", ""}));
  }
  // Member i pays 1.00 to member i+1 (mod 6) twenty times, through node i % 3.
  std::vector<std::thread> clients;
  std::atomic<int> applied{0};
  const Daemon* nodes[] = {n1.get(), n2.get(), n3.get()};
  for (int m = 0; m < 6; ++m)
    clients.emplace_back([&, m] {
      HttpClient c(nodes[m % 3]->url());
      for (int k = 0; k < 20; ++k) {
        auto r = post_tx(c, members[static_cast<std::size_t>(m)].sign(
                                Transfer{0, 0, static_cast<std::uint64_t>((m + 1) % 6 + 1), 100, ""}));
        if (r.status == 200 && json::parse(r.body)["applied"].get<bool>()) ++applied;
      }
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(applied.load(), 120);
  const std::uint64_t height = status(*n1)["height"].get<std::uint64_t>();
  wait_for_height({n1.get(), n2.get(), n3.get()}, height);
  expect_same_chain({n1.get(), n2.get(), n3.get()}, height);
  // Everyone paid 20.00 and received 20.00: 100.00 each, on every node.
  for (const auto* d : nodes) {
    HttpClient c(d->url());
    for (int m = 1; m <= 6; ++m)
      EXPECT_EQ(get_json(c, "/v1/accounts/share:" + std::to_string(m))["balance"], 10'000) << d->url();
    const json s = get_json(c, "/v1/status");
    EXPECT_TRUE(s["cluster"]["diverged"].is_null()) << s.dump();
    EXPECT_EQ(s["cluster"]["log_index"], status(*n1)["cluster"]["log_index"]);
  }
  std::printf("%llu blocks, the same on three nodes\n", static_cast<unsigned long long>(height));
}

// A node killed in the middle goes on from its last committed block when it
// comes back; a node started later from the genesis document alone reads
// the whole log. Both end with the same chain.
TEST_F(Cluster, ANodeThatWasDownCatchesUpAndANewNodeJoins) {
  auto n1 = node("n1"), n2 = node("n2");
  HttpClient c1(n1->url());
  populate(c1, 4, 5'000);
  wait_for_height({n1.get(), n2.get()}, status(*n1)["height"].get<std::uint64_t>());
  n2->kill_hard();
  for (int k = 0; k < 10; ++k) ok(c1, members[0].sign(Transfer{0, 0, 2, 10, ""}));
  n2->start();
  auto n3 = node("n3");
  const std::uint64_t height = status(*n1)["height"].get<std::uint64_t>();
  wait_for_height({n1.get(), n2.get(), n3.get()}, height);
  expect_same_chain({n1.get(), n2.get(), n3.get()}, height);
  HttpClient c3(n3->url());
  EXPECT_EQ(get_json(c3, "/v1/accounts/share:1")["balance"], 5'000 - 100);
  // The restarted node takes transactions again.
  HttpClient c2(n2->url());
  ok(c2, members[1].sign(Transfer{0, 0, 1, 1, ""}));
}

// Two other nodes publish another digest for height 2 than the one this
// node computes: outvoted, it stops applying, says why in /v1/status and
// /metrics, refuses transactions with node_diverged and leaves a dump of
// the block for the operator.
TEST_F(Cluster, ANodeOutvotedOnItsDigestStopsApplying) {
  const std::string prefix = "artel/" + to_hex(ledger_id(genesis));
  EtcdKv kv({etcd->url()});
  const std::string other(64, 'e');
  kv.put(prefix + "/digest/00000000000000000002/x1", other);
  kv.put(prefix + "/digest/00000000000000000002/x2", other);
  auto n1 = node("n1");
  HttpClient c(n1->url());
  ok(c, op.sign(RegisterCoop{coop.key.pk, "A"}));             // height 1: agreed by nobody else, kept
  members.emplace_back();
  ok(c, coop.sign(AdmitMember{1, members.back().key.pk, 0}));  // height 2: outvoted
  const json s = get_json(c, "/v1/status");
  ASSERT_TRUE(s["cluster"]["diverged"].is_string()) << s.dump();
  EXPECT_NE(s["cluster"]["diverged"].get<std::string>().find("2 node(s) have " + other), std::string::npos)
      << s.dump();
  EXPECT_NE(c.get("/metrics").body.find("artel_diverged 1"), std::string::npos);
  const HttpResponse health = c.get("/v1/health");
  EXPECT_EQ(health.status, 503u) << health.body;
  EXPECT_EQ(json::parse(health.body)["error"]["code"], "not_ready") << health.body;
  auto r = post_tx(c, coop.sign(Contribute{1, 100, ContributionKind::money, "", ""}));
  EXPECT_EQ(r.status, 503u) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "node_diverged") << r.body;
  EXPECT_EQ(get_json(c, "/v1/status")["height"], 2);
  std::ifstream dump(dir.str("n1") + "/diverged-2.txt");
  ASSERT_TRUE(dump) << "no dump of the block";
  std::stringstream text;
  text << dump.rdbuf();
  EXPECT_NE(text.str().find("height 2\ndigest "), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("\ntx "), std::string::npos) << text.str();
}

// A node whose genesis document makes another ledger is refused at start
// when it is pointed at this ledger's keys, with a message naming both.
TEST_F(Cluster, ANodeWithAnotherGenesisIsRefused) {
  auto n1 = node("n1");
  const std::string prefix = "artel/" + to_hex(ledger_id(genesis));
  Actor op2, clock2;
  const std::string other = Genesis::make("another", {op2.key.pk}, clock2.key.pk, "2026-01-05").document();
  std::filesystem::create_directories(dir.str("n2"));
  std::ofstream(dir.str("n2") + "/genesis.json") << other;
  CommandRun r = run_command(std::string(ARTELD_PATH) + " --data " + dir.str("n2") + " --listen 127.0.0.1:0 --etcd " +
                             etcd->urls() + " --node-name n2 --etcd-prefix " + prefix);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("holds the log of ledger " + to_hex(ledger_id(genesis))), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("makes ledger " + to_hex(ledger_id(other))), std::string::npos) << r.out;
}

// Fault tests kill etcd members; the sanitizer builds leave them out (the
// design's CI budget), the normal build runs them.
class ClusterFault : public Cluster {};

// Three etcd members: with one down the cluster goes on; with two down new
// writes are refused at once with 503 log_unavailable while reads go on,
// and the transaction caught in between is not lost: it is applied once a
// member returns, and writes resume.
TEST_F(ClusterFault, WithoutAnEtcdMajorityWritesAreRefusedAndNothingIsLost) {
  etcd.reset();
  etcd = std::make_unique<Etcd>(dir.str("etcd3"), 3);
  auto n1 = node("n1");
  HttpClient c(n1->url());
  populate(c, 2, 1'000);
  etcd->kill(2);
  ok(c, members[0].sign(Transfer{0, 0, 2, 10, ""}));  // one member down: nothing changes
  etcd->kill(1);
  // Caught in between: proposed while etcd has no quorum.
  std::promise<HttpResponse> caught;
  const Bytes caught_tx = members[0].sign(Transfer{0, 0, 2, 20, ""});
  std::thread sender([&caught, &caught_tx, url = n1->url()] {
    try {
      HttpClient s(url);
      caught.set_value(post_tx(s, caught_tx));
    } catch (...) {
      caught.set_exception(std::current_exception());
    }
  });
  // Whatever fails below, the member comes back and the sender is joined.
  bool restarted = false;
  struct Finally {
    std::function<void()> f;
    ~Finally() { f(); }
  } finally{[&] {
    if (!restarted) etcd->start(1);
    sender.join();
  }};
  // Once the node finds etcd without a quorum, new writes are refused at
  // once, and clearly.
  bool unavailable = false;
  for (int i = 0; i < 600 && !unavailable; ++i) {
    unavailable = !get_json(c, "/v1/status")["cluster"].value("available", true);
    if (!unavailable) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(unavailable) << "the node did not notice that etcd lost its quorum";
  const HttpResponse refused = post_tx(c, members[1].sign(Transfer{0, 0, 1, 1, ""}));
  --members[1].nonce;
  ASSERT_EQ(refused.status, 503u) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], "log_unavailable") << refused.body;
  // Reads go on.
  EXPECT_EQ(get_json(c, "/v1/accounts/share:1")["balance"], 1'000 - 10);
  // A member returns: the transaction caught in between is applied.
  etcd->start(1);
  restarted = true;
  auto answer = caught.get_future();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  const HttpResponse r = answer.get();
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(json::parse(r.body).value("applied", false)) << r.body;
  for (int i = 0; i < 300; ++i) {  // the node sees etcd again
    auto w = post_tx(c, members[1].sign(Transfer{0, 0, 1, 5, ""}));
    if (w.status == 200) break;
    --members[1].nonce;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(get_json(c, "/v1/accounts/share:1")["balance"], 1'000 - 10 - 20 + 5);
  EXPECT_EQ(get_json(c, "/v1/accounts/share:2")["balance"], 1'000 + 10 + 20 - 5);
}

// The entry format round-trips, and bytes no node wrote are recognised.
TEST(EtcdEntry, EncodesAndDecodesTransactions) {
  const std::vector<Bytes> txs{{1, 2, 3}, {}, Bytes(1000, 7)};
  auto back = EtcdLog::decode_entry(EtcdLog::encode_entry(txs));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, txs);
  EXPECT_FALSE(EtcdLog::decode_entry("xy"));
  EXPECT_FALSE(EtcdLog::decode_entry(EtcdLog::encode_entry(txs) + "!"));
}

}  // namespace
}  // namespace artel::node::test
