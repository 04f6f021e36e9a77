"""bench/benchlib.py — what the side-by-side benchmarks against PyTorch share.

Timing dlc (`dlc` compile time, `dl-run bench`), running a PyTorch measurement in a child process
(so each BLAS is loaded into its own process), and the PyTorch configurations to compare against:
PyTorch as Debian installs it (the reference BLAS) and, with --openblas, the same PyTorch with
OpenBLAS's libblas.so.3 first on LD_LIBRARY_PATH.
"""

import os
import re
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where Debian's libopenblas0-openmp and libopenblas0-pthread put OpenBLAS's libblas.so.3. The OpenMP
# build shares PyTorch's OpenMP threads; the pthread build adds its own threads beside them.
DEBIAN_OPENBLAS = ["/usr/lib/x86_64-linux-gnu/openblas-openmp",
                   "/usr/lib/x86_64-linux-gnu/openblas-pthread"]


def has_avx512():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return " avx512f " in cpuinfo.read()
    except OSError:
        return False


def add_common_arguments(parser, steps, warmup):
    """The options every benchmark takes: the build, steps, rounds, threads, floor and BLAS."""
    parser.add_argument("--build", default=os.path.join(ROOT, "build"),
                        help="the build folder holding bin/dlc and bin/dl-run (build)")
    parser.add_argument("--steps", type=int, default=steps,
                        help=f"timed steps per measurement ({steps})")
    parser.add_argument("--warmup", type=int, default=warmup, help=f"untimed steps first ({warmup})")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement (3)")
    parser.add_argument("--compiles", type=int, default=3, help="dlc runs timed per model (3)")
    parser.add_argument("--threads", type=int, default=2, help="threads of dlc and PyTorch (2)")
    parser.add_argument("--gflops-per-core", type=float, default=230.0,
                        help="peak f32 GFLOP/s of one core, for the floor (230: AVX-512, 2 FMA)")
    parser.add_argument("--openblas", default=next(filter(os.path.isdir, DEBIAN_OPENBLAS), ""),
                        help="folder with OpenBLAS's libblas.so.3 for a second PyTorch run (default: "
                             "Debian's openblas-openmp or openblas-pthread folder where one exists; "
                             "'' for none)")
    parser.add_argument("--no-reference-blas", action="store_true",
                        help="leave out the PyTorch run on the reference BLAS (seconds per step on "
                             "the LSTM) and time only PyTorch + OpenBLAS")
    parser.add_argument("--openblas-core", default="SkylakeX" if has_avx512() else "",
                        help="OPENBLAS_CORETYPE for that run (SkylakeX on AVX-512 CPUs; '' for "
                             "OpenBLAS's own detection)")


def torch_peers(args):
    """(label, environment of the child processes) of each PyTorch configuration."""
    peers = [] if args.no_reference_blas and args.openblas else [("PyTorch", {})]
    if args.openblas:
        if not os.path.exists(os.path.join(args.openblas, "libblas.so.3")):
            sys.exit(f"no libblas.so.3 in {args.openblas}")
        env = {"LD_LIBRARY_PATH": args.openblas, "OPENBLAS_NUM_THREADS": str(args.threads)}
        details = [os.path.basename(os.path.normpath(args.openblas))]
        if args.openblas_core:
            env["OPENBLAS_CORETYPE"] = args.openblas_core
            details.append(f"OPENBLAS_CORETYPE={args.openblas_core}")
        peers.append((f"PyTorch + OpenBLAS ({', '.join(details)})", env))
    return peers


def time_steps(step, steps, warmup):
    """The median seconds of `step()` over `steps` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report_torch(torch, median_s):
    """The line a PyTorch worker prints, which run_torch_worker parses."""
    with open("/proc/self/maps") as maps:
        blas = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1]})
    print(f"torch {torch.__version__} blas {','.join(blas) or 'none'} "
          f"median {1e3 * median_s:.6f} ms/step")


def run_torch_worker(command, env):
    """Runs a PyTorch worker; returns (ms/step, torch version, BLAS libraries loaded)."""
    out = subprocess.run(command, check=True, capture_output=True, text=True,
                         env=dict(os.environ, **env)).stdout
    match = re.search(r"torch (\S+) blas (\S+) median ([0-9.]+) ms/step", out)
    if not match:
        sys.exit(f"unexpected PyTorch output:\n{out}")
    return float(match.group(3)), match.group(1), match.group(2)


def compile_model(dlc, source, output, runs, defines=()):
    """The median wall-clock seconds of `dlc source -o output`, and the median CPU seconds (user +
    system, all threads), which load from other processes inflates less."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([dlc, source, "-o", output, *defines], check=True)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def dl_run_bench(dl_run, model, entry, args):
    """The median ms/step of `dl-run bench` on one entry."""
    command = [dl_run, "bench", model, "--entry", entry, "--steps", str(args.steps), "--warmup",
               str(args.warmup), "--threads", str(args.threads)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    match = re.search(r"median ([0-9.eE+-]+) ms/step", out)
    if not match:
        sys.exit(f"no median in the output of {' '.join(command)}:\n{out}")
    return float(match.group(1))


def torch_step(torch, net, x, y, entry):
    """The step a PyTorch worker times: for "train_step", zero_grad, forward, cross_entropy,
    backward and an Adam step (lr 1e-3, as the examples); for "forward", softmax probabilities in
    eval mode under inference_mode."""
    if entry == "train_step":
        net.train()
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

        def step():
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            optimizer.step()
        return step
    net.eval()

    def step():
        with torch.inference_mode():
            torch.softmax(net(x), dim=-1)
    return step


def measure_rounds(model, entry, dl_run, peers, torch_run, args, blas_seen):
    """--rounds rounds of `dl-run bench` on `entry` and of each PyTorch peer (torch_run(env)),
    taking turns; prints each side's figures and returns {implementation: [ms per round]}."""
    results = {"dlc": []}
    for _ in range(args.rounds):
        results["dlc"].append(dl_run_bench(dl_run, model, entry, args))
        for peer, env in peers:
            ms, version, blas = torch_run(env)
            results.setdefault(peer, []).append(ms)
            blas_seen[peer] = (version, blas)
    for name, rounds in results.items():
        print(f"  {entry} {name}: " + ", ".join(f"{ms:.4g}" for ms in rounds) + " ms/step",
              flush=True)
    return results


def compile_variant(dlc, source, model, args, compiles, label, defines=()):
    """Times `dlc source -o model [defines]` (compile_model), records it in `compiles` for
    print_tables and prints it under `label`."""
    wall_s, cpu_s = compile_model(dlc, source, model, args.compiles, defines=defines)
    command = " ".join([os.path.relpath(source, ROOT), *defines])
    compiles.append((command, wall_s, cpu_s))
    print(f"{label}: dlc {os.path.relpath(source, ROOT)} -o MODEL.so in {wall_s:.2f} s "
          f"({cpu_s:.2f} s of CPU; median of {args.compiles})", flush=True)


def add_rows(rows, label, entry, results, floor_ms):
    """One print_tables row per implementation of measure_rounds' `results`: its best round, and
    that against dlc's best and against the floor."""
    dlc_ms = min(results["dlc"])
    for name, rounds in results.items():
        best = min(rounds)
        rows.append((label, entry, name, best, best / dlc_ms, best / floor_ms, floor_ms))


def print_peers(blas_seen):
    """The torch version and the BLAS libraries each PyTorch peer loaded (measure_rounds)."""
    for peer, (version, blas) in blas_seen.items():
        print(f"{peer}: torch {version}, BLAS loaded: {blas}")


def print_tables(rows, compiles, compile_runs):
    """The Markdown tables of a run: one row per (model, entry, implementation) with ms/step and
    its ratios to dlc and to the floor, the floors, then the compile times."""
    print("| model | entry | implementation | ms/step | / dlc | / floor |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, entry, name, ms, vs_dlc, vs_floor, floor_ms in rows:
        print(f"| {label} | {entry} | {name} | {ms:.3f} | {vs_dlc:.2f}x | {vs_floor:.1f}x |")
    floors = sorted({(row[1], row[6]) for row in rows}, reverse=True)
    for entry, floor_ms in floors:
        print(f"| | {entry} | floor | {floor_ms:.3f} | | 1.0x |")
    print()
    print(f"| dlc compile (median of {compile_runs}) | wall s | CPU s (user + system) |")
    print("| --- | --- | --- |")
    for source, wall_s, cpu_s in compiles:
        print(f"| `dlc {source} -o MODEL.so` | {wall_s:.2f} | {cpu_s:.2f} |")
