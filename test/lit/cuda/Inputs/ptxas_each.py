"""Assembles every PTX module of `dlc --emit=ptx` output with ptxas.

usage: ptxas_each.py FILE.ptx [--arch sm_90]

The file holds one module per kernel, each after a line "// kernel NAME". Each is written to its own
file and assembled for the architecture (sm_90 by default: the H100 and H200). Prints one line per
failing kernel with ptxas's message, then "N kernels assembled for ARCH"; exits 1 if any failed or
the file holds none.
"""
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
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--arch"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    arch = argv[3] if len(argv) == 4 else "sm_90"
    with open(argv[1]) as f:
        text = f.read()
    assembled, failed = 0, 0
    with tempfile.TemporaryDirectory() as scratch:
        for name, ptx in modules(text):
            source = os.path.join(scratch, name + ".ptx")
            with open(source, "w") as f:
                f.write(ptx)
            run = subprocess.run(["ptxas", "-arch=" + arch, source, "-o", source + ".cubin"],
                                 capture_output=True, text=True)
            if run.returncode == 0:
                assembled += 1
            else:
                failed += 1
                print("kernel %s: ptxas failed: %s" % (name, run.stderr.strip()))
    print("%d kernels assembled for %s" % (assembled, arch))
    return 1 if failed or assembled == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
