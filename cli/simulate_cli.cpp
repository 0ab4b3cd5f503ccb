// `artel simulate savings`: the paper's model of a savings cooperative made
// exact (rule S, docs/savings.md), month by month, for fixed or Poisson
// cohorts of newcomers. Amounts are in millionths of a percent of one
// member's price, held in 64-bit integers: A, M and X are read as exact
// decimals, so a sweep step of 0.1 never becomes 52.000000000000007.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <filesystem>
#include <map>
#include <random>

#include "charter_build.h"
#include "commands.h"
#include "compiler/driver.h"
#include "decimal.h"
#include "keys.h"
#include "node/calendar.h"
#include "node/genesis.h"
#include "node/ledger.h"
#include "node/state.h"
#include "node/transaction.h"
#include "splitmix.h"

namespace artel::cli {

namespace {

using json = nlohmann::json;

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

constexpr std::int64_t kUnit = 1'000'000;     // one percent
constexpr std::int64_t kWhole = 100 * kUnit;  // the price

// "52.5" -> 52 500 000 (millionths of a percent), exactly; nullopt otherwise.
std::optional<std::int64_t> parse_percent(const std::string& text) {
  // At most nine whole digits (a sign aside).
  const std::size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  if (std::min(text.find_first_of(".,"), text.size()) - sign > 9) return std::nullopt;
  std::string why;
  return parse_fixed(text, 6, why);
}

// Millionths of a percent as a percentage: 52500000 -> "52.5". Takes the
// pool's 128-bit sums as well as the 64-bit parameters.
std::string percent(i128 v) {
  const bool neg = v < 0;
  u128 u = neg ? static_cast<u128>(-v) : static_cast<u128>(v);
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u > 0);
  if (s.size() <= 6) s.insert(0, 7 - s.size(), '0');
  s.insert(s.size() - 6, ".");
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return (neg ? "-" : "") + s;
}

// splitmix64 and xoshiro256** (their reference definitions), seeded with
// four successive splitmix64 outputs, so runs reproduce anywhere.

struct Xoshiro256ss {
  std::uint64_t s[4];
  explicit Xoshiro256ss(std::uint64_t seed) {
    SplitMix64 sm{seed};
    for (auto& w : s) w = sm.next();
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Knuth's method: exact in distribution while exp(-lambda) is a normal double.
  std::uint64_t poisson(double lambda) {
    const double limit = std::exp(-lambda);
    std::uint64_t k = 0;
    double p = 1;
    do {
      ++k;
      p *= uniform();
    } while (p > limit);
    return k - 1;
  }
};

// The largest Poisson mean for Knuth's method here: exp(-700) is still a
// normal double (about 1e-304); beyond about 708 it is not.
constexpr double kMaxPoissonMean = 700;

struct Params {
  std::int64_t founders = 0;
  std::int64_t a = 0, m = 0, x = 0;  // millionths of a percent
  int months = 120;
  bool queue = false;
};

struct Cohort {
  int joined = 0;
  std::int64_t size = 0;
  std::int64_t paid = 0;    // per member, millionths of a percent
  std::int64_t funded = 0;  // members with a loan
  int reached = -1;         // month its members reached X (step 2), -1: not yet
  int first_loan = -1, last_loan = -1;
  std::int64_t wait_sum = 0;  // member-months waited from reaching X to the loan
};

struct Outcome {
  std::optional<int> first_negative;
  i128 min_pool = 0;
  int min_pool_month = 0;
  std::vector<i128> pool;  // after step 2 of each month 1..months
  std::vector<Cohort> cohorts;
};

// Rule S. At month 0 the founders join and pay A. In each month T >= 1:
// (1) every member who joined before T and has paid less than 100 pays
// min(M, 100 - paid); (2) every member who joined before T, has paid at
// least X and has no loan takes 100 from the pool in order of seniority
// (schedule: all; queue: only while the pool holds 100); (3) the month's
// newcomers join and pay A. The pool is tested after step 2.
Outcome simulate(const Params& p, const std::vector<std::int64_t>& newcomers) {
  Outcome o;
  std::vector<Cohort>& cs = o.cohorts;
  i128 pool = static_cast<i128>(p.founders) * p.a;
  cs.push_back({0, p.founders, p.a});
  bool first = true;
  for (int T = 1; T <= p.months; ++T) {
    for (auto& c : cs) {
      if (c.joined >= T || c.paid >= kWhole) continue;
      const std::int64_t pay = std::min(p.m, kWhole - c.paid);
      c.paid += pay;
      pool += static_cast<i128>(c.size) * pay;
    }
    bool open = true;  // queue: stops at the first member the pool cannot fund
    for (auto& c : cs) {
      if (c.joined >= T || c.paid < p.x || c.funded == c.size) continue;
      if (c.reached < 0) c.reached = T;
      const std::int64_t want = c.size - c.funded;
      std::int64_t give = want;
      if (p.queue) {
        if (!open) break;
        const i128 can = pool / kWhole;
        give = static_cast<std::int64_t>(std::min<i128>(want, can < 0 ? 0 : can));
        if (give < want) open = false;
      }
      if (give > 0) {
        pool -= static_cast<i128>(give) * kWhole;
        c.funded += give;
        c.wait_sum += give * (T - c.reached);
        if (c.first_loan < 0) c.first_loan = T;
        c.last_loan = T;
      }
      if (p.queue && !open) break;
    }
    o.pool.push_back(pool);
    if (first || pool < o.min_pool) {
      o.min_pool = pool;
      o.min_pool_month = T;
      first = false;
    }
    if (pool < 0 && !o.first_negative) o.first_negative = T;
    const std::int64_t n =
        T - 1 < static_cast<int>(newcomers.size()) ? newcomers[static_cast<std::size_t>(T - 1)] : 0;
    if (n > 0) {
      cs.push_back({T, n, p.a});
      pool += static_cast<i128>(n) * p.a;
    }
  }
  return o;
}

struct Options {
  std::string founders = "100", newcomers = "10", a, m, x;
  int months = 120;
  std::string policy = "schedule";
  bool json_out = false, poisson = false, yes = false;
  std::uint64_t runs = 1000, seed = 2007;
  std::uint64_t draws = 0;
  std::string svg;
  std::string engine = "model";
  std::string charter;  // --engine charter: the savings charter (default: the shipped one)
};

// A small line chart in SVG: what members and lawyers would rather look at
// than read. Series are (label, points); `zero` draws the y = 0 line.
struct Series {
  std::string label;
  std::vector<std::pair<double, double>> points;
  std::vector<std::pair<double, double>> band;  // optional: (low, high) per point, as error bars
};

std::string svg_escape(const std::string& t) {
  std::string o;
  for (char ch : t) {
    if (ch == '<')
      o += "&lt;";
    else if (ch == '>')
      o += "&gt;";
    else if (ch == '&')
      o += "&amp;";
    else
      o += ch;
  }
  return o;
}

bool write_svg(const std::string& path, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, const std::vector<Series>& series, bool zero) {
  double x0 = 1e300, x1 = -1e300, y0 = zero ? 0 : 1e300, y1 = zero ? 0 : -1e300;
  for (const auto& s : series) {
    for (auto [x, y] : s.points) {
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
    for (auto [lo, hi] : s.band) y0 = std::min(y0, lo), y1 = std::max(y1, hi);
  }
  if (x0 > x1) x0 = 0, x1 = 1;
  if (y0 > y1) y0 = 0, y1 = 1;
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  const double W = 860, H = 470, L = 80, R = 200, T = 52, B = 50;
  auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
  auto py = [&](double y) { return H - B - (y - y0) / (y1 - y0) * (H - T - B); };
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                  "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H
    << "' font-family='sans-serif' font-size='12'>\n";
  o << "<rect width='100%' height='100%' fill='white'/>\n";
  // The title on one line, what it is of (the part in parentheses) on a
  // second, smaller: a long title must not run off the drawing.
  const auto paren = title.find(" (");
  o << "<text x='" << L << "' y='20' font-size='15'>" << svg_escape(title.substr(0, paren)) << "</text>\n";
  if (paren != std::string::npos) {
    std::string sub = title.substr(paren + 2);
    if (!sub.empty() && sub.back() == ')') sub.pop_back();
    o << "<text x='" << L << "' y='38' font-size='11' fill='#444'>" << svg_escape(sub) << "</text>\n";
  }
  o << "<line x1='" << L << "' y1='" << H - B << "' x2='" << W - R << "' y2='" << H - B
    << "' stroke='black'/>\n";
  o << "<line x1='" << L << "' y1='" << T << "' x2='" << L << "' y2='" << H - B << "' stroke='black'/>\n";
  for (int i = 0; i <= 5; ++i) {
    const double xv = x0 + (x1 - x0) * i / 5, yv = y0 + (y1 - y0) * i / 5;
    char bx[32], by[32];
    std::snprintf(bx, sizeof bx, "%.4g", xv);
    std::snprintf(by, sizeof by, "%.4g", yv);
    o << "<text x='" << px(xv) << "' y='" << H - B + 16 << "' text-anchor='middle'>" << bx << "</text>\n";
    o << "<text x='" << L - 6 << "' y='" << py(yv) + 4 << "' text-anchor='end'>" << by << "</text>\n";
  }
  o << "<text x='" << (L + W - R) / 2 << "' y='" << H - 12 << "' text-anchor='middle'>" << svg_escape(xlabel)
    << "</text>\n";
  o << "<text x='16' y='" << (T + H - B) / 2 << "' transform='rotate(-90 16 " << (T + H - B) / 2
    << ")' text-anchor='middle'>" << svg_escape(ylabel) << "</text>\n";
  if (zero && y0 < 0 && y1 > 0)
    o << "<line x1='" << L << "' y1='" << py(0) << "' x2='" << W - R << "' y2='" << py(0)
      << "' stroke='#d62728' stroke-dasharray='6 4'/><text x='" << W - R + 4 << "' y='" << py(0) + 4
      << "' fill='#d62728'>0: a pyramid below</text>\n";
  double legend_y = 0;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const char* c = colours[k % 8];
    o << "<polyline fill='none' stroke='" << c << "' stroke-width='1.5' points='";
    for (auto [x, y] : series[k].points) o << px(x) << "," << py(y) << " ";
    o << "'/>\n";
    for (std::size_t i = 0; i < series[k].band.size() && i < series[k].points.size(); ++i) {
      const double x = series[k].points[i].first;
      o << "<line x1='" << px(x) << "' y1='" << py(series[k].band[i].first) << "' x2='" << px(x) << "' y2='"
        << py(series[k].band[i].second) << "' stroke='" << c << "'/>\n";
    }
    // The legend, wrapped to the margin's width (about 28 characters a line).
    std::vector<std::string> rows{""};
    std::istringstream words(series[k].label);
    for (std::string w; words >> w;) {
      if (!rows.back().empty() && rows.back().size() + 1 + w.size() > 28) rows.emplace_back();
      rows.back() += (rows.back().empty() ? "" : " ") + w;
    }
    o << "<text x='" << W - R + 10 << "' y='" << T + 16 + legend_y << "' fill='" << c << "'>";
    for (std::size_t r = 0; r < rows.size(); ++r)
      o << "<tspan x='" << W - R + 10 << "' dy='" << (r == 0 ? 0 : 14) << "'>" << svg_escape(rows[r]) << "</tspan>";
    o << "</text>\n";
    legend_y += 16 + 14 * static_cast<double>(rows.size() - 1);
  }
  o << "</svg>\n";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const std::string text = o.str();
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

// --engine charter: the same story on the real ledger. The compiled savings
// charter runs a cooperative of its own (no platform charter, so no
// demurrage), with its own parameters (initial contribution, monthly
// payment, loan threshold; every target its minimum target, which is 100 %).
// Month T of rule S is the charter's month T: the clock moves to its first
// day (the charter grants what its fund allows), every member who joined
// before pays (step 1), the cooperative asks for the month's loans
// (grant_loans_now, step 2), then the month's newcomers join and pay their
// initial contribution (step 3). The loan months of every cohort must be
// those of the queue policy of the fast model on the same cohorts.
int run_engine(const Options& o, Params p, const std::vector<std::int64_t>& cohorts) {
  namespace fs = std::filesystem;
  auto fail = [](const std::string& what) {
    std::cerr << "artel simulate savings --engine charter: error: " << what << "\n";
    return 1;
  };
  const std::string path =
      o.charter.empty()
          ? (compiler::default_stdlib_dir().parent_path() / "charters" / "savings_cooperative.artel").string()
          : o.charter;
  auto charter = compile_charter_file(path, std::cerr);
  if (!charter) return 1;
  auto param = [&](const char* name) -> std::optional<std::int64_t> {
    for (const auto& q : charter->built.module.parameters)
      if (q.name == name) return q.value;
    return std::nullopt;
  };
  auto a = param("initial_contribution"), m = param("monthly_payment"), x = param("loan_threshold"),
       target = param("minimum_target");
  if (!a || !m || !x || !target)
    return fail(path +
                " has not the savings charter's parameters (initial_contribution, monthly_payment, "
                "loan_threshold, minimum_target)");
  // Rates are in parts per billion: 1 % = 10^7; here 1 % = 10^6.
  p.a = *a / 10;
  p.m = *m / 10;
  p.x = *x / 10;
  p.queue = true;
  const Outcome model = simulate(p, cohorts);

  node::crypto_init();
  auto key = [](const std::string& role, std::uint64_t i) {
    return key_from_text("artel-simulate|" + role + "|" + std::to_string(i));
  };
  const node::KeyPair council = key("council", 0), clock = key("clock", 0), coop = key("coop", 0);
  node::Genesis g;
  g.platform = "artel simulate";
  g.council = {council.pk};
  g.clock_key = clock.pk;
  g.created = "2026-01-05";
  g.salt = key("salt", 0).pk;
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() /
                       ("artel-simulate-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  struct Cleanup {
    fs::path d;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
  } cleanup{dir};
  node::Ledger ledger(dir.string(), g.document());
  const node::Hash id = ledger.id();
  std::map<node::PublicKey, std::uint64_t> nonces;
  std::vector<node::KeyPair> people;
  std::vector<std::size_t> cohort_of;       // member id - 1 -> cohort index
  std::map<std::uint64_t, int> loan_month;  // member id -> month of its loan
  auto sign = [&](const node::KeyPair& k, node::TxBody body) {
    node::Transaction tx;
    tx.signer = k.pk;
    tx.nonce = ++nonces[k.pk];
    tx.body = std::move(body);
    return node::sign_transaction(tx, k, id);
  };
  // Applies a block; a refusal other than `allowed` (a message part) stops the run.
  auto apply = [&](std::vector<std::pair<const node::KeyPair*, node::TxBody>> txs, int month,
                   const std::string& allowed) -> std::optional<std::string> {
    std::vector<node::Prepared> ps;
    for (auto& [k, body] : txs) ps.push_back(node::prepare(sign(*k, std::move(body)), id));
    auto result = ledger.apply_block(ps);
    for (std::size_t i = 0; i < result.receipts.size(); ++i) {
      const auto& r = result.receipts[i];
      if (!r.applied) {
        --nonces[txs[i].first->pk];
        if (allowed.empty() || r.error.message.find(allowed) == std::string::npos)
          return std::string(node::code_name(r.error.code)) + ": " + r.error.message;
        continue;
      }
      for (const auto& e : r.events) {
        const node::StoredEvent se = node::stored_event(e);
        if (se.name == "loan_granted" && !se.values.empty())
          loan_month[static_cast<std::uint64_t>(se.values[0].value)] = month;
      }
    }
    return std::nullopt;
  };
  if (auto e = apply({{&council, node::RegisterCoop{coop.pk, "Savings cooperative"}}}, 0, ""))
    return fail(*e);
  if (auto e = apply({{&coop, node::DeployCharter{1, charter->built.bytes, charter->source}}}, 0, ""))
    return fail(*e);
  auto join = [&](std::size_t cohort, std::int64_t count, int month) -> std::optional<std::string> {
    std::vector<std::pair<const node::KeyPair*, node::TxBody>> admit, joins;
    for (std::int64_t i = 0; i < count; ++i) {
      people.push_back(key("member", people.size()));
      cohort_of.push_back(cohort);
      const std::uint64_t member = people.size();
      admit.push_back({&coop, node::AdmitMember{1, people.back().pk, 0}});
      admit.push_back({&coop, node::Contribute{member, 3 * *target, node::ContributionKind::money, "", ""}});
    }
    if (auto e = apply(std::move(admit), month, "")) return e;
    for (std::size_t k = people.size() - static_cast<std::size_t>(count); k < people.size(); ++k)
      joins.push_back({&people[k], node::CallRule{1, k + 1, "join", {*target}}});
    return apply(std::move(joins), month, "");
  };
  if (auto e = join(0, p.founders, 0)) return fail("founders: " + *e);
  std::size_t cohorts_made = 0;
  const node::Calendar cal(*node::Calendar::parse_date(g.created));
  for (int T = 1; T <= p.months; ++T) {
    if (auto e = apply({{&clock, node::AdvancePeriod{cal.first_day(vm::PeriodKind::Month,
                                                                   static_cast<std::uint64_t>(T))}}},
                       T, ""))
      return fail("month " + std::to_string(T) + ": " + *e);
    std::vector<std::pair<const node::KeyPair*, node::TxBody>> pays;
    for (std::size_t k = 0; k < people.size(); ++k)
      pays.push_back({&people[k], node::CallRule{1, k + 1, "pay_monthly", {}}});
    if (auto e = apply(std::move(pays), T, "paid in full"))
      return fail("month " + std::to_string(T) + ": " + *e);
    if (auto e = apply({{&coop, node::CallRule{1, 0, "grant_loans_now", {}}}}, T, ""))
      return fail("month " + std::to_string(T) + ": " + *e);
    const std::int64_t n = cohorts[static_cast<std::size_t>(T - 1)];
    // Cohorts are numbered as the model numbers them: only months with newcomers make one.
    if (n > 0)
      if (auto e = join(++cohorts_made, n, T)) return fail("month " + std::to_string(T) + ": " + *e);
  }
  // Cohort by cohort: the months of its first and last loan, and how many.
  json rows = json::array();
  bool agree = true;
  std::size_t index = 0;
  for (const auto& c : model.cohorts) {
    int first = -1, last = -1;
    std::int64_t funded = 0;
    for (std::size_t k = 0; k < cohort_of.size(); ++k) {
      if (cohort_of[k] != index) continue;
      auto it = loan_month.find(k + 1);
      if (it == loan_month.end()) continue;
      ++funded;
      first = first < 0 ? it->second : std::min(first, it->second);
      last = std::max(last, it->second);
    }
    const bool same = funded == c.funded && first == c.first_loan && (funded == 0 || last == c.last_loan);
    agree = agree && same;
    rows.push_back(
        {{"joined", c.joined},
         {"size", c.size},
         {"model", {{"funded", c.funded}, {"first_loan", c.first_loan}, {"last_loan", c.last_loan}}},
         {"charter", {{"funded", funded}, {"first_loan", first}, {"last_loan", last}}},
         {"same", same}});
    ++index;
  }
  json out{{"engine", "charter"}, {"charter", path},        {"a", percent(p.a)},  {"m", percent(p.m)},
           {"x", percent(p.x)},   {"founders", p.founders}, {"months", p.months}, {"members", people.size()},
           {"cohorts", rows},     {"agree", agree}};
  if (o.json_out) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "charter engine (" << path << ": a = " << percent(p.a) << " %, m = " << percent(p.m)
              << " %, x = " << percent(p.x) << " %), " << people.size() << " members, " << p.months
              << " months: the loan months of "
              << (agree ? "every cohort agree with the queue model\n"
                        : "some cohorts differ from the queue model:\n");
    for (const auto& r : rows)
      if (!r["same"].get<bool>()) std::cout << "  " << r.dump() << "\n";
  }
  return agree ? 0 : 1;
}

int run_simulation(const Options& o) {
  auto fail = [](const std::string& what) {
    std::cerr << "artel simulate savings: error: " << what << "\n";
    return 2;
  };
  Params p;
  p.months = o.months;
  p.queue = o.policy == "queue";
  const bool model = o.engine != "charter";  // the charter engine takes the charter's own A, M and X
  if (model && (o.a.empty() || o.m.empty() || o.x.empty())) return fail("--a, --m and --x are required");
  auto a = parse_percent(model ? o.a : "0"), m = parse_percent(model ? o.m : "1");
  if (!a || *a < 0) return fail("--a must be a percentage of the price, 0 or more (e.g. 10)");
  if (!m || *m <= 0) return fail("--m must be a positive percentage of the price (e.g. 2)");
  if (*a + *m > kWhole) return fail("--a plus --m must not exceed 100");
  p.a = *a;
  p.m = *m;
  try {
    p.founders = std::stoll(o.founders);
  } catch (...) {
    return fail("--founders must be a whole number");
  }
  if (p.founders < 1) return fail("--founders must be at least 1");
  if (o.months < 1 || o.months > 100'000) return fail("--months must be between 1 and 100000");
  auto mean = parse_percent(o.newcomers);  // a decimal; for fixed cohorts, whole
  if (!mean || *mean < 0) return fail("--newcomers must not be negative");
  if (o.poisson && *mean == 0) return fail("--newcomers: a Poisson mean must be positive");
  if (!o.poisson && *mean % kUnit != 0) return fail("--newcomers must be a whole number without --poisson");
  const double lambda = static_cast<double>(*mean) / kUnit;
  if (o.poisson && lambda > kMaxPoissonMean)
    return fail(
        "--newcomers: a Poisson mean above 700 is beyond Knuth's method here (exp(-mean) underflows)");
  if (o.poisson && o.runs > 10'000'000 && !o.yes) return fail("--runs above 10000000 needs --yes");
  if (o.poisson && o.runs < 1) return fail("--runs must be at least 1");
  if (o.engine == "charter") {
    // Fixed cohorts, or one run of Poisson cohorts drawn from --seed.
    std::vector<std::int64_t> cohorts(static_cast<std::size_t>(p.months), *mean / kUnit);
    if (o.poisson) {
      Xoshiro256ss rng(o.seed);
      for (auto& c : cohorts) c = static_cast<std::int64_t>(rng.poisson(lambda));
    }
    return run_engine(o, p, cohorts);
  }
  if (o.draws > 0) {
    // The first cohort sizes the generator draws from --seed: the same
    // numbers on every machine.
    Xoshiro256ss rng(o.seed);
    for (std::uint64_t i = 0; i < o.draws; ++i) std::cout << (i ? " " : "") << rng.poisson(lambda);
    std::cout << "\n";
    return 0;
  }
  // --x VALUE or FROM:TO:STEP
  std::vector<std::int64_t> xs;
  {
    std::vector<std::string> parts;
    std::string cur;
    for (char ch : o.x + ":") {
      if (ch == ':') {
        parts.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(ch);
      }
    }
    if (parts.size() != 1 && parts.size() != 3) return fail("--x is a threshold or FROM:TO:STEP");
    std::vector<std::int64_t> v;
    for (const auto& s : parts) {
      auto q = parse_percent(s);
      if (!q) return fail("--x: '" + s + "' is not a percentage");
      v.push_back(*q);
    }
    if (v.size() == 1) {
      xs.push_back(v[0]);
    } else {
      if (v[2] <= 0 || v[1] < v[0]) return fail("--x FROM:TO:STEP needs FROM <= TO and STEP > 0");
      if ((v[1] - v[0]) / v[2] > 10'000) return fail("--x: more than 10000 thresholds");
      for (std::int64_t x = v[0]; x <= v[1]; x += v[2]) xs.push_back(x);
    }
    for (auto x : xs)
      if (x <= p.a || x > kWhole)
        return fail("--x: the threshold must be above --a and at most 100, not " + percent(x));
  }
  json out = json::array();
  std::vector<Series> chart;
  Series probability{"failure probability (95 % interval)", {}, {}};
  for (std::int64_t x : xs) {
    p.x = x;
    json r{{"x", percent(x)},   {"policy", o.policy}, {"founders", p.founders},
           {"a", percent(p.a)}, {"m", percent(p.m)},  {"months", p.months}};
    if (!o.poisson) {
      const std::vector<std::int64_t> cohorts(static_cast<std::size_t>(p.months), *mean / kUnit);
      Outcome s = simulate(p, cohorts);
      r["newcomers"] = *mean / kUnit;
      r["first_negative_month"] = s.first_negative ? json(*s.first_negative) : json(nullptr);
      r["min_pool"] = percent(s.min_pool);
      r["min_pool_month"] = s.min_pool_month;
      json pool = json::array();
      Series line{"x = " + percent(x) + " %", {}, {}};
      int month = 1;
      for (auto v : s.pool) {
        pool.push_back(percent(v));
        line.points.emplace_back(month++, static_cast<double>(v) / kUnit);
      }
      chart.push_back(std::move(line));
      r["pool"] = pool;
      if (p.queue) {
        json waits = json::array();
        std::int64_t members = 0, sum = 0, waiting = 0;
        int longest = 0;
        for (const auto& c : s.cohorts) {
          if (c.reached < 0) continue;
          const int last = c.funded == c.size ? c.last_loan - c.reached : p.months - c.reached;
          waits.push_back({{"joined", c.joined},
                           {"reached", c.reached},
                           {"first_loan", c.first_loan < 0 ? json(nullptr) : json(c.first_loan)},
                           {"last_loan", c.funded == c.size ? json(c.last_loan) : json(nullptr)},
                           {"funded", c.funded},
                           {"size", c.size}});
          members += c.funded;
          sum += c.wait_sum;
          longest = std::max(longest, last);
          waiting += c.size - c.funded;
        }
        r["cohorts"] = waits;
        r["mean_wait"] =
            members > 0 ? json(static_cast<double>(sum) / static_cast<double>(members)) : json(nullptr);
        r["longest_wait"] = longest;
        r["waiting_at_horizon"] = waiting;
      }
    } else {
      Xoshiro256ss rng(o.seed);  // each threshold starts again from the seed
      std::uint64_t failures = 0;
      double first_sum = 0;
      std::vector<std::int64_t> cohorts(static_cast<std::size_t>(p.months));
      for (std::uint64_t run = 0; run < o.runs; ++run) {
        for (auto& c : cohorts) c = static_cast<std::int64_t>(rng.poisson(lambda));
        Outcome s = simulate(p, cohorts);
        if (s.first_negative) {
          ++failures;
          first_sum += *s.first_negative;
        }
        if (!o.json_out && o.runs >= 100'000 && run % (o.runs / 50) == 0)
          std::cerr << "\r" << (run * 100 / o.runs) << " %" << std::flush;
      }
      if (!o.json_out && o.runs >= 100'000) std::cerr << "\r100 %\n";
      const double nr = static_cast<double>(o.runs), ph = static_cast<double>(failures) / nr,
                   z = 1.959963984540054;
      const double denom = 1 + z * z / nr;
      const double centre = (ph + z * z / (2 * nr)) / denom;
      const double half = z * std::sqrt(ph * (1 - ph) / nr + z * z / (4 * nr * nr)) / denom;
      r["newcomers_mean"] = lambda;
      r["runs"] = o.runs;
      r["seed"] = o.seed;
      r["failures"] = failures;
      r["p_fail"] = ph;
      r["ci_low"] = std::max(0.0, centre - half);
      r["ci_high"] = std::min(1.0, centre + half);
      r["mean_first_negative_month"] =
          failures > 0 ? json(first_sum / static_cast<double>(failures)) : json(nullptr);
      probability.points.emplace_back(static_cast<double>(x) / kUnit, ph);
      probability.band.emplace_back(r["ci_low"].get<double>(), r["ci_high"].get<double>());
    }
    out.push_back(r);
  }
  if (!o.svg.empty()) {
    const std::string who = std::to_string(p.founders) + " founders, " + o.newcomers +
                            " newcomers a month, a = " + percent(p.a) + " %, m = " + percent(p.m) + " %";
    const bool ok = o.poisson
                        ? write_svg(o.svg,
                                    "Probability of a pyramid within " + std::to_string(p.months) +
                                        " months (" + who + ", " + std::to_string(o.runs) + " Poisson runs)",
                                    "loan threshold x, %", "probability", {probability}, false)
                        : write_svg(o.svg, "The pool (" + who + ", " + o.policy + ")", "month",
                                    "pool, % of one price", chart, true);
    if (!ok) return fail("--svg: cannot write " + o.svg);
  }
  if (o.json_out) {
    std::cout << (out.size() == 1 ? out[0] : out).dump(2) << "\n";
    return 0;
  }
  for (const auto& r : out) {
    std::cout << "x = " << r["x"].get<std::string>() << " %, " << r["policy"].get<std::string>() << ": ";
    if (o.poisson) {
      std::cout << r["failures"] << " of " << r["runs"] << " runs became a pyramid within " << p.months
                << " months: p = " << r["p_fail"] << " (95 % interval " << r["ci_low"] << " to "
                << r["ci_high"] << ")\n";
    } else {
      std::cout << (r["first_negative_month"].is_null()
                        ? std::string("the pool never goes negative")
                        : "the pool goes negative in month " + r["first_negative_month"].dump())
                << "; lowest pool " << r["min_pool"].get<std::string>() << " % of a price in month "
                << r["min_pool_month"];
      if (p.queue)
        std::cout << "; longest wait " << r["longest_wait"] << " months, " << r["waiting_at_horizon"]
                  << " members still waiting at the horizon";
      std::cout << "\n";
    }
  }
  return 0;
}

}  // namespace

void add_simulate_commands(CLI::App& app, Context& ctx) {
  auto* sim = app.add_subcommand("simulate", "Simulate a cooperative's economics");
  sim->require_subcommand(1);
  static Options o;
  auto* savings =
      sim->add_subcommand("savings", "Rule S month by month (docs/savings.md): when the pool goes negative");
  savings->add_option("--founders", o.founders, "members joining at month 0 (N)");
  savings->add_option("--newcomers", o.newcomers, "newcomers each month (n); with --poisson, the mean");
  savings->add_option("--a", o.a, "initial contribution, percent of the price (the model engine)");
  savings->add_option("--m", o.m, "monthly payment, percent of the price (the model engine)");
  savings->add_option("--x", o.x, "loan threshold, percent of the price, or FROM:TO:STEP (the model engine)");
  savings->add_option("--months", o.months, "horizon (default 120)");
  savings
      ->add_option("--policy", o.policy,
                   "schedule (the paper: every entitled member is funded) or queue (the charter)")
      ->check(CLI::IsMember({"schedule", "queue"}));
  savings->add_flag("--poisson", o.poisson, "Poisson cohorts; report the probability of a pyramid");
  savings->add_option("--runs", o.runs, "Poisson runs (default 1000)");
  savings->add_option("--seed", o.seed, "seed of xoshiro256** (default 2007)");
  savings->add_flag("--yes", o.yes, "allow more than 10000000 runs");
  savings->add_option("--svg", o.svg,
                      "draw the pool over the months (or, with --poisson, the failure probability against "
                      "the threshold) into FILE");
  savings
      ->add_option(
          "--engine", o.engine,
          "model (rule S, fast) or charter (the compiled savings charter on a real in-process ledger, "
          "its own parameters; checked against the queue model)")
      ->check(CLI::IsMember({"model", "charter"}));
  savings->add_option("--charter", o.charter,
                      "--engine charter: the charter (default: charters/savings_cooperative.artel)");
  savings->add_option("--draws", o.draws,
                      "print the first K Poisson cohort sizes drawn from --seed, and stop");
  savings->add_flag("--json", o.json_out, "print JSON");
  savings->callback([&ctx] { ctx.exit_code = run_simulation(o); });
}

}  // namespace artel::cli
