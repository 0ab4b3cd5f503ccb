// A charter module's metadata as JSON: the document members read (articles,
// parameters, who may call each rule in words) and the changes between two
// versions. Shared by the node's API (/v1/charter) and `artel charter` /
// `artel diff`, so both say the same.
#pragma once

#include <nlohmann/json.hpp>

#include "vm/charter_doc.h"
#include "vm/module.h"

namespace artel::node {

// {header, parameters, articles: [{number, titles, texts, rules}], rules
// (those citing no article of the module), events}; each rule {name, kind,
// params, rights: {en, ru}}.
nlohmann::json charter_document_json(const vm::Module& m);
// {header, parameters, rules, articles}: each change with "change" (added,
// removed, changed) and what it was and became.
nlohmann::json charter_diff_json(const vm::CharterDiff& d);

}  // namespace artel::node
