// The HTTP server under abuse: connections that send nothing or a byte a
// second, too many connections from one address or in all, a body that
// crawls, a full queue awaiting a block, and SIGTERM under load. Real arteld
// processes on loopback, except the queue test, which holds a node's
// ordering log in process to make the queue full on purpose.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "harness.h"
#include "node/http_server.h"

namespace artel::node::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A raw TCP connection from a chosen loopback address (127.0.0.2 and up are
// all on the loopback interface on Linux).
class RawConn {
 public:
  RawConn(const std::string& from, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, from.c_str(), &src.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0)
      throw std::runtime_error("bind " + from + ": " + std::strerror(errno));
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0)
      throw std::runtime_error("connect from " + from + ": " + std::strerror(errno));
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~RawConn() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool send(std::string_view s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()); }
  // Reads what has arrived; true once the server has closed its side.
  bool closed_by_peer() {
    if (closed_) return true;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        received_.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) closed_ = true;
      return closed_;
    }
  }
  // Waits up to `wait` for the server to close the connection.
  bool wait_closed(std::chrono::milliseconds wait) {
    const auto until = Clock::now() + wait;
    while (!closed_by_peer()) {
      if (Clock::now() >= until) return false;
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, 50);
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

// Raises this process's open-file limit to what the system allows; false
// when that is still below `need`.
bool raise_open_files(std::size_t need) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need;
}

// The value of one Prometheus sample line, or -1.
long long metric(const std::string& text, const std::string& sample) {
  auto at = text.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + sample.size() + 2));
}

class Http : public NodeOverHttp {};

// The scenario: 1,000 connections held idle and 500 trickling a
// request head a byte a second, from several loopback addresses and from the
// ordinary client's own, while an ordinary client reads and submits.
TEST_F(Http, IdleAndTricklingConnectionsDoNotTakeTheApiAway) {
  constexpr int idle_n = 1000, trickle_n = 500;
  if (!raise_open_files(idle_n + trickle_n + 256))
    GTEST_SKIP() << "the open-file limit is below " << idle_n + trickle_n + 256 << " and cannot be raised";
  Daemon d(dir.str(), genesis, {"--head-timeout", "5", "--idle-timeout", "5"});
  HttpClient c(d.url());
  populate(c, 4, 1'000'000);

  // Addresses 127.0.0.2 .. 127.0.0.8 carry 200 connections each, the
  // client's own 127.0.0.1 the other 100: all under the per-address limit.
  auto from = [](int i) { return i < 100 ? std::string("127.0.0.1") : "127.0.0." + std::to_string(2 + (i - 100) / 200); };
  std::vector<std::unique_ptr<RawConn>> idle, trickle;
  const auto opened = Clock::now();
  for (int i = 0; i < idle_n + trickle_n; ++i) {
    auto conn = std::make_unique<RawConn>(from(i), d.port());
    (i % 3 == 2 ? trickle : idle).push_back(std::move(conn));
  }
  ASSERT_EQ(idle.size() + trickle.size(), static_cast<std::size_t>(idle_n + trickle_n));
  std::atomic<bool> stop{false};
  std::thread trickler([&] {
    const std::string head = "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n";
    for (std::size_t k = 0; !stop && k < head.size() - 1; ++k) {
      for (auto& t : trickle) t->send(head.substr(k, 1));
      for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(100ms);
    }
  });

  // The ordinary client, while all of them are held: every request answered.
  const std::uint64_t height0 = get_json(c, "/v1/status")["height"];
  int answered = 0;
  double slowest = 0;
  for (int i = 0; i < 40; ++i) {
    const auto t0 = Clock::now();
    if (i % 2 == 0) {
      auto r = c.get("/v1/status");
      ASSERT_EQ(r.status, 200u) << r.body;
    } else {
      std::size_t m = static_cast<std::size_t>(i / 2) % members.size();
      ok(c, members[m].sign(Transfer{0, 0, (m + 1) % members.size() + 1, 1, ""}));
    }
    slowest = std::max(slowest, std::chrono::duration<double>(Clock::now() - t0).count());
    ++answered;
  }
  const double held_for = std::chrono::duration<double>(Clock::now() - opened).count();
  EXPECT_LT(held_for, 5.0) << "the ordinary requests must run while the others are still held";
  EXPECT_EQ(answered, 40);
  EXPECT_EQ(get_json(c, "/v1/status")["height"].get<std::uint64_t>(), height0 + 20);
  std::printf("40 ordinary requests answered among %d held connections; slowest %.1f ms\n", idle_n + trickle_n,
              slowest * 1000);

  // The timeouts close every one of them: 5 s from accept for the whole head.
  for (auto& t : idle) EXPECT_TRUE(t->wait_closed(10s));
  for (auto& t : trickle) EXPECT_TRUE(t->wait_closed(10s));
  stop = true;
  trickler.join();
  std::this_thread::sleep_for(300ms);  // the server counts a connection once it has let it go
  const std::string m = c.get("/metrics").body;
  EXPECT_GE(metric(m, "artel_http_connections_closed_total{reason=\"idle_timeout\"}"), idle_n) << m;
  EXPECT_GE(metric(m, "artel_http_connections_closed_total{reason=\"head_timeout\"}"), trickle_n) << m;
  EXPECT_EQ(metric(m, "artel_http_open_connections"), 1) << m;  // the ordinary client's
  // Still serving, on a fresh connection too.
  HttpClient c2(d.url());
  EXPECT_EQ(c2.get("/v1/status").status, 200u);
}

// Over a limit a client gets a clear refusal with Retry-After, and clients
// within their limits are not affected.
TEST_F(Http, ConnectionLimitsAnswer429PerAddressAnd503InAll) {
  Daemon d(dir.str(), genesis, {"--max-per-address", "4", "--max-connections", "10"});
  std::vector<std::unique_ptr<RawConn>> held;
  for (int i = 0; i < 4; ++i) held.push_back(std::make_unique<RawConn>("127.0.0.2", d.port()));
  std::this_thread::sleep_for(200ms);  // accepted and counted
  RawConn fifth("127.0.0.2", d.port());
  ASSERT_TRUE(fifth.wait_closed(5s));
  EXPECT_TRUE(fifth.received().starts_with("HTTP/1.1 429")) << fifth.received();
  EXPECT_NE(fifth.received().find("Retry-After: 1"), std::string::npos) << fifth.received();
  EXPECT_NE(fifth.received().find("\"too_many_connections\""), std::string::npos) << fifth.received();

  // Another address is served.
  {
    RawConn other("127.0.0.3", d.port());
    other.send("GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(other.wait_closed(5s));
    EXPECT_TRUE(other.received().starts_with("HTTP/1.1 200")) << other.received();
  }
  // The server lets that connection go once it reads the client's close:
  // give it the time, or it still counts when the next ones arrive.
  std::this_thread::sleep_for(300ms);
  // Ten in all: the next one, from a fresh address, gets 503.
  for (int i = 0; i < 6; ++i) held.push_back(std::make_unique<RawConn>("127.0.0." + std::to_string(4 + i), d.port()));
  std::this_thread::sleep_for(300ms);
  for (auto& h : held) ASSERT_FALSE(h->closed_by_peer()) << "a connection within the limits was refused: " << h->received();
  RawConn over("127.0.0.20", d.port());
  ASSERT_TRUE(over.wait_closed(5s));
  EXPECT_TRUE(over.received().starts_with("HTTP/1.1 503")) << over.received();
  EXPECT_NE(over.received().find("Retry-After: 1"), std::string::npos) << over.received();

  held.clear();  // room again
  std::this_thread::sleep_for(300ms);
  HttpClient c(d.url());
  const std::string m = c.get("/metrics").body;
  EXPECT_EQ(metric(m, "artel_http_connections_refused_total{reason=\"per_address\"}"), 1) << m;
  EXPECT_EQ(metric(m, "artel_http_connections_refused_total{reason=\"connections\"}"), 1) << m;
}

// A body that crawls is cut once it falls below the rate floor after the
// grace; one that keeps the pace is served.
TEST_F(Http, ABodySentAByteAtATimeIsCut) {
  Daemon d(dir.str(), genesis, {"--head-timeout", "1", "--min-rate", "1000"});
  RawConn slow("127.0.0.1", d.port());
  slow.send("POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 100000\r\n\r\n");
  const auto t0 = Clock::now();
  bool cut = false;
  while (Clock::now() - t0 < 10s) {
    slow.send("          ");  // 10 bytes per 100 ms: 100 bytes a second
    if (slow.wait_closed(100ms)) {
      cut = true;
      break;
    }
  }
  const double after = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_TRUE(cut) << "a body at 100 B/s was not cut in 10 s";
  // Allowed: 1 s of grace plus 1 ms per byte received (≈ 0.1 s per second).
  EXPECT_GT(after, 0.9);
  EXPECT_LT(after, 3.0);

  // A 60 kB body sent in 3 kB pieces every 100 ms (30 kB/s) passes.
  RawConn paced("127.0.0.1", d.port());
  std::string body = json{{"tx", std::string(60'000, '0')}}.dump();
  paced.send("POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
             "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  for (std::size_t at = 0; at < body.size(); at += 3000) {
    paced.send(body.substr(at, 3000));
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(paced.wait_closed(5s));
  // Read whole, then judged (60,000 zeros are no transaction).
  EXPECT_TRUE(paced.received().starts_with("HTTP/1.1 400")) << paced.received();

  HttpClient c(d.url());
  const std::string m = c.get("/metrics").body;
  EXPECT_EQ(metric(m, "artel_http_connections_closed_total{reason=\"body_timeout\"}"), 1) << m;
}

// An ordering log that hands nothing out while held, so the node's queue
// fills on purpose.
class HeldLog final : public OrderingLog {
 public:
  bool append(std::vector<Bytes>& txs) override { return inner_.append(txs); }
  std::vector<Bytes> next(std::size_t max, std::chrono::milliseconds wait) override {
    if (held_) {
      std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(5)));
      return {};
    }
    return inner_.next(max, wait);
  }
  void close() override { inner_.close(); }
  std::atomic<bool> held_{false};

 private:
  EmbeddedLog inner_{1'000'000};
};

TEST_F(Http, AFullQueueRefusesWholeBatchesWith503AndDropsNothing) {
  auto log = std::make_unique<HeldLog>();
  HeldLog& held = *log;
  NodeOptions opts;
  opts.data_dir = dir.str();
  opts.genesis = genesis;
  opts.max_pending = 64;
  Node node(opts, std::move(log));
  auto must = [&](std::vector<Bytes> txs) {
    for (auto& f : node.submit(std::move(txs))) ASSERT_TRUE(f.get().applied);
  };
  must({op.sign(RegisterCoop{coop.key.pk, "c"})});
  for (int i = 0; i < 8; ++i) {
    members.emplace_back();
    must({coop.sign(AdmitMember{1, members.back().key.pk, 0}),
          coop.sign(Contribute{static_cast<std::uint64_t>(i + 1), 1'000, ContributionKind::money, "", ""})});
  }
  auto transfers = [&](int n) {
    json arr = json::array();
    for (int i = 0; i < n; ++i) {
      auto m = static_cast<std::size_t>(i) % members.size();
      arr.push_back(to_hex(members[m].sign(Transfer{0, 0, (m + 1) % members.size() + 1, 1, ""})));
    }
    return json{{"transactions", arr}}.dump();
  };
  auto inline_defer = [](std::function<void()> job) { job(); };
  const auto height0 = node.ledger().summary().height;

  held.held_ = true;
  std::this_thread::sleep_for(200ms);  // the node's verifier leaves the wait it was in
  std::promise<HttpReply> a_reply;
  const std::string body60 = transfers(60);
  handle_request_async(node, ApiRequest{"POST", "/v1/transactions", body60, "application/json", {}, false}, inline_defer,
                       [&](HttpReply r) { a_reply.set_value(std::move(r)); });
  auto a = a_reply.get_future();
  EXPECT_EQ(a.wait_for(100ms), std::future_status::timeout) << "the batch waits for its block";
  EXPECT_EQ(node.pending(), 60u);

  // Ten more do not fit: refused whole, at once, with Retry-After.
  std::vector<std::uint64_t> saved;
  for (const auto& who : members) saved.push_back(who.nonce);
  HttpReply b = handle_request(node, "POST", "/v1/transactions", transfers(10));
  EXPECT_EQ(b.status, 503u) << b.body;
  EXPECT_EQ(b.error_code, "busy");
  EXPECT_EQ(b.retry_after, 1u);
  EXPECT_EQ(node.pending(), 60u);
  // A batch larger than the whole queue can never fit: 413, not "try again".
  HttpReply huge = handle_request(node, "POST", "/v1/transactions", transfers(65));
  EXPECT_EQ(huge.status, 413u) << huge.body;
  EXPECT_EQ(huge.error_code, "batch_too_large");
  const std::string m = handle_request(node, "GET", "/metrics", "").body;
  EXPECT_EQ(metric(m, "artel_queue_depth"), 60) << m;
  EXPECT_EQ(metric(m, "artel_queue_capacity"), 64) << m;
  EXPECT_EQ(metric(m, "artel_transactions_rejected_total{reason=\"busy\"}"), 10) << m;

  // Released: the first batch is applied whole; the refused ones were never
  // ordered, so the nonces they used are free again.
  held.held_ = false;
  HttpReply ar = a.get();
  ASSERT_EQ(ar.status, 200u) << ar.body;
  EXPECT_EQ(json::parse(ar.body)["applied"], 60);
  EXPECT_EQ(node.pending(), 0u);
  for (std::size_t i = 0; i < members.size(); ++i) members[i].nonce = saved[i];
  HttpReply again = handle_request(node, "POST", "/v1/transactions", transfers(10));
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(json::parse(again.body)["applied"], 10) << again.body;
  EXPECT_GT(node.ledger().summary().height, height0);
}

// SIGTERM under load: idle connections close at once, submissions in
// flight are answered, the process exits within the grace, and every
// acknowledged transaction is there after a restart.
TEST_F(Http, SigtermFinishesWhatIsInFlightAndLosesNothingAcknowledged) {
  auto d = std::make_unique<Daemon>(dir.str(), genesis, std::vector<std::string>{"--shutdown-grace", "3"});
  constexpr int threads = 4, per_thread = 4;
  {
    HttpClient c(d->url());
    populate(c, threads * per_thread, 1'000'000);
  }
  std::vector<std::unique_ptr<RawConn>> idle;
  for (int i = 0; i < 50; ++i) idle.push_back(std::make_unique<RawConn>("127.0.0.5", d->port()));
  std::mutex mu;
  std::vector<std::string> acked;
  std::atomic<int> batches{0};
  std::vector<std::thread> load;
  for (int t = 0; t < threads; ++t) {
    load.emplace_back([&, t] {
      try {
        HttpClient c(d->url());
        for (;;) {
          json arr = json::array();
          for (int k = 0; k < per_thread; ++k) {
            auto m = static_cast<std::size_t>(t * per_thread + k);
            arr.push_back(to_hex(members[m].sign(Transfer{0, 0, (m + 1) % members.size() + 1, 1, ""})));
          }
          auto r = c.post("/v1/transactions", json{{"transactions", arr}}.dump());
          if (r.status != 200) break;
          json j = json::parse(r.body);
          std::lock_guard lock(mu);
          for (const auto& x : j["results"])
            if (x["applied"].get<bool>()) acked.push_back(x["id"]);
          ++batches;
        }
      } catch (const std::exception&) {
        // the connection was closed by the shutdown: expected
      }
    });
  }
  while (batches < 20) std::this_thread::sleep_for(5ms);
  const auto t0 = Clock::now();
  EXPECT_EQ(d->stop(), 0);
  const double took = std::chrono::duration<double>(Clock::now() - t0).count();
  // Idle connections do not wait for the grace (3 s); the submissions in
  // flight take a block each.
  EXPECT_LT(took, 2.0) << "idle connections must be closed at once, not after the grace";
  for (auto& th : load) th.join();
  for (auto& c : idle) EXPECT_TRUE(c->wait_closed(0ms));
  ASSERT_GT(acked.size(), 0u);

  d = std::make_unique<Daemon>(dir.str(), genesis);
  HttpClient c(d->url());
  for (const auto& id : acked) {
    auto r = c.get("/v1/transactions/" + id);
    ASSERT_EQ(r.status, 200u) << "acknowledged transaction " << id << " lost: " << r.body;
  }
}

// What a supervisor asks: the version (flag, status, metric) and health.
TEST_F(Http, VersionAndHealth) {
  CommandRun v = run_command(std::string(ARTELD_PATH) + " --version");
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("arteld ", 0), 0u) << v.out;
  const std::string version = v.out.substr(7, v.out.find('\n') - 7);
  EXPECT_FALSE(version.empty());
  Daemon d(dir.str(), genesis);
  HttpClient c(d.url());
  EXPECT_EQ(get_json(c, "/v1/status")["version"], version);
  EXPECT_NE(c.get("/metrics").body.find("artel_build_info{version=\"" + version + "\"} 1"), std::string::npos);
  const HttpResponse h = c.get("/v1/health");
  EXPECT_EQ(h.status, 200u) << h.body;
  EXPECT_EQ(json::parse(h.body)["ready"], true);
  EXPECT_EQ(c.request("POST", "/v1/health", "").status, 405u);
  // What the ledger holds, in /metrics: one cooperative (a person), two
  // members (two persons), no charter.
  populate(c, 2, 100);
  const std::string m = c.get("/metrics").body;
  for (const char* line : {"artel_cooperatives 1\n", "artel_members 2\n", "artel_persons 3\n", "artel_charters 0\n",
                           "artel_amendments_pending 0\n", "artel_day 0\n"})
    EXPECT_NE(m.find(line), std::string::npos) << line << m;
}

}  // namespace
}  // namespace artel::node::test
