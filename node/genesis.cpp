#include "genesis.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

namespace artel::node {

using json = nlohmann::json;

namespace {
constexpr std::string_view kFormat = "artel-genesis-1";

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return false;
  const int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
}  // namespace

std::string Genesis::document() const {
  json keys = json::array();
  for (const auto& k : council) keys.push_back(to_hex(k));
  json j{{"format", kFormat},
         {"platform", platform},
         {"operator_council", {{"keys", keys}, {"threshold", threshold}}},
         {"clock_key", to_hex(clock_key)},
         {"created", created},
         {"salt", to_hex(salt)}};
  return j.dump() + "\n";  // nlohmann's objects are sorted by key: one canonical text
}

std::optional<Genesis> Genesis::parse(std::string_view text, std::string& error) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "the genesis document is not a JSON object";
    return std::nullopt;
  }
  auto str = [&](const char* name) -> std::optional<std::string> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) {
      error = std::string("the genesis document has no text field \"") + name + "\"";
      return std::nullopt;
    }
    return it->get<std::string>();
  };
  Genesis g;
  auto format = str("format");
  if (!format) return std::nullopt;
  if (*format != kFormat) {
    error = "genesis format \"" + *format + "\" is not " + std::string(kFormat);
    return std::nullopt;
  }
  auto platform = str("platform"), clock = str("clock_key"), created = str("created"), salt = str("salt");
  if (!platform || !clock || !created || !salt) return std::nullopt;
  g.platform = *platform;
  g.created = *created;
  if (!valid_date(g.created)) {
    error = "genesis \"created\" must be a date YYYY-MM-DD, not \"" + g.created + "\"";
    return std::nullopt;
  }
  auto ck = public_key_from_hex(*clock);
  auto sh = hash_from_hex(*salt);
  if (!ck || !sh) {
    error = "genesis \"clock_key\" and \"salt\" must be 64 hex digits";
    return std::nullopt;
  }
  g.clock_key = *ck;
  g.salt = *sh;
  auto council = j.find("operator_council");
  if (council == j.end() || !council->is_object() || !council->contains("keys") ||
      !(*council)["keys"].is_array() || !council->contains("threshold") ||
      !(*council)["threshold"].is_number_unsigned()) {
    error = "genesis \"operator_council\" must be {\"keys\": [HEX, ...], \"threshold\": N}";
    return std::nullopt;
  }
  for (const auto& k : (*council)["keys"]) {
    auto pk = k.is_string() ? public_key_from_hex(k.get<std::string>()) : std::nullopt;
    if (!pk) {
      error = "genesis operator council key " + k.dump() + " is not 64 hex digits";
      return std::nullopt;
    }
    g.council.push_back(*pk);
  }
  g.threshold = (*council)["threshold"].get<unsigned>();
  if (g.council.empty() || g.council.size() > 64 || g.threshold < 1 || g.threshold > g.council.size()) {
    error = "the operator council needs 1 to 64 keys and a threshold from 1 to the number of keys (it has " +
            std::to_string(g.council.size()) + " keys, threshold " + std::to_string(g.threshold) + ")";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < g.council.size(); ++i)
    for (std::size_t k = 0; k < i; ++k)
      if (g.council[i] == g.council[k]) {
        error = "genesis operator council key " + to_hex(g.council[i]) + " is listed twice";
        return std::nullopt;
      }
  for (const auto& k : g.council)
    if (k == g.clock_key) {
      error = "the clock key must not be an operator council key: it can do nothing but advance the clock";
      return std::nullopt;
    }
  return g;
}

Genesis Genesis::make(std::string platform, std::vector<PublicKey> council, PublicKey clock_key,
                      std::string created, unsigned threshold) {
  Genesis g;
  g.threshold = threshold;
  g.platform = std::move(platform);
  g.council = std::move(council);
  g.clock_key = clock_key;
  g.created = std::move(created);
  randombytes_buf(g.salt.data(), g.salt.size());
  return g;
}

Hash ledger_id(std::string_view document) {
  return blake2b256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(document.data()),
                                                  document.size()));
}

}  // namespace artel::node
