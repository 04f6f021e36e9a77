"""torch_cumsum.py — PyTorch's side of bench/cumsum: torch.cumsum along the last axis of a
[64, 4096] float32 tensor and, reversed (flip, cumsum, flip), along axis 0 of a [4096, 64] one; the
median of 7 rounds of 200 calls after 20 warm-up calls, in microseconds per call.

    /usr/bin/python3 bench/cumsum/torch_cumsum.py [THREADS]     # 1 by default
"""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)


def median_us(fn):
    for _ in range(20):
        fn()
    rounds = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(200):
            fn()
        rounds.append((time.perf_counter() - start) / 200)
    rounds.sort()
    return rounds[3] * 1e6, rounds[0] * 1e6


rows, columns = torch.randn(64, 4096), torch.randn(4096, 64)
for name, fn in (("rows [64, 4096], axis -1", lambda: torch.cumsum(rows, -1)),
                 ("columns [4096, 64], axis 0 reversed",
                  lambda: torch.cumsum(columns.flip(0), 0).flip(0))):
    median, best = median_us(fn)
    print("torch.cumsum %s, %d thread(s): median %.1f us, best %.1f us"
          % (name, torch.get_num_threads(), median, best))
