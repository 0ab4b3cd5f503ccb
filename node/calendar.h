// The ledger's calendar (docs/ledger.md, "Time"): the clock is a day, counted
// from the genesis document's date (day 0), moved only by the clock key's
// signed transactions. Each charter counts its own periods on that clock:
// weeks begin on Mondays, months on the first day; period 0 is the one
// holding day 0. The civil arithmetic is std::chrono's (proleptic Gregorian,
// UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vm/module.h"

namespace artel::node {

class Calendar {
 public:
  // `genesis_day`: days since 1970-01-01 of the genesis date.
  explicit Calendar(std::int64_t genesis_day = 0) : genesis_(genesis_day) {}

  // "YYYY-MM-DD" -> days since 1970-01-01; nullopt unless a valid date.
  static std::optional<std::int64_t> parse_date(std::string_view text);

  std::int64_t genesis_day() const { return genesis_; }
  // The date of ledger day `day`, as YYYY-MM-DD.
  std::string date(std::uint64_t day) const;
  // The period of kind `k` that holds ledger day `day` (0: the one holding day 0).
  std::uint64_t index(vm::PeriodKind k, std::uint64_t day) const;
  // The ledger day on which period `index` of kind `k` begins (0 for period 0).
  std::uint64_t first_day(vm::PeriodKind k, std::uint64_t index) const;

 private:
  std::int64_t absolute(vm::PeriodKind k, std::int64_t abs_day) const;
  std::int64_t genesis_;
};

}  // namespace artel::node
