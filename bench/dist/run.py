#!/usr/bin/python3
"""bench/dist/run.py — data-parallel training on this machine: one process against two MPI ranks.

For the Fashion-MNIST MLP (examples/fashion_mlp.dl, global batch G = 128) and the CNN, plain and
with batch norm (examples/fashion_cnn.dl and fashion_cnn_bn.dl, G = 64, as bench/cnn), each
compiled at batch G and G/2 (`dlc -D B=...`), it times `dl-run train --data fashion-mnist` run
  - as 1 process x 2 threads at batch G (the train entry, fused: the baseline),
  - as 1 process x 2 threads at batch G/2 (for the cost model's step time against batch),
  - under `mpirun -np 1`, 1 x 2 threads at batch G: the split step (grad, a one-rank all-reduce,
    apply) that every rank of a data-parallel job runs,
  - under `mpirun -np 2`, 2 ranks x 1 thread at batch G/2 each (the same global batch, so the
    same update up to dropout's masks and batch norm's per-rank statistics), with the tests'
    `--mca btl_vader_single_copy_mechanism none` and with CMA single-copy transfers,
  - as 2 independent processes x 1 thread at batch G/2 at once, without MPI: the two ranks' work
    without the all-reduce and without waiting for each other,
each in --rounds rounds taking turns, each run started once other processes leave the cores idle
(--wait-idle) and printed with the share of the cores they took meanwhile; each ms/step is the
best round's median over the run's steps, each all-reduce time the least over the rounds.
dl-run prints a progress line at each tenth of an epoch with the samples per second since the
epoch began; the script turns those lines into the seconds of each tenth and takes the median
ms/step over them (the first tenth of the run, warm-up, left out).

Under mpirun every rank loads bench/dist/collective_timer.c (built with mpicc, LD_PRELOAD), which
records each MPI_Allreduce, MPI_Bcast and MPI_Barrier: the gradient all-reduce of each step,
measured inside training (on the rank that arrives last, which waits for no one, and on the one
that waits). The same all-reduce is also timed alone: `mpirun -np 2 run.py --allreduce-worker`
calls libdlrt_mpi's all_reduce_sum_f32 (the function dl-run's ranks call) through ctypes on the
gradient area's byte count (dl_entry_info.grad_bytes, read through the Python package) and on
4 bytes (the latency).

Last, a cost model: ring all-reduce time = 2(N-1)/N x bytes / bandwidth + 2(N-1) x latency,
projected to N nodes of this machine (weak scaling: batch G per node), each step's compute time
being the one measured here (1 process x 2 threads, batch G); it prints the scaling efficiency
compute / (compute + all-reduce), and compute / max(compute, all-reduce) for an all-reduce
entirely hidden behind the computation, and the batch per node that keeps each at 90% (compute
time taken as a + c x batch through the two measured batch sizes).

Run under /usr/bin/python3: bench/dist/run.py --build build
"""

import argparse
import ctypes
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import ROOT, compile_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = [  # (label, .dl file, global batch G, dl-run train arguments: 200 steps or more at G)
    ("MLP", os.path.join(ROOT, "examples", "fashion_mlp.dl"), 128, ["--epochs", "3"]),
    ("CNN", os.path.join(ROOT, "examples", "fashion_cnn.dl"), 64, ["--limit", "12800"]),
    ("CNN + batch norm", os.path.join(ROOT, "examples", "fashion_cnn_bn.dl"), 64,
     ["--limit", "12800"]),
]
# test/CMakeLists.txt's DL_MPIRUN_FLAGS, less the single-copy mechanism, which each run names.
MPIRUN_FLAGS = ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
                "--mca", "btl", "self,vader"]
COPY_MECHANISMS = {"none": ["--mca", "btl_vader_single_copy_mechanism", "none"],
                   "CMA": ["--mca", "btl_vader_single_copy_mechanism", "cma"]}
PROGRESS = re.compile(r"^(?:\[\d+,(\d+)\]<stderr>:)?epoch (\d+)/\d+\s+batch (\d+)/\d+\s+"
                      r"loss \S+\s+(\d+) samples/s")


# --- the all-reduce alone: a mode of this script under mpirun (--allreduce-worker) ---

class Communicator(ctypes.Structure):
    """dl_communicator of dl/runtime.h."""
    _fields_ = [
        ("rank", ctypes.c_int), ("size", ctypes.c_int), ("context", ctypes.c_void_p),
        ("all_reduce_sum_f32", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                                ctypes.c_size_t)),
        ("broadcast", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                       ctypes.c_size_t, ctypes.c_int)),
        ("barrier", ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)),
        ("last_error", ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.c_void_p)),
    ]


def allreduce_worker(args):
    """One rank: for each byte count, --allreduce-repeats batches of back-to-back all-reduces
    (each batch at least 50 calls and 20 ms) after 20 untimed calls; prints the median
    microseconds per call of the batches."""
    import numpy as np

    # RTLD_GLOBAL: Open MPI's components, loaded later by MPI_Init, resolve libmpi's symbols.
    mpi = ctypes.CDLL(os.path.join(args.build, "lib", "libdlrt_mpi.so.0"), mode=ctypes.RTLD_GLOBAL)
    comm = Communicator()
    if mpi.dl_mpi_communicator_create(ctypes.byref(comm)) != 0:
        sys.exit("dl_mpi_communicator_create failed")
    for size in args.allreduce_worker:
        data = np.zeros(max(1, size // 4), dtype=np.float32)  # zeros: the sums stay 0
        pointer, count = data.ctypes.data, data.size

        def calls(n):
            for _ in range(n):
                if comm.all_reduce_sum_f32(comm.context, pointer, count) != 0:
                    sys.exit("all_reduce_sum_f32 failed")

        calls(20)
        start = time.perf_counter()
        calls(50)
        per_call = (time.perf_counter() - start) / 50
        # The same number of calls on every rank: rank 0's choice, broadcast.
        n = np.array([max(50, int(0.02 / max(per_call, 1e-9)))], dtype=np.int64)
        comm.broadcast(comm.context, n.ctypes.data, n.nbytes, 0)
        times = []
        for _ in range(args.allreduce_repeats):
            comm.barrier(comm.context)
            start = time.perf_counter()
            calls(int(n[0]))
            times.append((time.perf_counter() - start) / int(n[0]))
        print(f"rank {comm.rank} bytes {count * 4} median_us {1e6 * statistics.median(times):.3f}",
              flush=True)
    mpi.dl_mpi_communicator_destroy(ctypes.byref(comm))
    return 0


def time_allreduce_alone(args, sizes, mechanism):
    """{bytes: microseconds per all-reduce on 2 ranks} (the slower rank's median), or {} when the
    run fails (CMA refused)."""
    command = [args.mpirun, *MPIRUN_FLAGS, *COPY_MECHANISMS[mechanism], "-np", "2",
               sys.executable, os.path.abspath(__file__), "--build", args.build,
               "--allreduce-worker", *map(str, sizes)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"all-reduce alone, {mechanism}: failed\n{done.stderr[-2000:]}", flush=True)
        return {}
    result = {}
    for match in re.finditer(r"rank \d+ bytes (\d+) median_us ([0-9.]+)", done.stdout):
        size, us = int(match.group(1)), float(match.group(2))
        result[size] = max(result.get(size, 0.0), us)
    return result


# --- other processes on this shared machine ---

def cpu_busy_seconds():
    """CPU seconds spent busy on all cores since boot (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_until_idle(limit_s):
    """Waits, at most limit_s seconds, until other processes use under 10% of the machine over
    one second; returns that share when it stopped waiting."""
    deadline = time.monotonic() + limit_s
    while True:
        busy = cpu_busy_seconds()
        time.sleep(1.0)
        share = (cpu_busy_seconds() - busy) / os.cpu_count()
        if share < 0.1 or time.monotonic() >= deadline:
            return share
        time.sleep(2.0)


class OthersMeter:
    """The share of the machine's cores that processes other than this script's children used
    while it was open: busy CPU time from /proc/stat less the children's user and system time."""

    def __enter__(self):
        self.start = (time.monotonic(), cpu_busy_seconds(), children_cpu_seconds())
        return self

    def __exit__(self, *_):
        wall, busy, ours = self.start
        wall = time.monotonic() - wall
        others = (cpu_busy_seconds() - busy) - (children_cpu_seconds() - ours)
        self.share = max(0.0, others / (wall * os.cpu_count()))


# --- dl-run train, one configuration ---

def step_seconds(stderr, batch_per_rank):
    """The median seconds per step over the tenths of the epochs of rank 0's progress lines
    (`epoch E/N  batch D/T  loss L  R samples/s`, R counting the B samples of rank 0's batches:
    the elapsed time is D x B / R), the run's first tenth left out."""
    tenths, last = [], {}
    for line in stderr.splitlines():
        match = PROGRESS.match(line)
        if not match or (match.group(1) not in (None, "0")):
            continue
        epoch, done, rate = int(match.group(2)), int(match.group(3)), int(match.group(4))
        elapsed = done * batch_per_rank / rate
        before_done, before_elapsed = last.get(epoch, (0, 0.0))
        if done > before_done:
            tenths.append((done - before_done, elapsed - before_elapsed))
        last[epoch] = (done, elapsed)
    tenths = tenths[1:]
    if not tenths:
        return None
    return statistics.median(seconds / steps for steps, seconds in tenths)


def collective_times(prefix, grad_bytes, ranks):
    """From collective_timer.c's files: the median seconds of a gradient all-reduce on the rank
    that arrived last (the shortest of each call's durations) and on the rank that waited (the
    longest), and the seconds per step of the other collectives between the first and the last
    gradient all-reduce (batch norm's buffer broadcasts; evaluation's sums are not per step),
    each on the last rank to arrive; the first tenth of the calls left out."""
    calls = []
    for rank in range(ranks):
        with open(f"{prefix}.{rank}") as lines:
            calls.append([(kind, int(size), float(seconds))
                          for kind, size, _, seconds in (line.split() for line in lines)])
    if len({len(c) for c in calls}) != 1:
        return None
    paired = [(c[0][0], c[0][1], [r[2] for r in c]) for c in zip(*calls)]
    grads = [i for i, (kind, size, _) in enumerate(paired)
             if kind == "allreduce" and size == grad_bytes]
    if len(grads) < 10:
        return None
    kept = grads[len(grads) // 10:]
    fastest = statistics.median(min(paired[i][2]) for i in kept)
    slowest = statistics.median(max(paired[i][2]) for i in kept)
    broadcasts = [min(paired[i][2]) for i in range(kept[0], kept[-1]) if paired[i][0] == "bcast"]
    steps = max(1, len(kept) - 1)
    return {"fastest": fastest, "slowest": slowest, "bcast_s": sum(broadcasts) / steps,
            "bcasts_per_step": len(broadcasts) / steps}


def train_command(dl_run, model, threads, extra):
    return [dl_run, "train", model, "--data", "fashion-mnist", "--threads", str(threads),
            *extra]


def run_config(config, model_so, half_so, batch, extra, grad_bytes, args, work):
    """One run of one configuration; returns {"step": seconds per global step, ...} or None."""
    dl_run = os.path.join(args.build, "bin", "dl-run")
    if config in ("1x2", "1x2 half"):
        so, b = (model_so, batch) if config == "1x2" else (half_so, batch // 2)
        done = subprocess.run(train_command(dl_run, so, 2, ["--distributed", "none", *extra]),
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"dl-run failed:\n{done.stderr[-2000:]}")
        return {"step": step_seconds(done.stderr, b)}
    if config == "2 alone":
        command = train_command(dl_run, half_so, 1, ["--distributed", "none", *extra])
        children = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True) for _ in range(2)]
        steps = [step_seconds(child.communicate()[1], batch // 2) for child in children]
        if any(child.returncode != 0 for child in children) or None in steps:
            sys.exit("dl-run failed (2 alone)")
        # The pair's samples per second, (G/2)/s0 + (G/2)/s1, as the seconds of one step of G.
        return {"step": 2 / sum(1 / s for s in steps)}
    ranks, so, threads, b, mechanism = {
        "split": (1, model_so, 2, batch, "none"),
        "2x1 none": (2, half_so, 1, batch // 2, "none"),
        "2x1 CMA": (2, half_so, 1, batch // 2, "CMA"),
    }[config]
    prefix = os.path.join(work, "collectives")
    for old in (f"{prefix}.{r}" for r in range(ranks)):
        if os.path.exists(old):
            os.remove(old)
    command = [args.mpirun, *MPIRUN_FLAGS, *COPY_MECHANISMS[mechanism], "--tag-output",
               "-x", f"LD_PRELOAD={args.timer}", "-x", f"DL_COLLECTIVE_TIMES={prefix}",
               "-np", str(ranks), *train_command(dl_run, so, threads, extra)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{config}: mpirun failed\n{done.stderr[-2000:]}", flush=True)
        return None
    # mpirun --tag-output prefixes each line with [job,rank]<stream>:, and rank 1 hands over its
    # progress lines at the end (it prints nothing else): keep rank 0's.
    result = {"step": step_seconds(done.stdout + "\n" + done.stderr, b)}
    result.update(collective_times(prefix, grad_bytes, ranks) or {})
    return result


CONFIGS = [  # (key, ranks x threads, batch per rank as a fraction of G, what)
    ("1x2", "1 x 2", 1, "1 process, fused train entry"),
    ("1x2 half", "1 x 2", 2, "1 process, fused, half the batch"),
    ("split", "1 x 2", 1, "mpirun -np 1: grad, all-reduce, apply"),
    ("2x1 none", "2 x 1", 2, "mpirun -np 2, single copy none (tests' flags)"),
    ("2x1 CMA", "2 x 1", 2, "mpirun -np 2, CMA single copy"),
    ("2 alone", "2 x 1", 2, "2 processes without MPI (no all-reduce)"),
]


# --- the cost model ---

def ring_allreduce_s(size, nodes, gbps, latency_us):
    """Ring all-reduce: 2(N-1)/N x bytes / bandwidth + 2(N-1) x latency."""
    return 2 * (nodes - 1) / nodes * size / (gbps * 1e9 / 8) + 2 * (nodes - 1) * latency_us * 1e-6


def batch_for(efficiency_bound, comm_s, fit, overlap):
    """The smallest batch per node b with compute(b) = a + c b reaching the efficiency bound:
    a + c b >= e/(1-e) x comm without overlap, >= e x comm with a perfectly hidden all-reduce;
    "any" when a, the per-step cost that does not grow with the batch, is already enough."""
    a, c = fit
    need = comm_s * (efficiency_bound if overlap else efficiency_bound / (1 - efficiency_bound))
    if need <= a:
        return "any"
    return str(int(-(-(need - a) // c)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"),
                        help="the build folder holding bin/dlc, bin/dl-run and lib/ (build)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement (3)")
    parser.add_argument("--models", default="MLP,CNN,CNN + batch norm",
                        help="comma-separated labels of the models to run (all three)")
    parser.add_argument("--mpirun", default="mpirun", help="Open MPI's mpirun (mpirun)")
    parser.add_argument("--mpicc", default="mpicc", help="compiles collective_timer.c (mpicc)")
    parser.add_argument("--allreduce-repeats", type=int, default=15,
                        help="batches of all-reduces timed per size (15)")
    parser.add_argument("--wait-idle", type=float, default=60,
                        help="before each run, wait up to this many seconds for other processes "
                             "to use under 10%% of the cores (60)")
    parser.add_argument("--nodes", default="8,64", help="node counts of the projection (8,64)")
    parser.add_argument("--ethernet", default="25,15",
                        help="Ethernet's Gb/s and latency in us per message (25,15)")
    parser.add_argument("--infiniband", default="200,1.5",
                        help="InfiniBand's Gb/s and latency in us per message (200,1.5)")
    parser.add_argument("--allreduce-worker", type=int, nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    if args.allreduce_worker:
        return allreduce_worker(args)

    models = [m for m in MODELS if m[0] in args.models.split(",")]
    dlc_path = os.path.join(args.build, "bin", "dlc")
    sys.path.insert(0, os.path.join(ROOT, "python"))
    os.environ.setdefault("DLC_LOADER", os.path.join(args.build, "lib", "libdlrt_loader.so.0"))
    import dlc

    load_start = os.getloadavg()
    results = {}  # (model, config) -> [run results]
    info = {}  # model -> (grad_bytes, .so at G, .so at G/2)
    with tempfile.TemporaryDirectory(prefix="dlc-bench-dist-") as work:
        args.timer = os.path.join(work, "libcollective_timer.so")
        subprocess.run([args.mpicc, "-shared", "-fPIC", "-O2",
                        os.path.join(HERE, "collective_timer.c"), "-o", args.timer], check=True)
        for label, source, batch, _ in models:
            paths = []
            for b in (batch, batch // 2):
                path = os.path.join(work, f"{os.path.basename(source)[:-3]}_{b}.so")
                wall_s, _ = compile_model(dlc_path, source, path, 1, ["-D", f"B={b}"])
                print(f"{label}: dlc {os.path.relpath(source, ROOT)} -D B={b} in {wall_s:.1f} s",
                      flush=True)
                paths.append(path)
            lib = dlc.load(paths[0])
            grad_bytes = lib.instance(threads=1).gradients("train_step").nbytes
            info[label] = (grad_bytes, *paths)

        sizes = sorted({4, *(g for g, _, _ in info.values())})
        alone = {mechanism: [] for mechanism in COPY_MECHANISMS}
        for round_ in range(args.rounds):
            for label, source, batch, extra in models:
                grad_bytes, model_so, half_so = info[label]
                for config, _, _, _ in CONFIGS:
                    wait_until_idle(args.wait_idle)
                    with OthersMeter() as others:
                        result = run_config(config, model_so, half_so, batch, extra, grad_bytes,
                                            args, work)
                    if result:
                        result["load"] = others.share
                    results.setdefault((label, config), []).append(result)
                    step = result and result.get("step")
                    print(f"round {round_ + 1} {label} {config}: "
                          + (f"{1e3 * step:.3f} ms/step" if step else "failed")
                          + (f", all-reduce {1e6 * result['fastest']:.0f} us (last rank in)"
                             if result and "fastest" in result else "")
                          + f"; other processes {100 * others.share:.0f}% of the cores",
                          flush=True)
            for mechanism in COPY_MECHANISMS:
                wait_until_idle(args.wait_idle)
                alone[mechanism].append(time_allreduce_alone(args, sizes, mechanism))
                print(f"round {round_ + 1} all-reduce alone, {mechanism}: "
                      + ", ".join(f"{s} B {us:.1f} us" for s, us in alone[mechanism][-1].items()),
                      flush=True)

    def best(label, config):
        """The round with the shortest step, or None."""
        runs = [r for r in results.get((label, config), []) if r and r.get("step")]
        return min(runs, key=lambda r: r["step"]) if runs else None

    def least(label, config, key):
        """The least `key` over the rounds of a configuration, or None."""
        values = [r[key] for r in results.get((label, config), []) if r and key in r]
        return min(values) if values else None

    def best_alone(mechanism, size):
        values = [r[size] for r in alone[mechanism] if size in r]
        return min(values) if values else None

    load_end = os.getloadavg()
    print()
    print(f"{args.rounds} rounds; each ms/step is the configuration's best round, each "
          f"all-reduce time its least over the rounds; load average "
          f"{load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end. others' CPU: the "
          f"share of the {os.cpu_count()} cores that other processes used during that run.")
    mpi_version = subprocess.run([args.mpirun, "--version"], capture_output=True,
                                 text=True).stdout.splitlines()[:1]
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                    if line.startswith("model name")), "?")
    print(f"{cpu}, {os.cpu_count()} cores; {' '.join(mpi_version)}: mpirun "
          f"{' '.join(MPIRUN_FLAGS)} --mca btl_vader_single_copy_mechanism none|cma")
    print()
    print("| model | run | ranks x threads | batch per rank | ms/step | samples/s | / 1 x 2 fused "
          "| others' CPU |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, _, batch, _ in models:
        base = best(label, "1x2")
        for config, shape, fraction, what in CONFIGS:
            r = best(label, config)
            if not r:
                print(f"| {label} | {what} | {shape} | {batch // fraction} | failed | | | |")
                continue
            global_batch = batch if config != "1x2 half" else batch // 2
            rate = global_batch / r["step"]
            ratio = rate / (batch / base["step"]) if base else float("nan")
            print(f"| {label} | {what} | {shape} | {batch // fraction} | {1e3 * r['step']:.3f} | "
                  f"{rate:.0f} | {ratio:.2f}x | {100 * r.get('load', 0):.0f}% |")

    print()
    print("| bytes all-reduced | 2 ranks, alone: single copy none | CMA |")
    print("| --- | --- | --- |")
    for size in sizes:
        cells = []
        for mechanism in COPY_MECHANISMS:
            us = best_alone(mechanism, size)
            cells.append("failed" if us is None else
                         f"{us:.1f} us" + (f" ({size / us / 1e3:.2f} GB/s)" if size > 4 else ""))
        print(f"| {size} | {' | '.join(cells)} |")

    print()
    print("| model | gradient bytes | copy | 2 x 1 ms/step | all-reduce alone | in training: "
          "last rank in | rank that waits | other collectives per step | share of the step: "
          "alone | in training |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, _, _, _ in models:
        grad_bytes = info[label][0]
        for mechanism in COPY_MECHANISMS:
            config = f"2x1 {mechanism}"
            r = best(label, config)
            us = best_alone(mechanism, grad_bytes)
            if not r or "fastest" not in r or us is None:
                print(f"| {label} | {grad_bytes} | {mechanism} | failed | | | | | | |")
                continue
            fastest, slowest = least(label, config, "fastest"), least(label, config, "slowest")
            others = (f"{r['bcasts_per_step']:.0f} broadcasts, "
                      f"{1e6 * least(label, config, 'bcast_s'):.0f} us"
                      if r["bcasts_per_step"] else "none")
            print(f"| {label} | {grad_bytes} | {mechanism} | {1e3 * r['step']:.3f} | {us:.0f} us "
                  f"| {1e6 * fastest:.0f} us | {1e6 * slowest:.0f} us | {others} | "
                  f"{100 * us * 1e-6 / r['step']:.1f}% | {100 * fastest / r['step']:.1f}% |")

    nodes = [int(n) for n in args.nodes.split(",")]
    networks = []
    for name, spec in (("Ethernet", args.ethernet), ("InfiniBand", args.infiniband)):
        gbps, latency = map(float, spec.split(","))
        networks.append((f"{name} {gbps:g} Gb/s, {latency:g} us", gbps, latency))
    print()
    print("Ring all-reduce model, weak scaling at batch G per node of this machine (1 x 2 "
          "threads); compute(b) = a + c b through the fused 1 x 2 steps at G and G/2.")
    print()
    print("| model | network | nodes | compute ms/step | all-reduce ms | efficiency | with the "
          "all-reduce hidden | batch per node for 90% | hidden |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    fits = []
    for label, _, batch, _ in models:
        full, half = best(label, "1x2"), best(label, "1x2 half")
        if not full or not half:
            continue
        c = max(1e-12, (full["step"] - half["step"]) / (batch - batch // 2))
        a = max(0.0, full["step"] - c * batch)
        compute = full["step"]
        grad_bytes = info[label][0]
        for network, gbps, latency in networks:
            for n in nodes:
                comm = ring_allreduce_s(grad_bytes, n, gbps, latency)
                print(f"| {label} (G = {batch}) | {network} | {n} | {1e3 * compute:.3f} | "
                      f"{1e3 * comm:.3f} | {100 * compute / (compute + comm):.0f}% | "
                      f"{100 * compute / max(compute, comm):.0f}% | "
                      f"{batch_for(0.9, comm, (a, c), False)} | "
                      f"{batch_for(0.9, comm, (a, c), True)} |")
        fits.append(f"{label}: a = {1e3 * a:.3f} ms, c = {1e6 * c:.2f} us per sample")
    print()
    print("compute(b) = a + c b: " + "; ".join(fits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
