#include "diagnostics.h"

#include <ostream>

namespace artel {

namespace {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

// Returns the 1-based line `line` of `text` without its line break.
std::string_view line_of(std::string_view text, std::uint32_t line) {
  std::size_t start = 0;
  for (std::uint32_t l = 1; l < line; ++l) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  std::size_t end = text.find('\n', start);
  std::string_view s = text.substr(start, end == std::string_view::npos ? text.size() - start : end - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

// The prefix of `s` holding its first `cols` code points (UTF-8).
std::string prefix_code_points(std::string_view s, std::uint32_t cols) {
  std::string out;
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < s.size() && n < cols; ++n) {
    std::size_t len = 1;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    // Keep tabs so the caret lines up under a tab-indented line.
    out += (s[i] == '\t') ? '\t' : ' ';
    i += len;
  }
  return out;
}

}  // namespace

void Diagnostics::add(Severity s, const std::string& file, Loc loc, std::string message) {
  if (s == Severity::error) ++errors_;
  if (items_.size() >= max_stored) {
    ++dropped_;
    return;
  }
  items_.push_back({s, file, loc, std::move(message)});
}

void Diagnostics::error(const std::string& file, Loc loc, std::string message) {
  add(Severity::error, file, loc, std::move(message));
}
void Diagnostics::warning(const std::string& file, Loc loc, std::string message) {
  add(Severity::warning, file, loc, std::move(message));
}
void Diagnostics::note(const std::string& file, Loc loc, std::string message) {
  add(Severity::note, file, loc, std::move(message));
}

void Diagnostics::add_source(const SourceFile& file) {
  for (auto& s : sources_)
    if (s.path == file.path) return;
  sources_.push_back(file);
}

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.file;
  if (d.loc.line > 0) {
    out += ':' + std::to_string(d.loc.line) + ':' + std::to_string(d.loc.col);
  }
  out += ": ";
  out += severity_name(d.severity);
  out += ": ";
  out += d.message;
  return out;
}

void Diagnostics::print(std::ostream& out) const {
  for (; printed_ < items_.size(); ++printed_) {
    const Diagnostic& d = items_[printed_];
    out << format_diagnostic(d) << '\n';
    if (d.loc.line == 0) continue;
    for (const auto& s : sources_) {
      if (s.path != d.file) continue;
      std::string_view line = line_of(s.text, d.loc.line);
      // Very long lines (a 10 MB one-line file) are not worth echoing, nor
      // lines with control bytes (binary input): they would garble a terminal.
      if (line.size() > 400) break;
      bool printable = true;
      for (char ch : line) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) printable = false;
      }
      if (!printable) break;
      out << "  " << line << '\n';
      out << "  " << prefix_code_points(line, d.loc.col > 0 ? d.loc.col - 1 : 0) << "^\n";
      break;
    }
  }
  if (dropped_ > 0) out << "(" << dropped_ << " more diagnostics not shown)\n";
}

}  // namespace artel
