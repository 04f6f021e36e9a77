"""torch_topk.py — PyTorch's side of bench/topk: torch.topk(x, 5) of a [128, 1000] float32 tensor,
the median of 7 rounds of 1000 calls after 50 warm-up calls, in microseconds per call.

    /usr/bin/python3 bench/topk/torch_topk.py [THREADS]     # 1 by default
"""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
x = torch.randn(128, 1000)
for _ in range(50):
    torch.topk(x, 5)
rounds = []
for _ in range(7):
    start = time.perf_counter()
    for _ in range(1000):
        torch.topk(x, 5)
    rounds.append((time.perf_counter() - start) / 1000)
rounds.sort()
print("torch.topk [128, 1000], k = 5, %d thread(s): median %.1f us, best %.1f us"
      % (torch.get_num_threads(), rounds[3] * 1e6, rounds[0] * 1e6))
