#!/usr/bin/python3
"""PyTorch's side of the DCGAN conv_transpose2d comparison: F.conv_transpose2d on x [64, 128, 7, 7]
and W [128, 64, 4, 4] (stride 2, padding 1, giving [64, 64, 14, 14]) and its two gradients (the
weight's as autograd's forward and weight gradient less the forward), best of
`iterations` runs after a warm-up, with `threads` threads (torch.set_num_threads), printed in the
format of ConvKernelBench's deconv lines (test/unit/codegen/ConvKernelBench.cpp), which time dlc's
kernels on the same shapes:

  HL_NUM_THREADS=1 build/bin/ConvKernelBench 20 deconv
  /usr/bin/python3 bench/conv/conv_transpose_torch.py 20 1
"""
import sys
import time

import torch
import torch.nn.functional as F

iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 20
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
n, c, h, o = 64, 128, 7, 64
x = torch.rand(n, c, h, h)
w = torch.rand(c, o, 4, 4)
gy = torch.rand(n, o, 2 * h, 2 * h)
flops = 2.0 * n * c * h * h * o * 16


def best(f):
    f()
    times = []
    for _ in range(iterations):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


name = "deconv [64,128,7,7]->[64,64,14,14]"
cases = [
    ("torch conv_transpose2d", lambda: F.conv_transpose2d(x, w, stride=2, padding=1)),
    ("torch its x gradient (conv2d)", lambda: F.conv2d(gy, w, stride=2, padding=1)),
]
wg = w.clone().requires_grad_(True)


def forward_and_weight_gradient():
    y = F.conv_transpose2d(x, wg, stride=2, padding=1)
    return torch.autograd.grad(y, wg, gy)



print("torch %s, %d threads" % (torch.__version__, torch.get_num_threads()))
times = {}
for label, f in cases:
    s = times[label] = best(f)
    print("%-44s %9.3f ms %8.1f GFLOP/s" % (name + " " + label, s * 1e3, flops / s * 1e-9))
# The weight gradient alone: forward and weight gradient, less the forward.
s = best(forward_and_weight_gradient) - times["torch conv_transpose2d"]
print("%-44s %9.3f ms %8.1f GFLOP/s" % (name + " torch its W gradient", s * 1e3, flops / s * 1e-9))
