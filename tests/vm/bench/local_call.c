// A loop with one bpf-to-bpf call per iteration; n read from input memory.
typedef unsigned long long u64;

static u64 step(u64 acc, u64 i);

u64 entry(const u64* mem, u64 len) {
  if (len < 8) return 0;
  u64 n = mem[0];
  u64 acc = 0;
  for (u64 i = 0; i < n; i++) acc = step(acc, i);
  return acc;
}

__attribute__((noinline)) static u64 step(u64 acc, u64 i) {
  asm volatile("" : "+r"(acc));
  return acc * 31 + i;
}
