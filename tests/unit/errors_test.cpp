// The ledger's error table: every code has a unique name, an HTTP status the
// API documents, and docs/transactions.md lists exactly these codes with the
// same statuses.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "node/errors.h"

namespace artel::node {
namespace {

TEST(TxErrors, NamesAreUniqueAndRoundTrip) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < std::size(tx_codes); ++i) {
    const TxCodeInfo& c = tx_codes[i];
    EXPECT_EQ(static_cast<std::size_t>(c.code), i) << c.name;  // the table is indexed by the enum
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_EQ(tx_code_from_name(c.name), c.code);
    EXPECT_TRUE(c.http_status == 400 || c.http_status == 401 || c.http_status == 403 || c.http_status == 409 ||
                c.http_status == 422 || c.http_status == 503)
        << c.name << " " << c.http_status;
    EXPECT_FALSE(c.meaning.empty()) << c.name;
  }
  EXPECT_FALSE(tx_code_from_name("no_such_code"));
  EXPECT_EQ(http_status(TxCode::bad_signature), 401u);
  EXPECT_EQ(http_status(TxCode::busy), 503u);
}

TEST(TxErrors, TheDocumentedTableIsTheCodeTable) {
  std::ifstream in(std::string(ARTEL_SOURCE_DIR) + "/docs/transactions.md");
  ASSERT_TRUE(in) << "docs/transactions.md";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::regex row(R"(\n\| `([a-z_]+)` \| ([0-9]{3}) \|)");
  std::map<std::string, unsigned> documented;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator(); ++it)
    documented[(*it)[1]] = static_cast<unsigned>(std::stoul((*it)[2]));
  EXPECT_EQ(documented.size(), std::size(tx_codes));
  for (const auto& c : tx_codes) {
    auto d = documented.find(std::string(c.name));
    ASSERT_NE(d, documented.end()) << c.name << " is not in docs/transactions.md";
    EXPECT_EQ(d->second, c.http_status) << c.name;
  }
}

}  // namespace
}  // namespace artel::node
