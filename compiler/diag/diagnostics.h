// Diagnostics: errors and warnings with a source location, accumulated so a
// charter's every error is reported in one run, printed gcc-style:
//   path:line:col: error: message
//     <the source line>
//         ^
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace artel {

// A place in a source file. Lines and columns count from 1; columns count
// Unicode code points, so a caret lines up under Cyrillic text too.
struct Loc {
  std::uint32_t line = 0;
  std::uint32_t col = 0;
  friend bool operator==(const Loc&, const Loc&) = default;
};

enum class Severity : std::uint8_t { error, warning, note };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string file;
  Loc loc;
  std::string message;
};

// The text of one source file, kept so diagnostics can show the line.
struct SourceFile {
  std::string path;
  std::string text;
};

class Diagnostics {
 public:
  void error(const std::string& file, Loc loc, std::string message);
  void warning(const std::string& file, Loc loc, std::string message);
  void note(const std::string& file, Loc loc, std::string message);

  [[nodiscard]] bool has_errors() const { return errors_ > 0; }
  [[nodiscard]] std::size_t error_count() const { return errors_; }
  [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }

  // Registers a file's text so print() can show the offending line.
  void add_source(const SourceFile& file);

  // Prints the diagnostics not printed before, in the order reported, with
  // a caret line when the file's text is known: a driver may print after
  // each stage without repeating the earlier stages' warnings.
  void print(std::ostream& out) const;

  // Too many errors in one file are noise: past this many, further errors
  // are counted but not stored.
  static constexpr std::size_t max_stored = 200;

 private:
  void add(Severity s, const std::string& file, Loc loc, std::string message);
  std::vector<Diagnostic> items_;
  std::vector<SourceFile> sources_;
  std::size_t errors_ = 0;
  mutable std::size_t printed_ = 0;
  std::size_t dropped_ = 0;
};

// Renders one diagnostic the way print() does, without the caret line.
std::string format_diagnostic(const Diagnostic& d);

}  // namespace artel
