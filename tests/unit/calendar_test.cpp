// The ledger's calendar (node/calendar.h) against dates worked out by hand
// from a wall calendar: 2026-01-05 is a Monday, 2026 is not a leap year,
// 2028 is.
#include <gtest/gtest.h>

#include "node/calendar.h"

namespace artel::node {
namespace {

using vm::PeriodKind;

TEST(Calendar, ParsesDatesAndRefusesWhatIsNoDate) {
  EXPECT_EQ(Calendar::parse_date("1970-01-01"), 0);
  EXPECT_EQ(Calendar::parse_date("1970-01-05"), 4);
  // 56 years of 365 days and 14 leap days (1972..2024).
  EXPECT_EQ(Calendar::parse_date("2026-01-01"), 56 * 365 + 14);
  EXPECT_EQ(Calendar::parse_date("2028-02-29"), *Calendar::parse_date("2028-02-28") + 1);
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-5", "26-01-05", "2026/01/05", ""})
    EXPECT_FALSE(Calendar::parse_date(bad)) << bad;
}

TEST(Calendar, WeeksBeginOnMondaysFromAMondayGenesis) {
  const Calendar cal(*Calendar::parse_date("2026-01-05"));  // a Monday
  EXPECT_EQ(cal.date(0), "2026-01-05");
  EXPECT_EQ(cal.date(27), "2026-02-01");
  EXPECT_EQ(cal.index(PeriodKind::Week, 0), 0u);
  EXPECT_EQ(cal.index(PeriodKind::Week, 6), 0u);   // Sunday 01-11
  EXPECT_EQ(cal.index(PeriodKind::Week, 7), 1u);   // Monday 01-12
  EXPECT_EQ(cal.index(PeriodKind::Week, 364), 52u);
  EXPECT_EQ(cal.first_day(PeriodKind::Week, 1), 7u);
  EXPECT_EQ(cal.first_day(PeriodKind::Week, 52), 364u);
}

TEST(Calendar, AGenesisInMidWeekStartsThePeriodItIsIn) {
  const Calendar cal(*Calendar::parse_date("2026-12-03"));  // a Thursday
  EXPECT_EQ(cal.index(PeriodKind::Week, 3), 0u);   // Sunday 12-06
  EXPECT_EQ(cal.index(PeriodKind::Week, 4), 1u);   // Monday 12-07
  EXPECT_EQ(cal.first_day(PeriodKind::Week, 1), 4u);
  EXPECT_EQ(cal.first_day(PeriodKind::Week, 0), 0u);
  // December is month 0; January 2027 begins on day 29.
  EXPECT_EQ(cal.index(PeriodKind::Month, 28), 0u);
  EXPECT_EQ(cal.index(PeriodKind::Month, 29), 1u);
  EXPECT_EQ(cal.first_day(PeriodKind::Month, 1), 29u);
  EXPECT_EQ(cal.date(29), "2027-01-01");
}

TEST(Calendar, MonthsBeginOnTheFirstDayAcrossYearsAndLeapDays) {
  const Calendar cal(*Calendar::parse_date("2026-01-05"));
  EXPECT_EQ(cal.index(PeriodKind::Month, 26), 0u);  // 01-31
  EXPECT_EQ(cal.index(PeriodKind::Month, 27), 1u);  // 02-01
  EXPECT_EQ(cal.first_day(PeriodKind::Month, 1), 27u);
  EXPECT_EQ(cal.first_day(PeriodKind::Month, 2), 27u + 28);       // 03-01: February 2026 has 28 days
  EXPECT_EQ(cal.first_day(PeriodKind::Month, 12), 361u);          // 2027-01-01
  EXPECT_EQ(cal.date(cal.first_day(PeriodKind::Month, 26)), "2028-03-01");
  EXPECT_EQ(cal.first_day(PeriodKind::Month, 26) - cal.first_day(PeriodKind::Month, 25), 29u);  // February 2028
  // Every day belongs to the month whose first day is the latest not after it.
  for (std::uint64_t d = 0; d < 3 * 366; ++d) {
    const std::uint64_t m = cal.index(PeriodKind::Month, d);
    ASSERT_LE(cal.first_day(PeriodKind::Month, m), d);
    ASSERT_GT(cal.first_day(PeriodKind::Month, m + 1), d);
  }
}

}  // namespace
}  // namespace artel::node
