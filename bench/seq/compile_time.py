#!/usr/bin/python3
"""bench/seq/compile_time.py — how dlc's compile time and library size grow with a scan's length.

Compiles examples/char_lstm.dl (the LSTM language model: every train step runs a forward scan and
the reverse scan of backpropagation through time) with -D T=32, 128, 512, 1024 and 2048 (by
default; --lengths), once with the scans kept as loops (the default) and, for the lengths up to
--unroll-up-to, once more with `--unroll-scans=T` (each scan unrolled into its T steps, the form
every scan took before loops). Prints a Markdown table: wall-clock and CPU seconds of the compile
(median of --compiles) and the library's size.

Run: bench/seq/compile_time.py --build build
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import ROOT, compile_model  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="dlc's build tree")
    parser.add_argument("--lengths", default="32,128,512,1024,2048",
                        help="the sequence lengths T, comma-separated")
    parser.add_argument("--unroll-up-to", type=int, default=128,
                        help="also compile unrolled for T up to this (0: never)")
    parser.add_argument("--compiles", type=int, default=3, help="compiles per figure (median)")
    args = parser.parse_args()

    dlc = os.path.join(args.build, "bin", "dlc")
    source = os.path.join(ROOT, "examples", "char_lstm.dl")
    lengths = [int(t) for t in args.lengths.split(",")]
    print("| T | scans | compile (s) | CPU (s) | library (KiB) |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for t in lengths:
            forms = [("loops", [])]
            if t <= args.unroll_up_to:
                forms.append(("unrolled", [f"--unroll-scans={t}"]))
            for form, flags in forms:
                output = os.path.join(tmp, f"lstm_{t}_{form}.so")
                wall_s, cpu_s = compile_model(dlc, source, output, args.compiles,
                                              defines=["-D", f"T={t}", *flags])
                size_kib = os.path.getsize(output) / 1024
                print(f"| {t} | {form} | {wall_s:.2f} | {cpu_s:.2f} | {size_kib:.0f} |",
                      flush=True)


if __name__ == "__main__":
    main()
