// `artel analyze savings`: the closed forms of A. M. Shelekhov's stability
// analysis of a savings cooperative (source document 002), in exact
// rational arithmetic, and the smallest loan threshold for which the
// general balance condition (15) holds at every stage, whichever case
// applies. docs/savings.md derives every formula and lists the paper's
// errors.
#include <boost/multiprecision/cpp_int.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "commands.h"

namespace artel::cli {

namespace {

using Q = boost::multiprecision::cpp_rational;
using Z = boost::multiprecision::cpp_int;

// "12.5", "-3", "0,5" -> exactly that rational; nullopt otherwise.
std::optional<Q> parse_decimal(std::string s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    s.erase(0, 1);
  }
  for (auto& ch : s)
    if (ch == ',') ch = '.';
  const auto dot = s.find('.');
  const std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  for (char ch : whole + frac)
    if (ch < '0' || ch > '9') return std::nullopt;
  if (whole.size() + frac.size() > 30) return std::nullopt;
  Z num(whole.empty() ? std::string("0") : whole);
  Z den = 1;
  for (char ch : frac) {
    num = num * 10 + (ch - '0');
    den *= 10;
  }
  Q q(num, den);
  return neg ? Q(-q) : q;
}

// A rational as a decimal rounded half away from zero to `digits` places,
// trailing zeros dropped: 53.405, 13.7975, 65.904258.
std::string decimal(const Q& q, int digits = 6) {
  Z scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const bool neg = q < 0;
  const Q a = neg ? Q(-q) : q;
  Z n = boost::multiprecision::numerator(a) * scale * 2 + boost::multiprecision::denominator(a);
  Z v = n / (boost::multiprecision::denominator(a) * 2);
  std::string s = v.str();
  if (digits > 0) {
    if (s.size() <= static_cast<std::size_t>(digits))
      s.insert(0, static_cast<std::size_t>(digits) + 1 - s.size(), '0');
    s.insert(s.size() - static_cast<std::size_t>(digits), ".");
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return (neg && s != "0" ? "-" : "") + s;
}

// Whether the decimal above shows `q` exactly.
bool exact_in(const Q& q, int digits) {
  Z p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p % boost::multiprecision::denominator(q) == 0;
}

// The positive root of x^2 + b x + c0 = 0 (c0 < 0), to within 1e-12, by
// bisection on exact rationals: the root is irrational in general.
Q positive_root(const Q& b, const Q& c0) {
  auto f = [&](const Q& x) { return x * x + b * x + c0; };
  Q lo = 0, hi = 1;
  while (f(hi) < 0) hi *= 2;
  const Q eps(1, Z(1'000'000'000'000LL));
  while (hi - lo > eps) {
    const Q mid = (lo + hi) / 2;
    (f(mid) < 0 ? lo : hi) = mid;
  }
  return hi;
}

struct Savings {
  std::string a, m, c, n;
  bool half_issue = false;
  bool json_out = false;
};

int analyze(const Savings& o) {
  auto fail = [](const std::string& what) {
    std::cerr << "artel analyze savings: error: " << what << "\n";
    return 2;
  };
  auto a_ = parse_decimal(o.a), m_ = parse_decimal(o.m);
  if (!a_) return fail("--a must be a decimal number of percent, such as 10");
  if (!m_) return fail("--m must be a decimal number of percent, such as 2");
  const Q a = *a_, m = *m_;
  if (a < 0) return fail("--a (the initial contribution) must not be negative");
  if (m <= 0) return fail("--m (the monthly payment) must be positive");
  if (a + m > 100) return fail("--a plus --m must not exceed 100 (percent of the price)");
  std::optional<Q> c;
  if (!o.c.empty()) {
    c = parse_decimal(o.c);
    if (!c) return fail("--c must be a decimal number, founders per monthly newcomer, such as 10");
    if (*c <= 0) return fail("--c (founders per monthly newcomer) must be positive");
  }
  std::optional<Q> n;
  if (!o.n.empty()) {
    n = parse_decimal(o.n);
    if (!n || *n <= 0) return fail("--n (newcomers a month) must be positive");
  }
  const Q half(1, 2);
  const Q s = a * a + a * m;                    // a^2 + am
  const Q x0 = 50 + m / 2 + a * (a + m) / 200;  // (8)
  const Q k0 = 50 / m - half - s / (200 * m);   // (14)
  const Q t1 = (100 - a) / m;                   // (6)
  nlohmann::json j{
      {"a", decimal(a)}, {"m", decimal(m)}, {"x0", decimal(x0)}, {"k0", decimal(k0)}, {"t1", decimal(t1)}};
  std::ostringstream text;
  text << "savings cooperative: initial contribution a = " << decimal(a)
       << " %, monthly payment m = " << decimal(m) << " %\n";
  text << "  x0 = 50 + m/2 + a(a+m)/200 = " << decimal(x0)
       << " %   (8): necessary: the last balance condition\n";
  text << "  k0 = 50/m - 1/2 - (a^2+am)/200m = " << decimal(k0)
       << " months   (14): the last stage after the first loans\n";
  text << "  t1 = (100 - a)/m = " << decimal(t1) << " months   (6): when the founders have paid in full\n";
  if (c) {
    // The general balance condition (15) for the stage k after the first
    // loans, with P = 100 (all founders funded at t) or 50 (--half-issue,
    // (23)): g(k) = z^2 - mz - a^2 - am - 200km - 2cm(P - z) >= 0 with
    // z = x + km, for every k in [0, (100 - x)/m]. g is convex in k (its k^2
    // coefficient is m^2), stationary at z = z_B.
    const Q P = o.half_issue ? Q(50) : Q(100);
    const Q zB = 100 + m / 2 - *c * m;  // (17)
    const Q cm = *c - half;
    const Q kB = 50 / m - (o.half_issue ? *c / 2 : *c) - s / (200 * m) - (m / 200) * cm * cm;  // (18), (24)
    const Q xB = zB - m * kB;                                                                  // (19), (25)
    std::string which;
    Q xr;
    if (zB > 100) {
      // c < 1/2: g is smallest at the last stage, z = 100.
      which = "last_stage";
      xr = x0 - (o.half_issue ? *c * m / 2 : Q(0));
    } else if (kB >= 0) {
      which = "vertex";
      xr = xB;
    } else {
      // The vertex lies before the first loans (k_B < 0): g is smallest at
      // k = 0, the first balance condition (2)-(4):
      // x^2 + (2cm - m) x - (a^2 + am + 2cmP) >= 0.
      which = "first_loans";
      xr = positive_root(2 * *c * m - m, -(s + 2 * *c * m * P));
    }
    j["c"] = decimal(*c);
    j["z_B"] = decimal(zB);
    j["k_B"] = decimal(kB);
    j["x_B"] = decimal(xB);
    j["x_required"] = decimal(xr);
    j["case"] = which;
    j["feasible"] = xr <= 100;
    j["half_issue"] = o.half_issue;
    text << "  c = N/n = " << decimal(*c)
         << (o.half_issue ? ", half of the founders funded at t (24)-(25)" : "") << "\n";
    text << "  z_B = 100 + m/2 - cm = " << decimal(zB) << "   (17)\n";
    text << "  k_B = " << decimal(kB) << "   (" << (o.half_issue ? "24" : "18") << ")\n";
    text << "  x_B = " << decimal(xB) << " %   (" << (o.half_issue ? "25" : "19") << ")"
         << (which == "vertex" ? "" : ": does not apply here") << "\n";
    text << "  x_required = " << (exact_in(xr, 6) ? "" : "about ") << decimal(xr)
         << " %: the smallest threshold for which (15)"
         << " holds at every stage; case: " << which
         << (which == "vertex"        ? " (the paper's formula)"
             : which == "first_loans" ? " (k_B < 0: the first loans bind, f(x) >= c, (3))"
                                      : " (c < 1/2: the last stage binds, x >= x0)")
         << "\n";
    if (xr > 100) text << "  no threshold up to 100 % keeps this cooperative solvent: too few newcomers\n";
  }
  if (n) {
    const Q N1 = (t1 - 1) * *n;  // (20)
    j["N1"] = decimal(N1);
    text << "  N1 = (t1 - 1) n = " << decimal(N1) << " members once the founders have left   (20)\n";
  }
  if (o.json_out)
    std::cout << j.dump(2) << "\n";
  else
    std::cout << text.str();
  return 0;
}

}  // namespace

void add_analyze_commands(CLI::App& app, Context& ctx) {
  auto* analyze_cmd = app.add_subcommand("analyze", "Analyse a cooperative's economics");
  analyze_cmd->require_subcommand(1);
  static Savings opts;
  auto* savings = analyze_cmd->add_subcommand(
      "savings",
      "The stability of a savings cooperative (source document 002): x0, k0, t1, z_B, k_B, x_B, x_required");
  savings->add_option("--a", opts.a, "initial contribution, percent of the price (e.g. 10)")->required();
  savings->add_option("--m", opts.m, "monthly payment, percent of the price (e.g. 2)")->required();
  savings->add_option("--c", opts.c, "founders per monthly newcomer, c = N/n (e.g. 10)");
  savings->add_option("--n", opts.n, "newcomers a month, for N1");
  savings->add_flag("--half-issue", opts.half_issue,
                    "half of the founders funded at t, the rest n a month after (23)-(25)");
  savings->add_flag("--json", opts.json_out, "print JSON");
  savings->callback([&ctx] { ctx.exit_code = analyze(opts); });
}

}  // namespace artel::cli
