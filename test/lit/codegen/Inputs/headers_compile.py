"""Checks that the C header `dlc -H` writes compiles, as C99 and as C++, for every program given.

usage: headers_compile.py --cc CC --cxx CXX --out DIR PATH...

Each PATH is a .dl file or a folder, whose .dl files are all taken. For each, `dlc FILE
--emit=header` (dlc from PATH) writes DIR/<file>.h, which must compile with
`CC -fsyntax-only -std=c99 -Wall -Wextra -pedantic -Werror` and with the same flags of CXX in C++.
Prints one line per failure, then "N headers compile as C99 and C++"; exits 1 if any failed or
no program was given.
"""
import argparse
import os
import subprocess
import sys

FLAGS = ["-fsyntax-only", "-Wall", "-Wextra", "-pedantic", "-Werror"]


def programs(paths):
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if name.endswith(".dl"):
                    yield os.path.join(path, name)
        else:
            yield path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cc", required=True)
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    checked, failed = 0, 0
    for program in programs(args.paths):
        name = os.path.splitext(os.path.basename(program))[0]
        header = os.path.join(args.out, name + ".h")
        steps = [
            ("dlc", ["dlc", program, "--emit=header", "-o", header]),
            ("C", [args.cc] + FLAGS + ["-std=c99", "-x", "c", header]),
            ("C++", [args.cxx] + FLAGS + ["-std=c++11", "-x", "c++", header]),
        ]
        for what, command in steps:
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                print("%s: %s failed:\n%s" % (program, what, result.stdout + result.stderr))
                failed += 1
                break
        else:
            checked += 1
    print("%d headers compile as C99 and C++" % checked)
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
