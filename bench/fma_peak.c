// bench/fma_peak.c - the machine's f32 FMA rate, the floor the benches' ratios should be read
// against (a Zen 4 runs each 512-bit FMA as two halves: half the rate of a Zen 5 or a Xeon).
//
//   gcc -O3 -march=native -pthread bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak 2
//
// Each thread runs 12 independent chains of AVX-512 FMAs (enough to cover the FMA latency of
// every x86 core with two FMA pipes) and the total rate is printed: 16 lanes x 2 FLOPs per FMA.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { kChains = 12 };
static const long kIterations = 200000000;

static void *chains(void *result) {
  __m512 acc[kChains];
  const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_ps((float)i);
  for (long k = 0; k < kIterations; ++k)
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], b, c);
  float sum = 0; // Read every chain, so that none is optimized away.
  for (int i = 0; i < kChains; ++i)
    sum += _mm512_reduce_add_ps(acc[i]);
  *(float *)result = sum;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "usage: fma_peak [THREADS]\n");
    return 2;
  }
  pthread_t ids[256];
  float results[256];
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int t = 0; t < threads; ++t)
    pthread_create(&ids[t], NULL, chains, &results[t]);
  for (int t = 0; t < threads; ++t)
    pthread_join(ids[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &end);
  double seconds = (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
  double flops = (double)threads * kIterations * kChains * 16 * 2;
  printf("%.1f GFLOP/s on %d threads (checksum %g)\n", flops / seconds / 1e9, threads,
         (double)results[0]);
  return 0;
}
