#include "errors.h"

namespace artel::node {

std::optional<TxCode> tx_code_from_name(std::string_view name) {
  for (const auto& c : tx_codes)
    if (c.name == name) return c.code;
  return std::nullopt;
}

}  // namespace artel::node
