#!/usr/bin/python3
"""run_dist.py - data-parallel dl-run under mpirun against one process (test/dist, label mpi).

    run_dist.py CASE --dlc DLC --dl-run DL_RUN --work DIR [--prebuilt DIR] -- MPIRUN [FLAGS...] -n 2

Each case takes its models from --prebuilt (where the case `models` compiled all of them from
test/dist/models with the build's dlc), or compiles those missing there into DIR (a scratch folder
under the build tree, emptied first); writes its data with NumPy; runs dl-run in one process and
under the mpirun prefix after `--` (two ranks); and compares what they print and save. Every child
runs in its own process group under a time limit and is killed with its group past it, so nothing
hangs. Exit status 0 when every check holds, 1 with a FAIL line otherwise, 77 without NumPy.

Cases (CMakeLists.txt here names the ctest test of each):
  models          compiles every model of MODEL_SET into DIR, two at a time
  sgd, adam-clip  2 ranks of batch 8 against 1 process of batch 16, 20 steps through --inputs:
                  per-step losses and the final checkpoint (parameters and optimizer state)
  gan             a small GAN's two train steps in turn on every batch of an IDX data set, 2 epochs
  accumulate      `accumulate = 2` in the train block (its updating calls' losses), `dl-run train
                  --accumulate 2` and 2 ranks x --accumulate 2, each against one process of the
                  whole batch: losses per update and the checkpoint
  kill-rank0, kill-rank1  kill -9 of one rank training on an IDX data set, once the second epoch
                  has ended: mpirun ends nonzero within 30 s, and no rank outlives it
  bad-file        rank 1 alone reads a truncated --inputs file, then a truncated IDX file: the job
                  ends nonzero within 30 s, naming the file and the rank
  checkpoint      a 2-rank --save resumed by one process equals one process throughout; rank 1 (run
                  in another folder) writes nothing, and no temporary file stays behind
  data            --data sharding: the epoch lines, test accuracy and checkpoint of 2 ranks x 8 and
                  of 2 ranks x --accumulate 2 x 4 equal those of 1 process x 16, with shuffling;
                  `dl-run eval` on 2 ranks prints the accuracy and loss of one process
  quiet-ranks     only rank 0 writes to standard output and standard error in a successful run
                  (fails today: rank 1 writes its progress lines as it exits)

Numbers are equal when |a - b| <= 1e-5 * max(1, |a|, |b|): absolute below 1, relative above.
Numbers dl-run prints rounded (the epoch losses, %.4f) may differ by one unit of their last digit.
distlib.py holds what the cases share; `run_dist.py exec-rank ...` is the wrapper the fault cases
put between mpirun and dl-run.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import time

try:
    from distlib import (RUN_LIMIT_S, TOLERANCE, Failure, alive, check, classification_data,
                         compare_checkpoints, compare_epoch_lines, compare_series, epoch_lines,
                         image_dataset, kill_group, printed_equal, read_losses, read_pids, run,
                         save_batches, wait_gone)
except ModuleNotFoundError as missing:
    if missing.name != "numpy":
        raise
    print("skipped: no NumPy under " + sys.executable)
    sys.exit(77)


MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
FAULT_LIMIT_S = 30  # a failing rank must end the job within this


# --- Where the cases run ------------------------------------------------------------------------

def model_name(source, defines):
    return source + "".join("-%s%s" % (k, v) for k, v in sorted(defines.items())) + ".so"


class Context:
    def __init__(self, args):
        # Absolute: some runs move into folders of their own.
        self.dlc, self.dlrun = os.path.abspath(args.dlc), os.path.abspath(args.dl_run)
        self.work, self.mpirun = os.path.abspath(args.work), args.mpirun
        self.prebuilt = args.prebuilt and os.path.abspath(args.prebuilt)
        self.models = {}

    def path(self, *names):
        return os.path.join(self.work, *names)

    def compile(self, source, **defines):
        """The .so of models/<source>.dl with -D NAME=VALUE for each define: the one in --prebuilt
        (the case `models` wrote it), else compiled here once."""
        name = model_name(source, defines)
        if self.prebuilt and os.path.exists(os.path.join(self.prebuilt, name)):
            return os.path.join(self.prebuilt, name)
        if name not in self.models:
            cmd = [self.dlc, os.path.join(MODELS, source + ".dl"), "-o", self.path(name)]
            for key, value in sorted(defines.items()):
                cmd += ["-D", "%s=%s" % (key, value)]
            run(cmd)
            self.models[name] = self.path(name)
        return self.models[name]

    def one(self, *args, **kw):
        """dl-run in one process."""
        return run([self.dlrun] + list(args), **kw)

    def ranks(self, *args, **kw):
        """dl-run on the ranks of the mpirun prefix."""
        return run(self.mpirun + [self.dlrun] + list(args), **kw)

    def wrapped(self, wrapper_args, *args):
        """The mpirun prefix, then exec-rank with `wrapper_args`, then dl-run with `args`."""
        return (self.mpirun + [sys.executable, os.path.abspath(__file__), "exec-rank"] +
                wrapper_args + ["--", self.dlrun] + list(args))


# --- Cases --------------------------------------------------------------------------------------

def parity(ctx, source, steps=20, batch=16):
    """2 ranks x batch/2 against 1 process x batch through --inputs, `steps` steps."""
    x, y = classification_data(steps * batch)
    whole, half = ctx.compile(source, B=batch), ctx.compile(source, B=batch // 2)
    by_whole = save_batches(ctx.work, "b%d" % batch, x, y, batch)
    by_half = save_batches(ctx.work, "b%d" % (batch // 2), x, y, batch // 2)
    ctx.one("train", whole, "--inputs", by_whole, "--steps", str(steps),
            "--losses", ctx.path("one.csv"), "--save", ctx.path("one.ckpt"))
    two = ctx.ranks("train", half, "--inputs", by_half, "--steps", str(steps),
                    "--losses", ctx.path("two.csv"), "--save", ctx.path("two.ckpt"))
    check(two.out.count("steps %d" % steps) == 1, "2 ranks: expected one summary line from rank 0\n"
          + two.describe())
    compare_series("per-step losses, 2 ranks x %d" % (batch // 2), read_losses(ctx.path("two.csv")),
                   read_losses(ctx.path("one.csv")))
    compare_checkpoints("final checkpoint, 2 ranks x %d" % (batch // 2), ctx.path("two.ckpt"),
                        ctx.path("one.ckpt"), step=steps)


def case_sgd(ctx):
    parity(ctx, "mlp")


def case_adam_clip(ctx):
    parity(ctx, "mlp_adam_clip")


def case_gan(ctx):
    data = image_dataset(ctx.path("images"))
    whole, half = ctx.compile("gan", B=16), ctx.compile("gan", B=8)
    common = ["--data", data, "--pixels", "unit", "--epochs", "2"]
    one = ctx.one("train", whole, *common, "--save", ctx.path("one.ckpt"))
    two = ctx.ranks("train", half, *common, "--save", ctx.path("two.ckpt"))
    want, got = epoch_lines(one), epoch_lines(two)
    check(want[0][1][0] == "disc_step" and want[0][1][2] == "gen_step",
          "expected the losses of disc_step and gen_step\n" + one.describe())
    compare_epoch_lines("2 ranks x 8", got, want)
    # 250 samples in global batches of 16: 15 updates of each step per epoch.
    compare_checkpoints("both steps' checkpoint, 2 ranks x 8", ctx.path("two.ckpt"),
                        ctx.path("one.ckpt"), step=60)


def case_accumulate(ctx):
    steps = 20
    x, y = classification_data(steps * 32)
    m8, m16, m32 = (ctx.compile("mlp", B=b) for b in (8, 16, 32))
    block = ctx.compile("mlp", B=8, ACC=2)
    half = x[:steps * 16], y[:steps * 16]
    by8 = save_batches(ctx.work, "half-b8", *half, 8)
    by16 = save_batches(ctx.work, "half-b16", *half, 16)

    ctx.one("train", m16, "--inputs", by16, "--steps", str(steps), "--losses", ctx.path("b16.csv"),
            "--save", ctx.path("b16.ckpt"))
    want = read_losses(ctx.path("b16.csv"))

    # `accumulate = 2` in the block: every second call updates and returns the mean of its two
    # batches; the calls between return their own batch's loss.
    ctx.one("train", block, "--inputs", by8, "--steps", str(2 * steps),
            "--losses", ctx.path("block.csv"), "--save", ctx.path("block.ckpt"))
    calls = read_losses(ctx.path("block.csv"))
    compare_series("accumulate = 2 x 8: updating calls' losses", calls[1::2], want)
    # The first call returns batch 1's own loss at the initial parameters, as a batch-8 step does.
    ctx.one("train", m8, "--inputs", by8, "--steps", "1", "--losses", ctx.path("first.csv"))
    first = read_losses(ctx.path("first.csv"))[0]
    check(abs(calls[0] - first) <= TOLERANCE * max(1, abs(first)),
          "accumulate = 2 x 8: the first call returned %.9g, not its batch's loss %.9g"
          % (calls[0], first))
    print("  %-44s %.9g, its own batch's" % ("accumulate = 2 x 8: first call's loss", calls[0]))
    compare_checkpoints("accumulate = 2 x 8: checkpoint", ctx.path("block.ckpt"), ctx.path("b16.ckpt"),
                        step=steps)

    ctx.one("train", m8, "--inputs", by8, "--steps", str(steps), "--accumulate", "2",
            "--losses", ctx.path("flag.csv"), "--save", ctx.path("flag.ckpt"))
    compare_series("--accumulate 2 x 8: losses per update", read_losses(ctx.path("flag.csv")), want)
    compare_checkpoints("--accumulate 2 x 8: checkpoint", ctx.path("flag.ckpt"), ctx.path("b16.ckpt"),
                        step=steps)

    ctx.one("train", m32, "--inputs", save_batches(ctx.work, "b32", x, y, 32), "--steps", str(steps),
            "--losses", ctx.path("b32.csv"), "--save", ctx.path("b32.ckpt"))
    ctx.ranks("train", m8, "--inputs", save_batches(ctx.work, "b8", x, y, 8), "--steps", str(steps),
              "--accumulate", "2", "--losses", ctx.path("ranks.csv"), "--save", ctx.path("ranks.ckpt"))
    compare_series("2 ranks x --accumulate 2 x 8: losses", read_losses(ctx.path("ranks.csv")),
                   read_losses(ctx.path("b32.csv")))
    compare_checkpoints("2 ranks x --accumulate 2 x 8: checkpoint", ctx.path("ranks.ckpt"),
                        ctx.path("b32.ckpt"), step=steps)



def kill_rank(ctx, victim):
    # Epochs of a few milliseconds, each ending in a line on standard output: the second shows that
    # both ranks train, having met in every update of the first.
    data = image_dataset(ctx.path("images"))
    model = ctx.compile("mlp", B=8, IN=16, C=3)
    pid_folder, log_path = ctx.path("pids"), ctx.path("mpirun.log")
    os.makedirs(pid_folder)
    cmd = ctx.wrapped(["--pids", pid_folder], "train", model, "--data", data, "--epochs", "100000000")
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log_text():
        with open(log_path) as f:
            return f.read()

    def output():
        return "  | " + "\n  | ".join(log_text().splitlines()[-8:])

    try:
        deadline = time.monotonic() + RUN_LIMIT_S
        while len(read_pids(pid_folder)) < 2 or not re.search(r"^epoch 2/", log_text(), re.M):
            if proc.poll() is not None:
                raise Failure("mpirun ended (status %s) before training:\n%s"
                              % (proc.returncode, output()))
            check(time.monotonic() < deadline, "no second epoch within %d s" % RUN_LIMIT_S)
            time.sleep(0.05)
        pids = read_pids(pid_folder)
        if proc.poll() is not None or not all(alive(p) for p in pids.values()):
            raise Failure("training ended before the kill (mpirun: %s):\n%s" % (proc.poll(), output()))
        os.kill(pids[victim], signal.SIGKILL)
        killed = time.monotonic()
        try:
            proc.wait(timeout=2 * FAULT_LIMIT_S)
        except subprocess.TimeoutExpired:
            raise Failure("mpirun still ran %d s after rank %d was killed:\n%s"
                          % (2 * FAULT_LIMIT_S, victim, output()))
        seconds = time.monotonic() - killed
    finally:
        if proc.poll() is None:
            kill_group(proc)
            proc.wait()
        log.close()
    print(output())
    check(proc.returncode != 0, "mpirun exited 0 although rank %d was killed" % victim)
    check(seconds <= FAULT_LIMIT_S, "mpirun took %.1f s after the kill, more than %d s"
          % (seconds, FAULT_LIMIT_S))
    wait_gone(pids, "kill -9 of rank %d" % victim)
    print("  kill -9 of rank %d (pid %d): mpirun exited %d after %.1f s, no rank left"
          % (victim, pids[victim], proc.returncode, seconds))


def case_kill_rank0(ctx):
    kill_rank(ctx, 0)


def case_kill_rank1(ctx):
    kill_rank(ctx, 1)


def expect_rank1_failure(ctx, what, bad_path, wrapper_args, *args):
    result = run(ctx.wrapped(wrapper_args, *args), limit=2 * FAULT_LIMIT_S, expect_ok=False)
    text = result.out + result.err
    check(result.status != 0, "%s: mpirun exited 0\n%s" % (what, result.describe()))
    check(result.seconds <= FAULT_LIMIT_S, "%s: the job took %.1f s, more than %d s\n%s"
          % (what, result.seconds, FAULT_LIMIT_S, result.describe()))
    lines = [line for line in text.splitlines() if bad_path in line]
    check(any("rank 1" in line for line in lines),
          "%s: no message names both %s and rank 1\n%s" % (what, bad_path, result.describe()))
    print("  %s: mpirun exited %d after %.1f s: %s" % (what, result.status, result.seconds, lines[0]))


def case_bad_file(ctx):
    x, y = classification_data(40 * 8)
    model = ctx.compile("mlp", B=8)
    inputs = save_batches(ctx.work, "b8", x, y, 8)
    good = ctx.path("b8-x.npy")
    bad = ctx.path("b8-x-truncated.npy")
    with open(good, "rb") as f:
        data = f.read()
    with open(bad, "wb") as f:
        f.write(data[:len(data) // 2])
    expect_rank1_failure(ctx, "truncated --inputs file on rank 1", bad,
                         ["--rank1-replace", good, bad], "train", model, "--inputs", inputs,
                         "--steps", "1000")

    images = image_dataset(ctx.path("images"))
    broken = ctx.path("images-broken")
    shutil.copytree(images, broken)
    bad = os.path.join(broken, "train-images-idx3-ubyte")
    with open(bad, "r+b") as f:
        f.truncate(os.path.getsize(bad) - 100)
    model = ctx.compile("mlp", B=8, IN=16, C=3)
    expect_rank1_failure(ctx, "truncated IDX file on rank 1", bad, ["--rank1-replace", images, broken],
                         "train", model, "--data", images, "--epochs", "1000")


def case_checkpoint(ctx):
    steps, half = 20, 10
    x, y = classification_data(steps * 16)
    m8, m16 = ctx.compile("mlp_adam_clip", B=8), ctx.compile("mlp_adam_clip", B=16)
    ctx.one("train", m16, "--inputs", save_batches(ctx.work, "all-b16", x, y, 16), "--steps", str(steps),
            "--losses", ctx.path("one.csv"), "--save", ctx.path("one.ckpt"))
    want = read_losses(ctx.path("one.csv"))

    # The first half on 2 ranks, saving to a path relative to each rank's folder: rank 0 runs in
    # rank0/, rank 1 in rank1/, so anything rank 1 wrote would show there.
    first = x[:half * 16], y[:half * 16]
    for folder in ("rank0", "rank1", "resumed"):
        os.makedirs(ctx.path(folder))
    run(ctx.wrapped(["--rank1-cwd", ctx.path("rank1")], "train", m8,
                    "--inputs", save_batches(ctx.work, "first-b8", *first, 8), "--steps", str(half),
                    "--losses", "half.csv", "--save", "half.ckpt"), cwd=ctx.path("rank0"))
    written = sorted(os.listdir(ctx.path("rank0")))
    check(written == ["half.ckpt", "half.csv"],
          "rank 0's folder holds %s, expected half.ckpt and half.csv only" % written)
    check(os.listdir(ctx.path("rank1")) == [], "rank 1 wrote %s" % os.listdir(ctx.path("rank1")))
    print("  2 ranks --save: rank 0 wrote half.ckpt and half.csv, no temporary file; rank 1 nothing")
    compare_series("2 ranks x 8, steps 1-%d" % half, read_losses(ctx.path("rank0", "half.csv")),
                   want[:half])

    ctx.one("train", m16, "--init", ctx.path("rank0", "half.ckpt"),
            "--inputs", save_batches(ctx.work, "rest-b16", x[half * 16:], y[half * 16:], 16),
            "--steps", str(steps - half),
            "--losses", ctx.path("resumed", "rest.csv"), "--save", ctx.path("resumed", "end.ckpt"))
    written = sorted(os.listdir(ctx.path("resumed")))
    check(written == ["end.ckpt", "rest.csv"], "resumed/ holds %s" % written)
    compare_series("resumed in 1 process x 16, steps %d-%d" % (half + 1, steps),
                   read_losses(ctx.path("resumed", "rest.csv")), want[half:])
    compare_checkpoints("final checkpoint after resuming", ctx.path("resumed", "end.ckpt"),
                        ctx.path("one.ckpt"), step=steps)


EVAL_ACCURACY = re.compile(r"^accuracy (\S+) \((\d+)/(\d+)\)$", re.M)
EVAL_LOSS = re.compile(r"^loss (\S+) (\S+)$", re.M)


def case_data(ctx):
    data = image_dataset(ctx.path("images"))
    m4, m8, m16 = (ctx.compile("mlp", B=b, IN=16, C=3) for b in (4, 8, 16))
    common = ["--data", data, "--epochs", "2", "--shuffle"]
    one = ctx.one("train", m16, *common, "--save", ctx.path("one.ckpt"))
    want = epoch_lines(one)
    final = re.findall(r"^test accuracy (\S+)$", one.out, re.M)
    check(final and float(final[0]) > 0.6, "the model did not learn\n" + one.describe())
    # 2 ranks x 8, and 2 ranks x 2 accumulated x 4: every update takes the 16 samples one process
    # takes, each rank its slices of them.
    for label, model, extra in (("2 ranks x 8", m8, []), ("2 ranks x --accumulate 2 x 4", m4,
                                                          ["--accumulate", "2"])):
        ckpt = ctx.path(label.replace(" ", "").replace("--", "") + ".ckpt")
        two = ctx.ranks("train", model, *common, *extra, "--save", ckpt)
        compare_epoch_lines(label, epoch_lines(two), want)
        check(final == re.findall(r"^test accuracy (\S+)$", two.out, re.M),
              "test accuracy lines differ\n%s\n%s" % (one.describe(), two.describe()))
        print("  %-44s test accuracy %s" % (label + ":", final[0]))
        compare_checkpoints(label + ": checkpoint", ckpt, ctx.path("one.ckpt"),
                            step=2 * (250 // 16))

    # eval of one checkpoint over the 70 test samples (full batches and a partial one).
    ckpt = ctx.path("one.ckpt")
    want = ctx.one("eval", m16, "--data", data, "--init", ckpt).out
    wacc, wloss = EVAL_ACCURACY.findall(want), EVAL_LOSS.findall(want)
    check(wacc and wacc[0][2] == "70" and wloss, "eval printed no accuracy of 70 samples\n" + want)
    for label, model in (("2 ranks x 8", m8), ("2 ranks x 16", m16)):
        got = ctx.ranks("eval", model, "--data", data, "--init", ckpt).out
        acc, loss = EVAL_ACCURACY.findall(got), EVAL_LOSS.findall(got)
        # The losses are over full batches: samples 0-63 for both batch sizes.
        same = acc == wacc and len(loss) == len(wloss) and all(
            n == wn and printed_equal(v, wv) for (n, v), (wn, wv) in zip(loss, wloss))
        check(same, "eval, %s:\n%s\nexpected (one process x 16):\n%s" % (label, got, want))
        print("  %-44s accuracy %s (%s/%s), loss %s %s" % ("eval, " + label + ", as one process:",
                                                             *acc[0], *loss[0]))


def case_quiet_ranks(ctx):
    x, y = classification_data(40 * 8)
    model = ctx.compile("mlp", B=8)
    result = run(ctx.mpirun + ["--tag-output", ctx.dlrun, "train", model, "--inputs",
                               save_batches(ctx.work, "b8", x, y, 8), "--steps", "4"])
    text = result.out + result.err
    others = [line for line in text.splitlines() if not line.startswith("[1,0]<")]
    check(not others, "ranks other than 0 wrote:\n  " + "\n  ".join(others) +
          "\n(dl-run --help: only rank 0 prints)\n" + result.describe())
    print("  only rank 0 wrote (%d lines)" % len(text.splitlines()))


# Every model the cases use: the case `models` (the ctest fixture dist-models) compiles them once
# for all, two at a time, into its --work, which the other cases' --prebuilt names.
MODEL_SET = [("mlp", dict(B=8)), ("mlp", dict(B=16)), ("mlp", dict(B=32)), ("mlp", dict(B=8, ACC=2)),
             ("mlp", dict(B=4, IN=16, C=3)), ("mlp", dict(B=8, IN=16, C=3)),
             ("mlp", dict(B=16, IN=16, C=3)),
             ("mlp_adam_clip", dict(B=8)), ("mlp_adam_clip", dict(B=16)),
             ("gan", dict(B=8)), ("gan", dict(B=16))]


def case_models(ctx):
    ctx.prebuilt = None
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for path in pool.map(lambda model: ctx.compile(model[0], **model[1]), MODEL_SET):
            print("  compiled " + os.path.basename(path))


CASES = {
    "models": case_models,
    "sgd": case_sgd, "adam-clip": case_adam_clip, "gan": case_gan, "accumulate": case_accumulate,
    "kill-rank0": case_kill_rank0, "kill-rank1": case_kill_rank1, "bad-file": case_bad_file,
    "checkpoint": case_checkpoint, "data": case_data, "quiet-ranks": case_quiet_ranks,
}


# --- The wrapper between mpirun and dl-run ------------------------------------------------------

def exec_rank(argv):
    """exec-rank [--pids DIR] [--rank1-replace OLD NEW] [--rank1-cwd DIR] -- PROGRAM ARGS...:
    writes this rank's pid to DIR/<rank>, and on rank 1 replaces OLD by NEW in every argument and
    moves into DIR; then becomes PROGRAM (exec: the pid stays the rank's)."""
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="run_dist.py exec-rank")
    parser.add_argument("--pids")
    parser.add_argument("--rank1-replace", nargs=2)
    parser.add_argument("--rank1-cwd")
    options = parser.parse_args(argv[:split])
    program = argv[split + 1:]
    rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMIX_RANK", "0")))
    if options.pids:
        path = os.path.join(options.pids, str(rank))
        with open(path + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(path + ".tmp", path)
    if rank == 1:
        if options.rank1_replace:
            old, new = options.rank1_replace
            program = [arg.replace(old, new) for arg in program]
        if options.rank1_cwd:
            os.chdir(options.rank1_cwd)
    os.execv(program[0], program)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "exec-rank":
        exec_rank(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--dlc", required=True)
    parser.add_argument("--dl-run", required=True)
    parser.add_argument("--work", required=True, help="scratch folder, emptied first")
    parser.add_argument("--prebuilt", help="the models compiled by the case `models`")
    parser.add_argument("mpirun", nargs="+", help="after --: mpirun, its flags and -n 2")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    start = time.monotonic()
    try:
        CASES[args.case](Context(args))
    except Failure as failure:
        print("FAIL (%s): %s" % (args.case, failure))
        return 1
    print("ok (%s) in %.1f s" % (args.case, time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
