// `artel check` and `artel build`.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "charter_build.h"
#include "charter_text.h"
#include "commands.h"
#include "compiler/driver.h"
#include "compiler/lower/lower.h"
#include "compiler/module/disasm.h"
#include "compiler/syntax/format.h"
#include "file_io.h"
#include "node/charter_json.h"
#include "vm/charter_doc.h"

namespace artel::cli {

namespace {

std::string summary(const typed::Charter& c) {
  int rules = 0, periodic = 0, clauses = 0;
  for (const auto& f : c.functions) {
    if (f.kind == typed::FunctionKind::rule) ++rules;
    else if (f.kind == typed::FunctionKind::periodic) ++periodic;
    else ++clauses;
  }
  std::string s = "charter \"" + c.name + "\" version " + std::to_string(c.version) + ": " +
                  std::to_string(c.articles.size()) + " articles, " + std::to_string(c.params.size()) +
                  " parameters, " + std::to_string(rules) + " rules, " + std::to_string(periodic) +
                  " periodic clauses, " + std::to_string(clauses) + " clauses";
  if (!c.params.empty()) {
    s += "\n  parameters:";
    for (const auto& p : c.params) s += " " + p.name + " = " + p.display + ";";
    s.pop_back();
  }
  if (rules > 0) {
    s += "\n  rules:";
    for (const auto& f : c.functions)
      if (f.kind == typed::FunctionKind::rule) s += " " + f.name + ",";
    s.pop_back();
  }
  return s;
}

struct BuildOptions {
  std::string input;
  std::string output;
  std::string emit = "module";
  std::string stdlib;
};

// A charter version as a module: a `.acm` file parsed, anything else
// compiled as a source; nullopt after printing why.
std::optional<vm::Module> load_module(const std::string& path) {
  if (!path.ends_with(".acm")) {
    auto c = compile_charter_file(path, std::cerr);
    if (!c) return std::nullopt;
    return std::move(c->built.module);
  }
  std::string why;
  auto bytes = read_binary_file(path, why);
  if (!bytes) {
    std::cerr << path << ": error: " << why << "\n";
    return std::nullopt;
  }
  auto m = vm::parse(*bytes);
  if (!m.ok()) {
    std::cerr << path << ": error: not a charter module: " << m.error().describe() << "\n";
    return std::nullopt;
  }
  return std::move(m.value());
}

}  // namespace

void add_compiler_commands(CLI::App& app, Context& ctx) {
  static std::vector<std::string> check_files;
  static std::string check_stdlib;
  auto* check = app.add_subcommand("check", "Check charters for errors and print a summary of each");
  check->add_option("files", check_files, "Charter files")->required();
  check->add_option("--stdlib", check_stdlib, "Folder of the standard library");
  static bool check_cost = false;
  check->add_flag("--cost", check_cost,
                  "Also print each rule's and periodic clause's bound in steps as a function of the ledger's "
                  "collection sizes (members, state tables)");
  check->callback([&ctx] {
    compiler::DirectoryLibraryLoader libs(check_stdlib.empty() ? compiler::default_stdlib_dir()
                                                               : std::filesystem::path(check_stdlib));
    bool all_ok = true;
    for (const auto& path : check_files) {
      Diagnostics diags;
      auto fe = compiler::run_frontend(path, libs, diags);
      diags.print(std::cerr);
      if (fe.typed && !diags.has_errors()) {
        std::cout << path << ": ok: " << summary(*fe.typed) << "\n";
        if (check_cost)
          for (const auto& line : typed::cost_report(*fe.typed))
            std::cout << "  cost: " << line.who << (line.article.empty() ? "" : " (article " + line.article + ")")
                      << ": ≈ " << line.bound << " steps" << (line.per_account ? " per account" : "") << "\n";
      } else {
        all_ok = false;
        std::cerr << path << ": " << diags.error_count() << " error(s)\n";
      }
    }
    ctx.exit_code = all_ok ? 0 : 1;
  });

  static std::string disasm_file;
  auto* d = app.add_subcommand("disasm", "Print a charter module: header, entry points, parameters, articles, code");
  d->add_option("module", disasm_file, "Charter module (.acm)")->required();
  d->callback([&ctx] {
    std::string error;
    auto bytes = read_binary_file(disasm_file, error);
    if (!bytes) {
      std::cerr << "error: " << error << "\n";
      ctx.exit_code = 1;
      return;
    }
    auto text = module::disassemble(*bytes);
    if (!text.ok) {
      std::cerr << disasm_file << ": error: " << text.text << "\n";
      ctx.exit_code = 1;
      return;
    }
    std::cout << text.text;
  });

  static BuildOptions build;
  auto* b = app.add_subcommand("build", "Compile a charter; --emit stops after a stage");
  b->add_option("file", build.input, "Charter file")->required();
  b->add_option("-o,--output", build.output, "Output file (default: standard output for text stages)");
  b->add_option("--emit", build.emit, "Stage to stop after: ast, typed, llvm, asm or module")
      ->check(CLI::IsMember({"ast", "typed", "llvm", "asm", "module"}));
  b->add_option("--stdlib", build.stdlib, "Folder of the standard library");
  b->callback([&ctx] {
    compiler::DirectoryLibraryLoader libs(build.stdlib.empty() ? compiler::default_stdlib_dir()
                                                               : std::filesystem::path(build.stdlib));
    Diagnostics diags;
    auto fe = compiler::run_frontend(build.input, libs, diags, build.emit == "ast");
    diags.print(std::cerr);
    if (diags.has_errors() || !fe.syntax) {
      ctx.exit_code = 1;
      return;
    }
    std::string text;
    if (build.emit == "ast") {
      text = syntax::dump(*fe.syntax);
    } else if (build.emit == "typed") {
      text = typed::dump(*fe.typed);
    } else if (build.emit == "llvm" || build.emit == "asm") {
      std::optional<lower::Lowered> lowered;
      compiler::with_large_stack([&] { lowered = lower::lower(*fe.typed, build.input, diags); });
      std::optional<std::string> out;
      if (lowered) out = build.emit == "llvm" ? std::optional(lower::ir_text(*lowered)) : lower::asm_text(*lowered, diags);
      diags.print(std::cerr);
      if (!out) {
        ctx.exit_code = 1;
        return;
      }
      text = *out;
    } else {
      std::optional<module::Built> built;
      compiler::with_large_stack([&] { built = compiler::compile(*fe.typed, build.input, diags); });
      diags.print(std::cerr);
      if (!built) {
        ctx.exit_code = 1;
        return;
      }
      std::string out_path = build.output;
      if (out_path.empty()) {
        std::filesystem::path p(build.input);
        out_path = p.replace_extension(".acm").string();
      }
      // Write beside, then rename: a reader never sees half a module.
      const std::string tmp = out_path + ".tmp";
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(built->bytes.data()), static_cast<std::streamsize>(built->bytes.size()));
        if (!out) {
          std::cerr << out_path << ": error: cannot write the module\n";
          ctx.exit_code = 1;
          return;
        }
      }
      std::error_code ec;
      std::filesystem::rename(tmp, out_path, ec);
      if (ec) {
        std::cerr << out_path << ": error: cannot write the module: " << ec.message() << "\n";
        ctx.exit_code = 1;
        return;
      }
      std::cout << "module " << vm::to_hex(built->id) << " " << out_path << " (" << built->bytes.size()
                << " bytes, " << built->module.code.size() << " instructions)\n";
      return;
    }
    if (build.output.empty()) {
      std::cout << text;
    } else {
      std::ofstream out(build.output, std::ios::binary);
      out << text;
      if (!out) {
        std::cerr << build.output << ": error: cannot write the output\n";
        ctx.exit_code = 1;
      }
    }
  });

  // A member's proof that a module comes from a charter's text: rebuild it
  // here and compare module ids (the hash of every byte).
  static std::string verify_charter, verify_module, verify_stdlib;
  auto* v =
      app.add_subcommand("verify", "Rebuild a charter and say whether a module is exactly its bytecode");
  v->add_option("charter", verify_charter, "Charter file (.artel)")->required();
  v->add_option("module", verify_module, "Charter module (.acm)")->required();
  v->add_option("--stdlib", verify_stdlib, "Folder of the standard library");
  v->callback([&ctx] {
    ctx.exit_code = 1;
    std::string why;
    auto read = read_binary_file(verify_module, why);
    if (!read) {
      std::cerr << verify_module << ": error: " << why << "\n";
      return;
    }
    const std::vector<std::uint8_t>& bytes = *read;
    auto parsed = vm::parse(bytes);
    if (!parsed.ok()) {
      std::cerr << verify_module << ": error: not a charter module: " << parsed.error().describe() << "\n";
      return;
    }
    compiler::DirectoryLibraryLoader libs(verify_stdlib.empty() ? compiler::default_stdlib_dir()
                                                                : std::filesystem::path(verify_stdlib));
    Diagnostics diags;
    auto fe = compiler::run_frontend(verify_charter, libs, diags);
    std::optional<module::Built> built;
    if (fe.typed && !diags.has_errors())
      compiler::with_large_stack([&] { built = compiler::compile(*fe.typed, verify_charter, diags); });
    diags.print(std::cerr);
    if (!built) {
      std::cerr << verify_charter << ": error: the charter does not compile, so nothing can be verified\n";
      return;
    }
    const vm::Module& theirs = parsed.value();
    const auto id = vm::module_id(bytes);
    if (id == built->id) {
      std::cout << "verified: " << verify_module << " is exactly the bytecode of " << verify_charter << "\n"
                << "  module id    " << vm::to_hex(id) << "\n"
                << "  source hash  " << vm::to_hex(theirs.source_hash) << "\n"
                << "  compiler     " << theirs.compiler_version << "\n";
      ctx.exit_code = 0;
      return;
    }
    std::cout << "NOT verified: " << verify_module << " is not the bytecode of " << verify_charter << "\n"
              << "  module id    " << vm::to_hex(id) << " in the file, " << vm::to_hex(built->id)
              << " rebuilt\n";
    if (theirs.source_hash != built->module.source_hash) {
      std::cout << "  source hash  " << vm::to_hex(theirs.source_hash) << " in the file, "
                << vm::to_hex(built->module.source_hash) << " rebuilt: the charter's meaning differs\n";
    } else {
      std::cout << "  source hash  the same (" << vm::to_hex(theirs.source_hash)
                << "): the same charter, compiled differently\n"
                << "  compiler     " << theirs.compiler_version << " in the file, "
                << built->module.compiler_version << " here\n";
    }
  });

  // What changed between two versions of a charter, from the modules'
  // metadata (a source is compiled first): the same comparison the node
  // makes for the explorer's version history.
  static std::string diff_old, diff_new;
  static bool diff_json = false;
  auto* df = app.add_subcommand(
      "diff", "What changed between two charter versions (.artel or .acm): parameters, rules, rights, texts");
  df->add_option("old", diff_old, "the earlier version (.artel source or .acm module)")->required();
  df->add_option("new", diff_new, "the later version")->required();
  df->add_flag("--json", diff_json, "print the changes as JSON");
  df->callback([&ctx] {
    auto older = load_module(diff_old);
    auto newer = older ? load_module(diff_new) : std::nullopt;
    if (!older || !newer) {
      ctx.exit_code = 1;
      return;
    }
    const nlohmann::json changes = node::charter_diff_json(vm::diff_modules(*older, *newer));
    if (diff_json)
      std::cout << changes.dump(2) << "\n";
    else
      print_charter_diff(changes, std::cout);
  });

  // The charter as a document for the general meeting.
  static std::string doc_charter, doc_format = "markdown", doc_lang = "en", doc_out;
  auto* dc = app.add_subcommand(
      "doc", "The charter as a document for the general meeting: articles, parameters in force, who may do what");
  dc->add_option("charter", doc_charter, "Charter file (.artel) or module (.acm)")->required();
  dc->add_option("--format", doc_format, "markdown or html")
      ->check(CLI::IsMember({"markdown", "html"}))
      ->capture_default_str();
  dc->add_option("--lang", doc_lang, "language of titles, texts and rights: en or ru")->capture_default_str();
  dc->add_option("-o,--out", doc_out, "write it here instead of to the standard output");
  dc->callback([&ctx] {
    auto m = load_module(doc_charter);
    if (!m) {
      ctx.exit_code = 1;
      return;
    }
    const nlohmann::json document = node::charter_document_json(*m);
    const std::string text = doc_format == "html" ? charter_html(document, doc_lang) : charter_markdown(document, doc_lang);
    if (doc_out.empty()) {
      std::cout << text;
      return;
    }
    std::ofstream out(doc_out, std::ios::binary);
    out << text;
    if (!out) {
      std::cerr << "artel: cannot write " << doc_out << "\n";
      ctx.exit_code = 1;
    }
  });

  // One canonical layout: in place, or --check for CI.
  static std::vector<std::string> fmt_paths;
  static bool fmt_check = false, fmt_stdout = false;
  auto* fm = app.add_subcommand("fmt", "Lay charters out canonically, keeping every token and comment (docs/tools.md)");
  fm->add_option("paths", fmt_paths, "Charter files, or folders of .artel files")->required();
  fm->add_flag("--check", fmt_check, "Change nothing; list the files not laid out canonically and exit 1 if any");
  fm->add_flag("--stdout", fmt_stdout, "Print the formatted text instead of rewriting the file");
  fm->callback([&ctx] {
    std::vector<std::string> files;
    for (const auto& p : fmt_paths) {
      std::error_code ec;
      if (std::filesystem::is_directory(p, ec)) {
        std::vector<std::string> found;
        for (const auto& e : std::filesystem::recursive_directory_iterator(p, ec))
          if (e.is_regular_file() && e.path().extension() == ".artel") found.push_back(e.path().string());
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
      } else {
        files.push_back(p);
      }
    }
    std::size_t unformatted = 0;
    for (const auto& path : files) {
      std::string why;
      auto text = read_text_file(path, why);
      if (!text) {
        std::cerr << path << ": error: " << why << "\n";
        ctx.exit_code = 1;
        continue;
      }
      // Only a charter that parses is laid out: its syntax errors come first.
      Diagnostics diags;
      if (!syntax::parse(SourceFile{path, *text}, diags)) {
        diags.print(std::cerr);
        std::cerr << path << ": error: not formatted: fix the syntax first\n";
        ctx.exit_code = 1;
        continue;
      }
      auto formatted = syntax::format_source(*text, why);
      if (!formatted) {
        std::cerr << path << ": error: " << why << "\n";
        ctx.exit_code = 1;
        continue;
      }
      if (fmt_stdout) {
        std::cout << *formatted;
        continue;
      }
      if (*formatted == *text) continue;
      ++unformatted;
      if (fmt_check) {
        std::cout << path << ": not laid out canonically (artel fmt " << path << ")\n";
        continue;
      }
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << *formatted;
      if (!out) {
        std::cerr << path << ": error: cannot write the file\n";
        ctx.exit_code = 1;
        continue;
      }
      std::cout << "formatted " << path << "\n";
    }
    if (fmt_check && unformatted > 0) ctx.exit_code = 1;
  });
}

}  // namespace artel::cli
