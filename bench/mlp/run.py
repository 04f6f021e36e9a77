#!/usr/bin/python3
"""bench/mlp/run.py — the Fashion-MNIST MLP trained by dlc and by PyTorch, side by side in one run.

For examples/fashion_mlp.dl (784→256→128→10, ReLU, dropout 0.2, cross-entropy, Adam, batch 128) and
for bench/mlp/fashion_mlp_nodropout.dl (the same without dropout), it
  - times `dlc MODEL.dl -o MODEL.so` (the median of --compiles runs),
  - times the train step with `dl-run bench MODEL.so --threads T` and the same step in PyTorch
    (torch.set_num_threads(T); zero_grad, forward, cross_entropy, backward, Adam step; nn.Dropout(0.2)
    in the first model), each the median over --steps steps after --warmup untimed ones,
  - times inference (batch 128, softmax probabilities) with `dl-run bench --entry forward` and with
    PyTorch in eval mode under inference_mode,
and prints Markdown tables: ms/step, each against dlc and against the compute floor (the step's
matrix-product FLOPs over T cores x --gflops-per-core).

PyTorch runs as installed (Debian's python3-torch links the generic libblas.so.3, by default the
reference BLAS) and, when --openblas names a folder holding OpenBLAS's libblas.so.3, a second time
with that library first on LD_LIBRARY_PATH, so the comparison is also made against a tuned BLAS
without changing the machine. OpenBLAS 0.3.21 takes an unknown CPU for a Prescott; --openblas-core
sets OPENBLAS_CORETYPE (SkylakeX where the CPU has AVX-512).

dlc and PyTorch run one after the other, never at once (PyTorch in a child process per measurement),
in --rounds rounds; each figure is the best round's median, so a burst of load from other processes
on a shared machine costs a round, not the result.

Run under /usr/bin/python3 (the Python with PyTorch): bench/mlp/run.py --build build
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import (ROOT, add_common_arguments, add_rows, compile_variant,  # noqa: E402
                      measure_rounds, print_peers, print_tables, report_torch, run_torch_worker,
                      time_steps, torch_peers, torch_step)

LAYERS = [784, 256, 128, 10]
BATCH = 128
VARIANTS = [  # (label, .dl file, dropout of the PyTorch twin)
    ("dropout 0.2", os.path.join(ROOT, "examples", "fashion_mlp.dl"), 0.2),
    ("no dropout", os.path.join(ROOT, "bench", "mlp", "fashion_mlp_nodropout.dl"), 0.0),
]


def matmul_flops(train):
    """FLOPs of the step's matrix products (2 per multiply-add): the forward products, and for a
    train step also every weight gradient and the input gradients of all layers but the first
    (the data needs none). Bias, activation, loss and optimizer work is left out: it is
    O(parameters + activations), under 3% here."""
    products = [BATCH * fan_in * fan_out for fan_in, fan_out in zip(LAYERS, LAYERS[1:])]
    forward = 2 * sum(products)
    if not train:
        return forward
    return forward + 2 * sum(products) + 2 * sum(products[1:])


# --- PyTorch, in a child process (--torch-worker) so each BLAS is loaded into its own process ---

def torch_worker(args):
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(LAYERS, LAYERS[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i + 2 < len(LAYERS):
            layers.append(torch.nn.ReLU())
            if args.dropout > 0:
                layers.append(torch.nn.Dropout(args.dropout))
    net = torch.nn.Sequential(*layers)
    x = torch.rand(BATCH, LAYERS[0])
    y = torch.randint(0, LAYERS[-1], (BATCH,))

    step = torch_step(torch, net, x, y, args.torch_worker)
    report_torch(torch, time_steps(step, args.steps, args.warmup))
    return 0


def torch_bench(peer_env, entry, dropout, args):
    command = [sys.executable, os.path.abspath(__file__), "--torch-worker", entry, "--dropout",
               str(dropout), "--steps", str(args.steps), "--warmup", str(args.warmup),
               "--threads", str(args.threads)]
    return run_torch_worker(command, peer_env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_arguments(parser, steps=200, warmup=20)
    parser.add_argument("--torch-worker", choices=["train_step", "forward"], help=argparse.SUPPRESS)
    parser.add_argument("--dropout", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        return torch_worker(args)

    dlc = os.path.join(args.build, "bin", "dlc")
    dl_run = os.path.join(args.build, "bin", "dl-run")
    peak = args.threads * args.gflops_per_core * 1e9
    peers = torch_peers(args)

    rows, compiles, blas_seen = [], [], {}
    with tempfile.TemporaryDirectory(prefix="dlc-bench-mlp-") as work:
        for label, source, dropout in VARIANTS:
            model = os.path.join(work, os.path.basename(source).replace(".dl", ".so"))
            compile_variant(dlc, source, model, args, compiles, label)
            for entry, train in (("train_step", True), ("forward", False)):
                if not train and dropout == 0:
                    continue  # dropout is off in inference: both models' forward entries are alike
                results = measure_rounds(model, entry, dl_run, peers,
                                         lambda env: torch_bench(env, entry, dropout, args), args, blas_seen)
                add_rows(rows, label if train else "either (inference)", entry, results,
                         1e3 * matmul_flops(train) / peak)

    load = os.getloadavg()
    print()
    print(f"Batch {BATCH}, {args.threads} threads, median of {args.steps} steps after {args.warmup} "
          f"warm-up steps, best of {args.rounds} rounds; load average at the end {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}. Floor: matrix-product FLOPs / ({args.threads} cores x "
          f"{args.gflops_per_core:g} GFLOP/s) = {matmul_flops(True) / 1e6:.1f} MFLOP (train step), "
          f"{matmul_flops(False) / 1e6:.1f} MFLOP (forward).")
    print_peers(blas_seen)
    print()
    print_tables(rows, compiles, args.compiles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
