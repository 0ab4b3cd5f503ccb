// artel_bench_http: the node's HTTP API under many keep-alive clients.
//
// Starts arteld binaries (ours, and a reference built from an earlier commit
// when given: scripts/bench-http-ab.sh), each on a fresh ledger with the same
// members, and at each concurrency level runs clients for a fixed time: half
// of them read a member's statement, half submit pre-signed transfers one per
// request and wait for the receipt (= the block committed). Prints requests
// per second and p50/p99 latency of each kind (--readers sets the mix), and errors (refused
// connections, non-200 replies), for every binary in the same run.
#include <CLI/CLI.hpp>
// clang-format off
#include <utility>  // must precede Asio with g++ 12 in C++20
// clang-format on
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "node/genesis.h"
#include "node/http_client.h"
#include "node/read_auth.h"
#include "node/transaction.h"

using namespace artel::node;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Signer {
  KeyPair key = KeyPair::generate();
  std::uint64_t nonce = 0;
};

Bytes sign_body(Signer& s, TxBody body, const Hash& ledger) {
  Transaction tx;
  tx.signer = s.key.pk;
  tx.nonce = ++s.nonce;
  tx.body = std::move(body);
  return sign_transaction(tx, s.key, ledger);
}

// One arteld process on a loopback port.
class Process {
 public:
  Process(const std::string& binary, const std::string& data) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      std::vector<std::string> args{binary, "--data", data, "--listen", "127.0.0.1:0"};
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(fds[0]);
    auto at = line.find("127.0.0.1:");
    if (at == std::string::npos) throw std::runtime_error(binary + " did not start: '" + line + "'");
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(at + 10)));
  }
  ~Process() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

struct Sample {
  std::vector<double> read_ms, write_ms;
  std::uint64_t errors = 0, refused = 0;
};

// One keep-alive client: connects, sends its requests one after another,
// reconnects after an error (a refused or closed connection) with a pause.
class Client : public std::enable_shared_from_this<Client> {
 public:
  using Next = std::function<std::optional<http::request<http::string_body>>()>;
  Client(net::io_context& io, net::ip::address from, tcp::endpoint ep, Next next, std::vector<double>& latencies, Sample& sample,
         std::mutex& mu, const std::atomic<bool>& stop)
      : stream_(net::make_strand(io)), timer_(stream_.get_executor()), from_(std::move(from)), ep_(ep), next_(std::move(next)),
        latencies_(latencies), sample_(sample), mu_(mu), stop_(stop) {}

  void start() { connect(); }

 private:
  void connect() {
    if (stop_) return;
    beast::error_code bind_ec;
    stream_.socket().open(tcp::v4(), bind_ec);
    if (!bind_ec) stream_.socket().bind(tcp::endpoint(from_, 0), bind_ec);
    if (bind_ec) return fail(true);
    stream_.expires_after(std::chrono::seconds(30));
    stream_.async_connect(ep_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail(true);
      self->send();
    });
  }
  void send() {
    if (stop_) return;
    auto req = next_();
    if (!req) return;  // out of work
    req_ = std::move(*req);
    started_ = Clock::now();
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail(false);
      self->res_ = {};
      http::async_read(self->stream_, self->buffer_, self->res_, [self](beast::error_code e, std::size_t) {
        if (e) return self->fail(false);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - self->started_).count();
        {
          std::lock_guard lock(self->mu_);
          if (self->res_.result_int() == 200)
            self->latencies_.push_back(ms);
          else
            ++self->sample_.errors;
        }
        if (!self->res_.keep_alive()) return self->fail(self->res_.result_int() != 200);
        self->send();
      });
    });
  }
  void fail(bool refused) {
    {
      std::lock_guard lock(mu_);
      ++(refused ? sample_.refused : sample_.errors);
    }
    beast::error_code ec;
    stream_.socket().close(ec);
    buffer_.clear();
    if (stop_) return;
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  net::ip::address from_;
  tcp::endpoint ep_;
  Next next_;
  std::vector<double>& latencies_;
  Sample& sample_;
  std::mutex& mu_;
  const std::atomic<bool>& stop_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buffer_;
  Clock::time_point started_;
};

// Clients come from 127.0.0.2 and up, 100 to an address, as many clients of
// a real node come from many addresses (Linux routes all of 127/8 to lo).
net::ip::address source(std::size_t client) {
  return net::ip::make_address_v4(static_cast<net::ip::address_v4::uint_type>((127u << 24) + 2 + client / 100));
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

struct Options {
  std::string arteld, reference;
  std::vector<unsigned> levels{10, 100, 1000};
  double seconds = 3;
  unsigned readers_percent = 50;
  std::size_t members = 500;
  std::size_t presign = 40'000;  // transfers signed ahead per level (at least 200 per writer)
};

// Runs every level against one binary; one line per level.
void run_binary(const std::string& label, const std::string& binary, const Options& o) {
  auto dir = std::filesystem::temp_directory_path() / ("artel-bench-http-" + std::to_string(::getpid()) + label);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Signer op, clock, coop;
  const std::string genesis = Genesis::make("bench", {op.key.pk}, clock.key.pk, "2026-01-05").document();
  const Hash ledger = ledger_id(genesis);
  std::ofstream(dir / "genesis.json", std::ios::binary) << genesis;
  Process proc(binary, dir.string());
  const std::string url = "http://127.0.0.1:" + std::to_string(proc.port());
  std::vector<Signer> members(o.members);
  {
    HttpClient c(url);
    auto batch = [&](const std::vector<Bytes>& txs) {
      json arr = json::array();
      for (const auto& t : txs) arr.push_back(to_hex(t));
      auto r = c.post("/v1/transactions", json{{"transactions", arr}}.dump());
      if (r.status != 200 || json::parse(r.body)["rejected"] != 0) throw std::runtime_error("setup: " + r.body);
    };
    batch({sign_body(op, RegisterCoop{coop.key.pk, "bench"}, ledger)});
    std::vector<Bytes> setup;
    for (std::size_t i = 0; i < members.size(); ++i) {
      setup.push_back(sign_body(coop, AdmitMember{1, members[i].key.pk, 0}, ledger));
      setup.push_back(sign_body(coop, Contribute{i + 1, 1'000'000'000, ContributionKind::money, "", ""}, ledger));
    }
    batch(setup);
    // Each member gets a few postings for the readers to page through.
    std::vector<Bytes> warm;
    for (std::size_t i = 0; i < members.size(); ++i)
      for (int k = 0; k < 5; ++k)
        warm.push_back(sign_body(members[i], Transfer{0, 0, (i + 1 + k) % members.size() + 1, 1, ""}, ledger));
    batch(warm);
  }

  for (unsigned clients : o.levels) {
    const unsigned readers = std::min(clients - 1, clients * o.readers_percent / 100), writers = clients - readers;
    // Writer w owns the members m with m % writers == w, so no two writers
    // ever sign with one member's nonces.
    std::vector<std::vector<std::string>> work(writers);
    const std::size_t per_writer = std::max<std::size_t>(o.presign / writers, 200);
    for (unsigned w = 0; w < writers; ++w) {
      std::vector<std::size_t> own;
      for (std::size_t m = w; m < members.size(); m += writers) own.push_back(m);
      if (own.empty()) continue;  // more writers than members: this one idles
      for (std::size_t k = 0; k < per_writer; ++k) {
        const std::size_t m = own[k % own.size()];
        work[w].push_back(
            json{{"tx", to_hex(sign_body(members[m], Transfer{0, 0, (m + 1) % members.size() + 1, 1, ""}, ledger))}}
                .dump());
      }
    }
    Sample sample;
    std::mutex mu;
    std::atomic<bool> stop{false};
    double elapsed = 0;
    {
    net::io_context io;
    const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), proc.port());
    std::vector<std::shared_ptr<Client>> all;
    std::vector<std::size_t> used(writers, 0);
    for (unsigned w = 0; w < writers; ++w)
      all.push_back(std::make_shared<Client>(
          io, source(all.size()), ep,
          [&, w]() -> std::optional<http::request<http::string_body>> {
            if (used[w] >= work[w].size()) return std::nullopt;
            http::request<http::string_body> r{http::verb::post, "/v1/transactions", 11};
            r.set(http::field::host, "127.0.0.1");
            r.set(http::field::content_type, "application/json");
            r.body() = work[w][used[w]++];
            r.prepare_payload();
            return r;
          },
          sample.write_ms, sample, mu, stop));
    std::mt19937_64 rng(7);
    // A member's statement is private: each reader signs as the member it
    // reads (the node verifies one signature per read, as in production).
    const auto read_expires = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
        kMaxReadLifetime - 30);
    std::vector<std::string> read_auth;
    for (std::size_t k = 1; readers > 0 && k <= members.size(); ++k)
      read_auth.push_back(sign_read(members[k - 1].key, ledger, read_expires,
                                    "/v1/accounts/share:" + std::to_string(k) + "/statement?limit=20"));
    for (unsigned r = 0; r < readers; ++r)
      all.push_back(std::make_shared<Client>(
          io, source(all.size()), ep,
          [&]() -> std::optional<http::request<http::string_body>> {
            std::uint64_t k;
            {
              std::lock_guard lock(mu);
              k = rng() % members.size() + 1;
            }
            http::request<http::string_body> q{http::verb::get,
                                               "/v1/accounts/share:" + std::to_string(k) + "/statement?limit=20", 11};
            q.set(http::field::host, "127.0.0.1");
            q.set(http::field::authorization, read_auth[k - 1]);
            return q;
          },
          sample.read_ms, sample, mu, stop));
    for (auto& c : all) c->start();
    std::vector<std::thread> threads;
    const auto t0 = Clock::now();
    for (int t = 0; t < 2; ++t) threads.emplace_back([&] { io.run(); });
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    stop = true;
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    io.stop();
    for (auto& t : threads) t.join();
    }  // every client's connection is closed here
    // A writer that sent a transfer without seeing its reply leaves its
    // member's nonce unknown: resynchronise every member from the node.
    {
      HttpClient c(url);
      for (auto& m : members) {
        auto r = c.get("/v1/signers/" + to_hex(m.key.pk));
        m.nonce = json::parse(r.body)["nonce"].get<std::uint64_t>();
      }
    }
    std::lock_guard lock(mu);
    std::printf("%-10s %5u clients  reads %8.0f/s p50 %7.2f ms p99 %7.2f ms | transfers %7.0f/s p50 %7.2f ms "
                "p99 %7.2f ms | refused %llu, errors %llu\n",
                label.c_str(), clients, static_cast<double>(sample.read_ms.size()) / elapsed,
                percentile(sample.read_ms, 0.5), percentile(sample.read_ms, 0.99),
                static_cast<double>(sample.write_ms.size()) / elapsed, percentile(sample.write_ms, 0.5),
                percentile(sample.write_ms, 0.99), static_cast<unsigned long long>(sample.refused),
                static_cast<unsigned long long>(sample.errors));
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"artel_bench_http - the node's HTTP API under many keep-alive clients"};
  Options o;
  app.add_option("--arteld", o.arteld, "the arteld binary to measure")->required();
  app.add_option("--reference", o.reference, "another arteld binary measured in the same run, in turn");
  app.add_option("--clients", o.levels, "concurrency levels (half read statements, half submit transfers)")
      ->capture_default_str();
  app.add_option("--readers", o.readers_percent, "percent of the clients that read statements; the rest submit")
      ->capture_default_str()
      ->check(CLI::Range(0u, 99u));
  app.add_option("--seconds", o.seconds, "seconds per level")->capture_default_str();
  app.add_option("--members", o.members, "members on the ledger")->capture_default_str();
  app.add_option("--presign", o.presign, "transfers signed ahead per level (the most a level can submit)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  crypto_init();
  if (rlimit rl{}; ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  ::signal(SIGPIPE, SIG_IGN);
  try {
    for (unsigned round = 0; round < 2; ++round) {
      run_binary("arteld", o.arteld, o);
      if (!o.reference.empty()) run_binary("reference", o.reference, o);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "artel_bench_http: %s\n", e.what());
    return 1;
  }
  return 0;
}
