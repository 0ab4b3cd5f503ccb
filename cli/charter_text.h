// Charters as text for a terminal: the document a member reads (articles,
// parameters in force, who may do what) and the changes between versions,
// both from the JSON that node/charter_json.h makes (the node's answer or
// the CLI's own), so `artel charter`, `artel diff` and the explorer agree.
#pragma once

#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

namespace artel::cli {

// `doc` as charter_document_json makes it; `lang` "en" or "ru" picks
// titles, texts and the words for rights (falling back to any language).
void print_charter_document(const nlohmann::json& doc, const std::string& lang, std::ostream& out);
// The charter as a document for the general meeting (`artel doc`): the
// header, the parameters in force, every article with its text and who may
// do what in words, as Markdown or as one self-contained HTML page.
std::string charter_markdown(const nlohmann::json& doc, const std::string& lang);
std::string charter_html(const nlohmann::json& doc, const std::string& lang);
// `diff` as charter_diff_json makes it; "no changes" when it is empty.
void print_charter_diff(const nlohmann::json& diff, std::ostream& out);

}  // namespace artel::cli
