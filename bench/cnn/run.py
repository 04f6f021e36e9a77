#!/usr/bin/python3
"""bench/cnn/run.py — the Fashion-MNIST CNN trained by dlc and by PyTorch, side by side in one run.

For examples/fashion_cnn.dl (Conv2d(1,32,3,padding=1) → ReLU → MaxPool2d(2) → Conv2d(32,64,3,
padding=1) → ReLU → MaxPool2d(2) → Flatten → Dense(3136,128,relu) → Dense(128,10), cross-entropy,
Adam) and examples/fashion_cnn_bn.dl (bias-free convolutions, each followed by batch norm), both
compiled with -D B=64 (the examples train in batches of 32), it
  - times `dlc MODEL.dl -o MODEL.so` (the median of --compiles runs),
  - times the train step with `dl-run bench MODEL.so --threads T` and the same step in PyTorch
    (torch.set_num_threads(T); zero_grad, forward, cross_entropy, backward, Adam step), each the
    median over --steps steps after --warmup untimed ones,
  - times inference (batch 64, softmax probabilities) with `dl-run bench --entry forward` and with
    PyTorch in eval mode under inference_mode,
and prints Markdown tables: ms/step, each against dlc and against the compute floor (the step's
convolution and matrix-product FLOPs over T cores x --gflops-per-core).

PyTorch 1.13 runs its convolutions through oneDNN (MKL-DNN 2.6) and its dense layers through the BLAS:
Debian's generic libblas.so.3 (by default the reference BLAS) and, with --openblas, OpenBLAS loaded
into the same PyTorch (bench/README.md). dlc and PyTorch take turns, never run at once, for --rounds
rounds; each figure is the best round's median.

Run under /usr/bin/python3 (the Python with PyTorch): bench/cnn/run.py --build build
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import (ROOT, add_common_arguments, add_rows, compile_variant,  # noqa: E402
                      measure_rounds, print_peers, print_tables, report_torch, run_torch_worker,
                      time_steps, torch_peers, torch_step)

BATCH = 64
VARIANTS = [  # (label, .dl file, batch norm in the PyTorch twin)
    ("CNN", os.path.join(ROOT, "examples", "fashion_cnn.dl"), False),
    ("CNN + batch norm", os.path.join(ROOT, "examples", "fashion_cnn_bn.dl"), True),
]
# (in channels, out channels, image size) of the two 3x3 convolutions (padding 1: same size out).
CONVS = [(1, 32, 28), (32, 64, 14)]
DENSE = [(3136, 128), (128, 10)]


def flops(train):
    """FLOPs of the step's convolutions and matrix products (2 per multiply-add): forward, and for
    a train step also every weight gradient and every input gradient but the first layer's (the
    data needs none). Bias, activation, pooling, batch norm, loss and optimizer work is left out:
    it is O(parameters + activations), about 2% here."""
    convs = [BATCH * cin * cout * 9 * size * size for cin, cout, size in CONVS]
    dense = [BATCH * fan_in * fan_out for fan_in, fan_out in DENSE]
    products = convs + dense
    forward = 2 * sum(products)
    if not train:
        return forward
    return forward + 2 * sum(products) + 2 * sum(products[1:])


# --- PyTorch, in a child process (--torch-worker) so each BLAS is loaded into its own process ---

def torch_net(torch, batchnorm):
    nn = torch.nn
    layers = []
    for cin, cout, _ in CONVS:
        layers.append(nn.Conv2d(cin, cout, 3, padding=1, bias=not batchnorm))
        if batchnorm:
            layers.append(nn.BatchNorm2d(cout))
        layers += [nn.ReLU(), nn.MaxPool2d(2)]
    layers += [nn.Flatten(), nn.Linear(*DENSE[0]), nn.ReLU(), nn.Linear(*DENSE[1])]
    return nn.Sequential(*layers)


def torch_worker(args):
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = torch_net(torch, args.batchnorm)
    x = torch.rand(BATCH, 1, 28, 28)
    y = torch.randint(0, 10, (BATCH,))
    step = torch_step(torch, net, x, y, args.torch_worker)
    report_torch(torch, time_steps(step, args.steps, args.warmup))
    return 0


def torch_bench(peer_env, entry, batchnorm, args):
    command = [sys.executable, os.path.abspath(__file__), "--torch-worker", entry, "--steps",
               str(args.steps), "--warmup", str(args.warmup), "--threads", str(args.threads)]
    if batchnorm:
        command.append("--batchnorm")
    return run_torch_worker(command, peer_env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_arguments(parser, steps=50, warmup=5)
    parser.add_argument("--torch-worker", choices=["train_step", "forward"], help=argparse.SUPPRESS)
    parser.add_argument("--batchnorm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        return torch_worker(args)

    dlc = os.path.join(args.build, "bin", "dlc")
    dl_run = os.path.join(args.build, "bin", "dl-run")
    peak = args.threads * args.gflops_per_core * 1e9
    peers = torch_peers(args)

    rows, compiles, blas_seen = [], [], {}
    with tempfile.TemporaryDirectory(prefix="dlc-bench-cnn-") as work:
        for label, source, batchnorm in VARIANTS:
            model = os.path.join(work, os.path.basename(source).replace(".dl", ".so"))
            compile_variant(dlc, source, model, args, compiles, label, ["-D", f"B={BATCH}"])
            for entry, train in (("train_step", True), ("forward", False)):
                results = measure_rounds(model, entry, dl_run, peers,
                                         lambda env: torch_bench(env, entry, batchnorm, args), args, blas_seen)
                add_rows(rows, label, entry, results, 1e3 * flops(train) / peak)

    load = os.getloadavg()
    print()
    print(f"Batch {BATCH}, {args.threads} threads, median of {args.steps} steps after {args.warmup} "
          f"warm-up steps, best of {args.rounds} rounds; load average at the end {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}. Floor: convolution and matrix-product FLOPs / "
          f"({args.threads} cores x {args.gflops_per_core:g} GFLOP/s) = "
          f"{flops(True) / 1e6:.0f} MFLOP (train step), {flops(False) / 1e6:.0f} MFLOP (forward).")
    print_peers(blas_seen)
    print()
    print_tables(rows, compiles, args.compiles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
