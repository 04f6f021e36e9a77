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
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYERS = [784, 256, 128, 10]
BATCH = 128
VARIANTS = [  # (label, .dl file, dropout of the PyTorch twin)
    ("dropout 0.2", os.path.join(ROOT, "examples", "fashion_mlp.dl"), 0.2),
    ("no dropout", os.path.join(ROOT, "bench", "mlp", "fashion_mlp_nodropout.dl"), 0.0),
]
# Where Debian's libopenblas0-openmp and libopenblas0-pthread put OpenBLAS's libblas.so.3. The OpenMP
# build shares PyTorch's OpenMP threads; the pthread build adds its own threads beside them.
DEBIAN_OPENBLAS = ["/usr/lib/x86_64-linux-gnu/openblas-openmp",
                   "/usr/lib/x86_64-linux-gnu/openblas-pthread"]


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

    if args.torch_worker == "train_step":
        net.train()
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

        def step():
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            optimizer.step()
    else:
        net.eval()

        def step():
            with torch.inference_mode():
                torch.softmax(net(x), dim=-1)

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    with open("/proc/self/maps") as maps:
        blas = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1]})
    print(f"torch {torch.__version__} blas {','.join(blas) or 'none'} "
          f"median {1e3 * statistics.median(times):.6f} ms/step")
    return 0


def torch_bench(peer_env, entry, dropout, args):
    command = [sys.executable, os.path.abspath(__file__), "--torch-worker", entry, "--dropout",
               str(dropout), "--steps", str(args.steps), "--warmup", str(args.warmup),
               "--threads", str(args.threads)]
    out = subprocess.run(command, check=True, capture_output=True, text=True,
                         env=dict(os.environ, **peer_env)).stdout
    match = re.search(r"torch (\S+) blas (\S+) median ([0-9.]+) ms/step", out)
    if not match:
        sys.exit(f"run.py: unexpected PyTorch output:\n{out}")
    return float(match.group(3)), match.group(1), match.group(2)


# --- dlc ---

def compile_model(dlc, source, output, runs):
    """The median wall-clock seconds of `dlc source -o output`, and the median CPU seconds (user +
    system, all threads), which load from other processes inflates less."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([dlc, source, "-o", output], check=True)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def dl_run_bench(dl_run, model, entry, args):
    command = [dl_run, "bench", model, "--entry", entry, "--steps", str(args.steps), "--warmup",
               str(args.warmup), "--threads", str(args.threads)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    match = re.search(r"median ([0-9.eE+-]+) ms/step", out)
    if not match:
        sys.exit(f"run.py: no median in the output of {' '.join(command)}:\n{out}")
    return float(match.group(1))


def has_avx512():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return " avx512f " in cpuinfo.read()
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"),
                        help="the build folder holding bin/dlc and bin/dl-run (build)")
    parser.add_argument("--steps", type=int, default=200, help="timed steps per measurement (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps first (20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement (3)")
    parser.add_argument("--compiles", type=int, default=3, help="dlc runs timed per model (3)")
    parser.add_argument("--threads", type=int, default=2, help="threads of dlc and PyTorch (2)")
    parser.add_argument("--gflops-per-core", type=float, default=230.0,
                        help="peak f32 GFLOP/s of one core, for the floor (230: AVX-512, 2 FMA)")
    parser.add_argument("--openblas", default=next(filter(os.path.isdir, DEBIAN_OPENBLAS), ""),
                        help="folder with OpenBLAS's libblas.so.3 for a second PyTorch run (default: "
                             "Debian's openblas-openmp or openblas-pthread folder where one exists; "
                             "'' for none)")
    parser.add_argument("--openblas-core", default="SkylakeX" if has_avx512() else "",
                        help="OPENBLAS_CORETYPE for that run (SkylakeX on AVX-512 CPUs; '' for "
                             "OpenBLAS's own detection)")
    parser.add_argument("--torch-worker", choices=["train_step", "forward"], help=argparse.SUPPRESS)
    parser.add_argument("--dropout", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        return torch_worker(args)

    dlc = os.path.join(args.build, "bin", "dlc")
    dl_run = os.path.join(args.build, "bin", "dl-run")
    peak = args.threads * args.gflops_per_core * 1e9
    # Each PyTorch configuration: a label stem and the environment of its child processes.
    peers = [("PyTorch", {})]
    if args.openblas:
        if not os.path.exists(os.path.join(args.openblas, "libblas.so.3")):
            sys.exit(f"run.py: no libblas.so.3 in {args.openblas}")
        env = {"LD_LIBRARY_PATH": args.openblas, "OPENBLAS_NUM_THREADS": str(args.threads)}
        if args.openblas_core:
            env["OPENBLAS_CORETYPE"] = args.openblas_core
        details = [os.path.basename(os.path.normpath(args.openblas))]
        if args.openblas_core:
            details.append(f"OPENBLAS_CORETYPE={args.openblas_core}")
        peers.append((f"PyTorch + OpenBLAS ({', '.join(details)})", env))

    rows, compiles, blas_seen = [], [], {}
    with tempfile.TemporaryDirectory(prefix="dlc-bench-mlp-") as work:
        for label, source, dropout in VARIANTS:
            model = os.path.join(work, os.path.basename(source).replace(".dl", ".so"))
            wall_s, cpu_s = compile_model(dlc, source, model, args.compiles)
            compiles.append((os.path.relpath(source, ROOT), wall_s, cpu_s))
            print(f"{label}: dlc {os.path.relpath(source, ROOT)} -o MODEL.so in {wall_s:.2f} s "
                  f"({cpu_s:.2f} s of CPU; median of {args.compiles})", flush=True)
            for entry, train in (("train_step", True), ("forward", False)):
                if not train and dropout == 0:
                    continue  # dropout is off in inference: both models' forward entries are alike
                results = {"dlc": []}
                for _ in range(args.rounds):
                    results["dlc"].append(dl_run_bench(dl_run, model, entry, args))
                    for peer, env in peers:
                        ms, version, blas = torch_bench(env, entry, dropout, args)
                        results.setdefault(peer, []).append(ms)
                        blas_seen[peer] = (version, blas)
                for name, rounds in results.items():
                    print(f"  {entry} {name}: " + ", ".join(f"{ms:.4g}" for ms in rounds) +
                          " ms/step", flush=True)
                floor_ms = 1e3 * matmul_flops(train) / peak
                dlc_ms = min(results["dlc"])
                for name, rounds in results.items():
                    rows.append((label if train else "either (inference)", entry, name,
                                 min(rounds), min(rounds) / dlc_ms, min(rounds) / floor_ms, floor_ms))

    load = os.getloadavg()
    print()
    print(f"Batch {BATCH}, {args.threads} threads, median of {args.steps} steps after {args.warmup} "
          f"warm-up steps, best of {args.rounds} rounds; load average at the end {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}. Floor: matrix-product FLOPs / ({args.threads} cores x "
          f"{args.gflops_per_core:g} GFLOP/s) = {matmul_flops(True) / 1e6:.1f} MFLOP (train step), "
          f"{matmul_flops(False) / 1e6:.1f} MFLOP (forward).")
    for peer, (version, blas) in blas_seen.items():
        print(f"{peer}: torch {version}, BLAS loaded: {blas}")
    print()
    print("| model | entry | implementation | ms/step | / dlc | / floor |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, entry, name, ms, vs_dlc, vs_floor, floor_ms in rows:
        print(f"| {label} | {entry} | {name} | {ms:.3f} | {vs_dlc:.2f}x | {vs_floor:.1f}x |")
    floors = sorted({(row[1], row[6]) for row in rows}, reverse=True)
    for entry, floor_ms in floors:
        print(f"| | {entry} | floor | {floor_ms:.3f} | | 1.0x |")
    print()
    print(f"| dlc compile (median of {args.compiles}) | wall s | CPU s (user + system) |")
    print("| --- | --- | --- |")
    for source, wall_s, cpu_s in compiles:
        print(f"| `dlc {source} -o MODEL.so` | {wall_s:.2f} | {cpu_s:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
