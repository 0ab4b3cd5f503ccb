// Compile time of each stage (parse, check, lower + optimise, codegen +
// module) for every shipped charter and for a generated 500-line charter.
//   build/release/bench/artel_bench_compile
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver.h"

namespace {

namespace fs = std::filesystem;
using namespace artel;

// A charter of about 500 lines: 28 articles, each with a parameter, a rule
// with a require, arithmetic and a split, and a clause.
std::string generated_charter() {
  std::ostringstream s;
  s << "charter \"Generated\" version 1\ncurrency RUB scale 2\nrounding down\n";
  for (int a = 1; a <= 28; ++a) {
    s << "article " << a << " en \"Article " << a << "\" ru \"Статья " << a << "\" {\n"
      << "  text en \"Legal text of article " << a << ".\"\n"
      << "  parameter rate_" << a << ": rate = 0." << a << "%\n"
      << "  parameter floor_" << a << ": money = " << a << ".00 RUB\n"
      << "  clause fee_" << a << "(x: money) -> money {\n"
      << "    return max(x * rate_" << a << ", floor_" << a << ")\n"
      << "  }\n"
      << "  rule act_" << a << "(recipient: member, amount: money) by member {\n"
      << "    require amount > 0.00 RUB else \"the amount must be positive\"\n"
      << "    let fee = fee_" << a << "(amount)\n"
      << "    require balance(share(caller)) >= amount + fee else \"not enough\"\n"
      << "    transfer amount from share(caller) to share(recipient)\n"
      << "    split fee from share(caller) {\n"
      << "      50% among c in cooperatives pro rata cooperative_account(c) to own(c)\n"
      << "      remainder to fund\n"
      << "    }\n"
      << "  }\n"
      << "}\n";
  }
  return s.str();
}

struct Source {
  std::string name;
  SourceFile file;
};

std::vector<Source> sources() {
  std::vector<Source> out;
  for (const auto& e : fs::directory_iterator(fs::path(ARTEL_SOURCE_DIR) / "charters")) {
    if (e.path().extension() != ".artel" || e.path().string().find(".ru.") != std::string::npos) continue;
    std::ifstream in(e.path());
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back({e.path().stem().string(), {e.path().string(), ss.str()}});
  }
  std::sort(out.begin(), out.end(), [](const Source& a, const Source& b) { return a.name < b.name; });
  std::string gen = generated_charter();
  out.push_back({"generated_" + std::to_string(std::count(gen.begin(), gen.end(), '\n')) + "_lines", {"generated.artel", gen}});
  return out;
}

void register_all() {
  static const std::vector<Source> all = sources();
  static compiler::DirectoryLibraryLoader libs(fs::path(ARTEL_SOURCE_DIR) / "stdlib");
  for (const Source& src : all) {
    benchmark::RegisterBenchmark(("parse/" + src.name).c_str(), [&src](benchmark::State& st) {
      for (auto _ : st) {
        Diagnostics d;
        benchmark::DoNotOptimize(syntax::parse(src.file, d));
      }
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("check/" + src.name).c_str(), [&src](benchmark::State& st) {
      Diagnostics d;
      auto parsed = syntax::parse(src.file, d);
      for (auto _ : st) benchmark::DoNotOptimize(typed::check(*parsed, libs, d));
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("lower/" + src.name).c_str(), [&src](benchmark::State& st) {
      Diagnostics d;
      auto parsed = syntax::parse(src.file, d);
      auto checked = typed::check(*parsed, libs, d);
      for (auto _ : st) benchmark::DoNotOptimize(lower::lower(*checked, src.file.path, d));
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("codegen/" + src.name).c_str(), [&src](benchmark::State& st) {
      Diagnostics d;
      auto parsed = syntax::parse(src.file, d);
      auto checked = typed::check(*parsed, libs, d);
      for (auto _ : st) {
        st.PauseTiming();
        auto lowered = lower::lower(*checked, src.file.path, d);
        st.ResumeTiming();
        auto object = lower::emit_object(*lowered, d);
        benchmark::DoNotOptimize(module::build(*checked, *object, src.file.path, d));
      }
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("all/" + src.name).c_str(), [&src](benchmark::State& st) {
      for (auto _ : st) {
        Diagnostics d;
        auto parsed = syntax::parse(src.file, d);
        auto checked = typed::check(*parsed, libs, d);
        benchmark::DoNotOptimize(compiler::compile(*checked, src.file.path, d));
      }
    })->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
