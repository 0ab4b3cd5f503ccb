// Tight arithmetic loop: sum of i*i for i < n, n read from input memory.
// The empty asm keeps LLVM from replacing the loop by its closed form.
typedef unsigned long long u64;

u64 entry(const u64* mem, u64 len) {
  if (len < 8) return 0;
  u64 n = mem[0];
  u64 sum = 0;
  for (u64 i = 0; i < n; i++) {
    asm volatile("" : "+r"(i));
    sum += i * i;
  }
  return sum;
}
