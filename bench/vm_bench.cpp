// VM benchmarks over bytecode compiled by clang-19 -target bpf -mcpu=v3 -O2
// (sources and bytes in tests/vm/bench/). Every run is metered and every
// memory access bounds-checked, as on a ledger node. The `insn/s` counter is
// instructions executed per second. Every run's r0 is checked against the
// C source computed natively.
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

// Runs `name` on `input` and checks every run's r0 against `expected`, the
// value the C source computes natively: a broken interpreter reports an
// error instead of a figure.
void run(benchmark::State& state, const char* name, std::vector<uint8_t> input, uint64_t expected) {
  const VerifiedProgram program = load(name);
  ConformanceHost host;
  Vm vm;
  uint64_t total = 0;
  for (auto _ : state) {
    RunOptions options;
    options.budget = 10'000'000'000ULL;
    options.input = input;
    RunResult r = vm.run(program, host, options);
    if (!r.ok()) {
      state.SkipWithError(r.error->describe().c_str());
      return;
    }
    if (r.r0 != expected) {
      const std::string why =
          std::string(name) + ": r0 is " + hex_u64(r.r0) + ", the C reference gives " + hex_u64(expected);
      state.SkipWithError(why.c_str());
      return;
    }
    total += r.instructions;
    benchmark::DoNotOptimize(r.r0);
  }
  state.counters["insn/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  state.counters["insn/run"] = static_cast<double>(total) / static_cast<double>(state.iterations());
}

std::vector<uint8_t> count_input(uint64_t n) {
  std::vector<uint8_t> b(8);
  std::memcpy(b.data(), &n, 8);
  return b;
}

// The C sources of tests/vm/bench/, natively.
uint64_t sum_squares(uint64_t n) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < n; i++) sum += i * i;
  return sum;
}
uint64_t fnv1a(const std::vector<uint8_t>& data) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint8_t b : data) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
  return h;
}
uint64_t local_call(uint64_t n) {
  uint64_t acc = 0;
  for (uint64_t i = 0; i < n; i++) acc = acc * 31 + i;
  return acc;
}
uint64_t host_call(uint64_t n) {  // host function 1 is add
  uint64_t acc = 0;
  for (uint64_t i = 0; i < n; i++) acc = acc + i;
  return acc;
}

void BM_SumSquares(benchmark::State& s) {
  constexpr uint64_t n = 10'000'000;
  run(s, "sum_squares", count_input(n), sum_squares(n));
}
void BM_Fnv1a_1MiB(benchmark::State& s) {
  std::vector<uint8_t> data(1 << 20);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
  const uint64_t expected = fnv1a(data);
  run(s, "fnv1a", std::move(data), expected);
}
void BM_LocalCall(benchmark::State& s) {
  constexpr uint64_t n = 1'000'000;
  run(s, "local_call", count_input(n), local_call(n));
}
void BM_HostCall(benchmark::State& s) {
  constexpr uint64_t n = 1'000'000;
  run(s, "host_call", count_input(n), host_call(n));
}

BENCHMARK(BM_SumSquares)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fnv1a_1MiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LocalCall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HostCall)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
