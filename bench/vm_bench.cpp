// VM benchmarks over bytecode compiled by clang-19 -target bpf -mcpu=v3 -O2
// (sources and bytes in tests/vm/bench/). Every run is metered and every
// memory access bounds-checked, as on a ledger node. The `insn/s` counter is
// instructions executed per second.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "vm/conformance.h"
#include "vm/interpreter.h"
#include "vm/program.h"

namespace {

using namespace artel::vm;

VerifiedProgram load(const char* name) {
  const std::string path = std::string(ARTEL_VM_BENCH_DIR) + "/" + name + ".raw";
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto p = load_raw(bytes);
  if (!p) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), p.error().describe().c_str());
    std::abort();
  }
  auto v = verify(std::move(p.value()), ConformanceHost::table());
  if (!v) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), v.error().describe().c_str());
    std::abort();
  }
  return std::move(v.value());
}

void run(benchmark::State& state, const char* name, std::vector<uint8_t> input) {
  const VerifiedProgram program = load(name);
  ConformanceHost host;
  Vm vm;
  uint64_t total = 0;
  uint64_t r0 = 0;
  for (auto _ : state) {
    RunOptions options;
    options.budget = 10'000'000'000ULL;
    options.input = input;
    RunResult r = vm.run(program, host, options);
    if (!r.ok()) {
      state.SkipWithError(r.error->describe().c_str());
      return;
    }
    total += r.instructions;
    r0 = r.r0;
    benchmark::DoNotOptimize(r0);
  }
  state.counters["insn/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  state.counters["insn/run"] = static_cast<double>(total) / static_cast<double>(state.iterations());
}

std::vector<uint8_t> count_input(uint64_t n) {
  std::vector<uint8_t> b(8);
  std::memcpy(b.data(), &n, 8);
  return b;
}

void BM_SumSquares(benchmark::State& s) {
  run(s, "sum_squares", count_input(10'000'000));
}
void BM_Fnv1a_1MiB(benchmark::State& s) {
  std::vector<uint8_t> data(1 << 20);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
  run(s, "fnv1a", std::move(data));
}
void BM_LocalCall(benchmark::State& s) {
  run(s, "local_call", count_input(1'000'000));
}
void BM_HostCall(benchmark::State& s) {
  run(s, "host_call", count_input(1'000'000));
}

BENCHMARK(BM_SumSquares)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fnv1a_1MiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LocalCall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HostCall)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
