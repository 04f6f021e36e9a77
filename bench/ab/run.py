#!/usr/bin/python3
"""bench/ab/run.py — two builds of dlc on the same models: did a change cost speed?

Compiles each model with the `--base` build's dlc and with the `--build` build's dlc, then times
`dl-run bench` on each library's train step, the two taking turns for --rounds rounds (so load
from other processes falls on both alike), and prints a Markdown table: the best round's median
ms/step of each, and their ratio (new / base; above 1 is slower). Both libraries run under the
same dl-run (the --build one), so only the generated kernels and glue differ.

  cmake --build build --target dlc dl-run
  git worktree add /tmp/base <commit> && cmake -S /tmp/base -B /tmp/base/build -G Ninja \\
      -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/base/build --target dlc
  /usr/bin/python3 bench/ab/run.py --base /tmp/base/build --build build
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
# (label, .dl file, -D overrides, entry): the models whose kernels the numerics touch most.
MODELS = [
    ("MLP (B=128)", "examples/fashion_mlp.dl", [], "train_step"),
    ("CNN (B=64)", "examples/fashion_cnn.dl", [], "train_step"),
    ("LSTM LM (B=32, T=64)", "examples/char_lstm.dl", ["-D", "V=65"], "train_step"),
    ("Transformer block", "bench/seq/transformer_block.dl", [], "train_step"),
    ("causal attention", "bench/seq/attention.dl", [], "train_step"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the build folder of the baseline dlc")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"),
                        help="the build folder of the new dlc and of dl-run (build)")
    parser.add_argument("--steps", type=int, default=100, help="timed steps per measurement (100)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement (3)")
    parser.add_argument("--threads", type=int, default=2, help="threads of dl-run (2)")
    parser.add_argument("--only", default="", help="only the models whose label contains this")
    args = parser.parse_args()

    dl_run = os.path.join(args.build, "bin", "dl-run")
    rows = []
    with tempfile.TemporaryDirectory(prefix="dlc-ab-") as work:
        for label, source, defines, entry in MODELS:
            if args.only and args.only not in label:
                continue
            libraries = {}
            for side, build in (("base", args.base), ("new", args.build)):
                out = os.path.join(work, f"{side}-{os.path.basename(source)}.so")
                benchlib.compile_model(os.path.join(build, "bin", "dlc"),
                                       os.path.join(ROOT, source), out, 1, defines)
                libraries[side] = out
            best = {"base": float("inf"), "new": float("inf")}
            for _ in range(args.rounds):
                for side in ("base", "new"):
                    ms = benchlib.dl_run_bench(dl_run, libraries[side], entry, args)
                    best[side] = min(best[side], ms)
            rows.append((label, best["base"], best["new"]))
            print(f"{label}: base {best['base']:.3f} ms, new {best['new']:.3f} ms", file=sys.stderr)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| train step | base | new | new / base |")
    print("| --- | --- | --- | --- |")
    for label, base, new in rows:
        print(f"| {label} | {base:.3f} ms | {new:.3f} ms | {new / base:.3f} |")


if __name__ == "__main__":
    main()
