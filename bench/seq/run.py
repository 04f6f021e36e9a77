#!/usr/bin/python3
"""bench/seq/run.py — sequence models trained by dlc and by PyTorch, side by side in one run.

  - LSTM language model: examples/char_lstm.dl compiled with -D V=65 (batch 32, 64 steps through
    time, embedding 64, hidden 256, vocabulary 65) against nn.Embedding + nn.LSTM + nn.Linear;
    cross-entropy over every step, Adam, gradient-norm clipping at 1.
  - Transformer block: bench/seq/transformer_block.dl (batch 16, sequence 128, width 256, 4 heads,
    causal, MLP 1024 with GELU, pre-norm) against the same block from nn.LayerNorm,
    nn.MultiheadAttention and nn.Linear; mean squared error against a random target, Adam.
  - Attention: bench/seq/attention.dl, the block's causal attention alone (batch 16, 4 heads,
    sequence 128, 64 per head; q, k and v parameters, mean squared error, SGD) against the same
    computation in PyTorch (softmax(q k^T / 8 + mask) v, as nn.MultiheadAttention computes it).
The block and the attention are also built with `dlc --attention=composed` (matmul, softmax and a
mask, the scores stored whole) and timed as the row "dlc composed".
With --long, the attention and the block run instead at sequences of 1024 and 2048 (batch 1; the
attention 4 heads of 64, the block width 256 with 4 heads), where dlc streams attention by blocks
of rows past 512 x 512 scores per head and PyTorch 1.13 (no fused attention) stores the scores.
For each it times `dlc MODEL.dl -o MODEL.so` (median of --compiles), then the train step with
`dl-run bench MODEL.so --threads T` and in PyTorch (torch.set_num_threads(T)), each the median of
--steps steps after --warmup, taking turns for --rounds rounds (best round), and prints Markdown
tables with each figure against dlc and against the floor: the step's matrix-product FLOPs over
T cores x --gflops-per-core.

Run under /usr/bin/python3 (the Python with PyTorch): bench/seq/run.py --build build
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import (ROOT, add_common_arguments, add_rows, compile_variant,  # noqa: E402
                      dl_run_bench, measure_rounds, print_peers, print_tables, report_torch,
                      run_torch_worker, time_steps, torch_peers)

LSTM = {"B": 32, "T": 64, "V": 65, "E": 64, "H": 256}
BLOCK = {"B": 16, "T": 128, "D": 256, "HEADS": 4}
VARIANTS = [  # (label, .dl file, -D overrides, PyTorch twin)
    ("LSTM LM", os.path.join(ROOT, "examples", "char_lstm.dl"), ["-D", "V=65"], "lstm"),
    ("Transformer block", os.path.join(ROOT, "bench", "seq", "transformer_block.dl"), [], "block"),
    ("Attention", os.path.join(ROOT, "bench", "seq", "attention.dl"), [], "attention"),
]
ATTENTION = {"B": 16, "H": 4, "T": 128, "D": 64}
COMPOSED = ["--attention=composed"]
LONG = [1024, 2048]  # --long: the sequences, batch 1


def long_variants():
    """(label, .dl file, -D overrides, twin, sizes) of the --long runs."""
    out = []
    for t in LONG:
        block = {"B": 1, "T": t, "D": 256, "HEADS": 4}
        attention = {"B": 1, "H": 4, "T": t, "D": 64}
        out.append((f"Attention T={t}", os.path.join(ROOT, "bench", "seq", "attention.dl"),
                    ["-D", "B=1", "-D", f"T={t}"], "attention", attention))
        out.append((f"Transformer block T={t}",
                    os.path.join(ROOT, "bench", "seq", "transformer_block.dl"),
                    ["-D", "B=1", "-D", f"T={t}"], "block", block))
    return out


def set_sizes(twin, sizes):
    """Makes `sizes` those of `twin` (for flops and the PyTorch worker)."""
    (ATTENTION if twin == "attention" else BLOCK).update(sizes)


def flops(twin):
    """The train step's matrix-product FLOPs (2 per multiply-add): the forward products, each
    weight's gradient, and every input gradient but the embedding's lookup (which has no
    product). dlc's reverse pass recomputes each LSTM step's recurrent product besides; that is
    not counted. Element-wise, normalization, softmax, loss and optimizer work is left out."""
    if twin == "lstm":
        b, t, v, e, h = (LSTM[k] for k in "BTVEH")
        products = [b * t * e * 4 * h, b * t * h * 4 * h, b * t * h * v]
    elif twin == "attention":
        # q k^T and P v over the causal half of the scores, each with its two gradients.
        b, heads, t, d = (ATTENTION[k] for k in ("B", "H", "T", "D"))
        products = [b * heads * t * t * d // 2] * 2
    else:
        b, t, d = BLOCK["B"], BLOCK["T"], BLOCK["D"]
        products = [b * t * d * 3 * d, b * t * t * d, b * t * t * d, b * t * d * d,
                    b * t * d * 4 * d, b * t * 4 * d * d]
    return 3 * 2 * sum(products)


# --- PyTorch, in a child process (--torch-worker) so each BLAS is loaded into its own process ---

def torch_worker(args):
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    nn = torch.nn
    if args.torch_worker == "lstm":
        b, t, v, e, h = (LSTM[k] for k in "BTVEH")

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed, self.lstm, self.head = nn.Embedding(v, e), nn.LSTM(e, h, batch_first=True), nn.Linear(h, v)

            def forward(self, x):
                return self.head(self.lstm(self.embed(x))[0])

        net = Net()
        x, y = torch.randint(0, v, (b, t)), torch.randint(0, v, (b, t))
        optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)

        def loss():
            return nn.functional.cross_entropy(net(x).reshape(b * t, v), y.reshape(b * t))
    elif args.torch_worker == "attention":
        b, heads, t, d = (ATTENTION[k] for k in ("B", "H", "T", "D"))
        q, k, v = (torch.randn(b, heads, t, d, requires_grad=True) for _ in range(3))
        y = torch.randn(b, heads, t, d)
        mask = torch.triu(torch.full((t, t), float("-inf")), 1)
        net = torch.nn.ParameterList([torch.nn.Parameter(p) for p in (q, k, v)])
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01)

        def loss():
            q, k, v = net
            weights = torch.softmax(q @ k.transpose(-2, -1) / d ** 0.5 + mask, dim=-1)
            return nn.functional.mse_loss(weights @ v, y)
    else:
        b, t, d, heads = BLOCK["B"], BLOCK["T"], BLOCK["D"], BLOCK["HEADS"]

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
                self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
                self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
                self.register_buffer("mask", torch.triu(torch.ones(t, t, dtype=torch.bool), 1))

            def forward(self, x):
                a = self.ln1(x)
                h = x + self.attn(a, a, a, attn_mask=self.mask, need_weights=False)[0]
                return h + self.fc2(nn.functional.gelu(self.fc1(self.ln2(h))))

        net = Block()
        x, y = torch.randn(b, t, d), torch.randn(b, t, d)
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

        def loss():
            return nn.functional.mse_loss(net(x), y)

    def step():
        optimizer.zero_grad()
        value = loss()
        value.backward()
        if args.torch_worker == "lstm":
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimizer.step()
    report_torch(torch, time_steps(step, args.steps, args.warmup))
    return 0


def torch_bench(peer_env, twin, args):
    command = [sys.executable, os.path.abspath(__file__), "--torch-worker", twin, "--steps",
               str(args.steps), "--warmup", str(args.warmup), "--threads", str(args.threads)]
    sizes = ATTENTION if twin == "attention" else BLOCK if twin == "block" else None
    if sizes:
        command += ["--sizes", ",".join(f"{k}={v}" for k, v in sizes.items())]
    return run_torch_worker(command, dict(peer_env, OMP_NUM_THREADS=str(args.threads)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_arguments(parser, steps=10, warmup=2)
    parser.add_argument("--torch-worker", choices=["lstm", "block", "attention"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    parser.add_argument("--long", action="store_true",
                        help="the attention and the block at sequences 1024 and 2048 only")
    args = parser.parse_args()
    if args.torch_worker:
        if args.sizes:
            set_sizes(args.torch_worker,
                      {k: int(v) for k, v in (kv.split("=") for kv in args.sizes.split(","))})
        return torch_worker(args)

    dlc = os.path.join(args.build, "bin", "dlc")
    dl_run = os.path.join(args.build, "bin", "dl-run")
    peak = args.threads * args.gflops_per_core * 1e9
    peers = torch_peers(args)

    rows, compiles, blas_seen = [], [], {}
    with tempfile.TemporaryDirectory(prefix="dlc-bench-seq-") as work:
        variants = long_variants() if args.long else [(*v, {}) for v in VARIANTS]
        for label, source, defines, twin, sizes in variants:
            set_sizes(twin, sizes)
            model = os.path.join(work, os.path.basename(source).replace(".dl", ".so"))
            compile_variant(dlc, source, model, args, compiles, label, defines)
            results = measure_rounds(model, "train_step", dl_run, peers,
                                     lambda env: torch_bench(env, twin, args), args, blas_seen)
            if twin != "lstm":
                composed = model.replace(".so", "-composed.so")
                compile_variant(dlc, source, composed, args, compiles, label, defines + COMPOSED)
                results["dlc composed"] = [dl_run_bench(dl_run, composed, "train_step", args)
                                           for _ in range(args.rounds)]
                print("  train_step dlc composed: " +
                      ", ".join(f"{ms:.4g}" for ms in results["dlc composed"]) + " ms/step")
            add_rows(rows, label, "train_step", results, 1e3 * flops(twin) / peak)
            if args.long:
                print(f"  floor: {flops(twin) / 1e9:.2f} GFLOP of matrix products", flush=True)

    load = os.getloadavg()
    print()
    print(f"{args.threads} threads, median of {args.steps} steps after {args.warmup} warm-up steps, "
          f"best of {args.rounds} rounds; load average at the end {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}. Floor: matrix-product FLOPs / ({args.threads} cores x "
          f"{args.gflops_per_core:g} GFLOP/s)" + (" (each variant's above)." if args.long else
          f": LSTM LM {flops('lstm') / 1e9:.2f} GFLOP, "
          f"Transformer block {flops('block') / 1e9:.2f} GFLOP, attention "
          f"{flops('attention') / 1e9:.2f} GFLOP per train step."))
    print_peers(blas_seen)
    print()
    print_tables(rows, compiles, args.compiles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
