"""Assembles every PTX module of `dlc --emit=ptx` output with ptxas.

usage: ptxas_each.py FILE.ptx [--arch sm_90] [--no-local-loads] [--only REGEX]

The file holds one module per kernel, each after a line "// kernel NAME". Each is written to its own
file and assembled for the architecture (sm_90 by default: the H100 and H200). Prints one line per
failing kernel with ptxas's message, then "N kernels assembled for ARCH"; exits 1 if any failed or
the file holds none. With --no-local-loads, a kernel that reads local memory (values that did not
stay in registers, such as a product's accumulators) fails too. --only keeps the kernels whose
name REGEX matches.
"""
import argparse
import re
import os
import subprocess
import sys
import tempfile


def modules(text):
    name, lines = None, []
    for line in text.splitlines(keepends=True):
        if line.startswith("// kernel "):
            if name is not None:
                yield name, "".join(lines)
            name, lines = line[len("// kernel "):].strip(), []
        elif name is not None:
            lines.append(line)
    if name is not None:
        yield name, "".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(usage=__doc__.strip().splitlines()[2][len("usage: "):])
    parser.add_argument("ptx")
    parser.add_argument("--arch", default="sm_90")
    parser.add_argument("--no-local-loads", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv[1:])
    with open(args.ptx) as f:
        text = f.read()
    assembled, failed = 0, 0
    with tempfile.TemporaryDirectory() as scratch:
        for name, ptx in modules(text):
            if not re.search(args.only, name):
                continue
            source = os.path.join(scratch, name + ".ptx")
            with open(source, "w") as f:
                f.write(ptx)
            run = subprocess.run(["ptxas", "-arch=" + args.arch, source, "-o", source + ".cubin"],
                                 capture_output=True, text=True)
            local_loads = len(re.findall(r"\bld\.local\.", ptx))
            if run.returncode != 0:
                failed += 1
                print("kernel %s: ptxas failed: %s" % (name, run.stderr.strip()))
            elif args.no_local_loads and local_loads:
                failed += 1
                print("kernel %s: %d loads from local memory" % (name, local_loads))
            else:
                assembled += 1
    print("%d kernels assembled for %s" % (assembled, args.arch))
    return 1 if failed or assembled == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
