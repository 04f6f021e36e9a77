#!/usr/bin/python3
"""bench/compile_time.py — dlc's compile time of every example, one build against another.

Compiles each examples/*.dl (`dlc examples/X.dl -o X.so`, as bench/RESULTS.md has always timed
them) with this build's dlc and, with --base, with another build's, taking turns (base, new, base,
new, ...) so that load from other processes falls on both alike. Prints a Markdown table: the
median wall-clock seconds and the median CPU seconds (user + system of dlc and the children it
forks to compile kernels; other load inflates it less than the wall clock) of --compiles compiles.
CPU seconds over the machine's cores bound what the wall clock can be on an idle machine.

Run: bench/compile_time.py --build build [--base OTHER_BUILD] [--compiles 3] [--examples a,b]
"""

import argparse
import glob
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, compile_model  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="dlc's build tree")
    parser.add_argument("--base", help="another build tree of dlc to compare with")
    parser.add_argument("--compiles", type=int, default=3, help="compiles per figure (median)")
    parser.add_argument("--examples", help="comma-separated example names (default: all)")
    args = parser.parse_args()

    names = (args.examples.split(",") if args.examples else
             sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "examples", "*.dl"))))
    builds = ([("base", args.base)] if args.base else []) + [("new", args.build)]
    header = "| example |" + "".join(f" {b} wall (s) | {b} CPU (s) |" for b, _ in builds)
    print(header)
    print("| --- |" + " --- | --- |" * len(builds))
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            source = os.path.join(ROOT, "examples", name + ".dl")
            samples = {b: ([], []) for b, _ in builds}
            for _ in range(args.compiles):
                for build, tree in builds:
                    dlc = os.path.join(tree, "bin", "dlc")
                    wall, cpu = compile_model(dlc, source, os.path.join(tmp, f"{name}.{build}.so"), 1)
                    samples[build][0].append(wall)
                    samples[build][1].append(cpu)
            row = f"| {name} |"
            for build, _ in builds:
                walls, cpus = samples[build]
                row += f" {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} |"
            print(row, flush=True)


if __name__ == "__main__":
    main()
