// bench/fma_peak.c - the machine's f32 FMA rate, the floor the benches' ratios should be read
// against (a Zen 4 runs each 512-bit FMA as two halves: half the rate of a Zen 5 or a Xeon).
//
//   gcc -O3 -march=native -pthread bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak 2
//
// Each thread runs 12 independent chains of FMAs of the widest vectors -march=native allows
// (AVX-512: 16 lanes; else AVX2: 8), enough to cover the FMA latency of every x86 core with two FMA
// pipes, and the total rate is printed: lanes x 2 FLOPs per FMA.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define kLanes 16
#define splat _mm512_set1_ps
#define fma_ps _mm512_fmadd_ps
static float lane0(vec v) { return _mm512_reduce_add_ps(v); }
#elif defined(__FMA__)
typedef __m256 vec;
#define kLanes 8
#define splat _mm256_set1_ps
#define fma_ps _mm256_fmadd_ps
static float lane0(vec v) { return _mm256_cvtss_f32(v); }
#else
#error "fma_peak needs AVX2 with FMA or AVX-512 (compile with -march=native)"
#endif

enum { kChains = 12 };
static const long kIterations = 200000000;

static void *chains(void *result) {
  vec acc[kChains];
  const vec b = splat(1.0000001f), c = splat(1e-7f);
  for (int i = 0; i < kChains; ++i)
    acc[i] = splat((float)i);
  for (long k = 0; k < kIterations; ++k)
    for (int i = 0; i < kChains; ++i)
      acc[i] = fma_ps(acc[i], b, c);
  float sum = 0; // Read every chain, so that none is optimized away.
  for (int i = 0; i < kChains; ++i)
    sum += lane0(acc[i]);
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
  double flops = (double)threads * kIterations * kChains * kLanes * 2;
  printf("%.1f GFLOP/s on %d threads, %d-lane FMAs (checksum %g)\n", flops / seconds / 1e9,
         threads, kLanes, (double)results[0]);
  return 0;
}
