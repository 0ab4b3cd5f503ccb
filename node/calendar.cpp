#include "calendar.h"

#include <chrono>
#include <cstdio>

namespace artel::node {

namespace {

using namespace std::chrono;

// Floor division for negative numerators too.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

year_month_day civil(std::int64_t abs_day) { return year_month_day{sys_days{days{abs_day}}}; }

}  // namespace

std::optional<std::int64_t> Calendar::parse_date(std::string_view text) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i = 0; i < 10; ++i)
    if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
  y = std::stoi(std::string(text.substr(0, 4)));
  m = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  d = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
  const year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd}.time_since_epoch().count();
}

std::string Calendar::date(std::uint64_t ledger_day) const {
  const year_month_day ymd = civil(genesis_ + static_cast<std::int64_t>(ledger_day));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

// Weeks: 1970-01-05, day 4, was a Monday. Months: year * 12 + month - 1.
std::int64_t Calendar::absolute(vm::PeriodKind k, std::int64_t abs_day) const {
  if (k == vm::PeriodKind::Month) {
    const year_month_day ymd = civil(abs_day);
    return static_cast<int>(ymd.year()) * 12LL + static_cast<unsigned>(ymd.month()) - 1;
  }
  return floor_div(abs_day - 4, 7);
}

std::uint64_t Calendar::index(vm::PeriodKind k, std::uint64_t ledger_day) const {
  return static_cast<std::uint64_t>(absolute(k, genesis_ + static_cast<std::int64_t>(ledger_day)) - absolute(k, genesis_));
}

std::uint64_t Calendar::first_day(vm::PeriodKind k, std::uint64_t idx) const {
  if (idx == 0) return 0;
  const std::int64_t p = absolute(k, genesis_) + static_cast<std::int64_t>(idx);
  std::int64_t abs_day = 0;
  if (k == vm::PeriodKind::Month) {
    const year_month_day first{year{static_cast<int>(floor_div(p, 12))}, month{static_cast<unsigned>(p - floor_div(p, 12) * 12 + 1)},
                               day{1}};
    abs_day = sys_days{first}.time_since_epoch().count();
  } else {
    abs_day = p * 7 + 4;
  }
  return static_cast<std::uint64_t>(abs_day - genesis_);
}

}  // namespace artel::node
