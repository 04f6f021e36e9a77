"""distlib.py - what the cases of run_dist.py share (test/dist): running children under time
limits, writing data sets, reading what dl-run wrote, and comparing numbers.

Numbers are equal when |a - b| <= 1e-5 * max(1, |a|, |b|): absolute below 1, relative above.
Numbers dl-run prints rounded (the epoch losses, %.4f) may differ by one unit of their last digit.
"""

import decimal
import json
import os
import re
import signal
import struct
import subprocess
import time

import numpy as np

TOLERANCE = 1e-5
RUN_LIMIT_S = 120  # any one child; a run past it is a hang


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# --- Running children and watching processes ---------------------------------------------------

class Result:
    def __init__(self, cmd, status, out, err, seconds):
        self.cmd, self.status, self.out, self.err, self.seconds = cmd, status, out, err, seconds

    def describe(self):
        return "$ %s\nexit status %s after %.1f s\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.cmd), self.status, self.seconds, self.out, self.err)


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(cmd, limit=RUN_LIMIT_S, cwd=None, expect_ok=True):
    """Runs `cmd` in its own process group; the whole group is killed past `limit` seconds."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # a child outside the group holds the pipes
            out, err = "", ""
        raise Failure("hung: killed after %d s\n%s" % (
            limit, Result(cmd, None, out, err, time.monotonic() - start).describe()))
    result = Result(cmd, proc.returncode, out, err, time.monotonic() - start)
    if expect_ok and result.status != 0:
        raise Failure("failed\n" + result.describe())
    return result



def alive(pid):
    """Running and not a zombie (an ended rank its parent has not reaped yet)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def wait_gone(pids, what):
    for rank, pid in pids.items():
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
            raise Failure("%s: rank %d (pid %d) outlived mpirun" % (what, rank, pid))


def read_pids(folder):
    pids = {}
    for name in os.listdir(folder):
        with open(os.path.join(folder, name)) as f:
            text = f.read().strip()
        if text:
            pids[int(name)] = int(text)
    return pids



# --- Data and files -----------------------------------------------------------------------------

def classification_data(samples, features=12, classes=4, seed=1):
    """Inputs x [samples, features] and labels y [samples] that a small MLP can partly learn."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, features)).astype(np.float32)
    y = rng.integers(0, classes, samples).astype(np.int32)
    x = (centers[y] + 1.5 * rng.standard_normal((samples, features))).astype(np.float32)
    return x, y


def save_batches(folder, name, x, y, batch):
    """--inputs of x and y cut into batches of `batch` rows: files [S, batch, ...] and [S, batch]
    in `folder`, named after `name`."""
    xs, ys = os.path.join(folder, name + "-x.npy"), os.path.join(folder, name + "-y.npy")
    np.save(xs, x.reshape((-1, batch) + x.shape[1:]))
    np.save(ys, y.reshape(-1, batch))
    return "x=%s,y=%s" % (xs, ys)


def write_idx(path, array):
    """The IDX file of a u8 array: 0, 0, type 0x08, rank, big-endian u32 dimensions, the bytes."""
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 0x08, array.ndim))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def image_dataset(path, train=250, test=70, classes=3, seed=2):
    """The folder `path` of an IDX data set of 4x4 images in `classes` classes, each a brighter
    quarter in noise (a small MLP reaches about 0.8). 250 training samples leave a partial global
    batch of 16 to drop; 70 test samples end in a partial batch."""
    rng = np.random.default_rng(seed)
    os.makedirs(path)
    for split, count in (("train", train), ("t10k", test)):
        labels = rng.integers(0, classes, count).astype(np.uint8)
        images = rng.normal(90, 70, (count, 4, 4))
        for i, label in enumerate(labels):
            images[i, (label // 2) * 2:(label // 2) * 2 + 2, (label % 2) * 2:(label % 2) * 2 + 2] += 50
        write_idx(os.path.join(path, split + "-images-idx3-ubyte"), np.clip(images, 0, 255).round())
        write_idx(os.path.join(path, split + "-labels-idx1-ubyte"), labels)
    return path


def read_losses(path):
    with open(path) as f:
        lines = f.read().split()
    check(lines and lines[0] == "step,loss", path + ": not a --losses file")
    return [float(line.split(",")[1]) for line in lines[1:]]


def read_checkpoint(path):
    """A safetensors checkpoint: {name: array} and its metadata."""
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size].decode())
    metadata = header.pop("__metadata__", {})
    dtypes = {"F32": np.float32, "I32": np.int32, "F64": np.float64, "I64": np.int64}
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = data[8 + size + begin:8 + size + end]
        tensors[name] = np.frombuffer(raw, dtypes[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata



# --- Comparisons --------------------------------------------------------------------------------

def worst(a, b):
    """max |a - b| / max(1, |a|, |b|) over the elements."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))))


def compare_series(what, got, want):
    check(len(got) == len(want), "%s: %d values, expected %d" % (what, len(got), len(want)))
    check(len(set(want)) > 1, "%s: constant (%s), nothing trained" % (what, want[:3]))
    error = worst(got, want)
    for k, (g, w) in enumerate(zip(got, want)):
        check(worst(g, w) <= TOLERANCE,
              "%s: value %d is %.9g, expected %.9g (one process)\n  got      %s\n  expected %s"
              % (what, k + 1, g, w, got, want))
    print("  %-44s %3d values equal (worst %.1e)" % (what, len(got), error))


def compare_checkpoints(what, got_path, want_path, step=None):
    """Every tensor of two checkpoints (parameters and optimizer state) within TOLERANCE."""
    got, got_meta = read_checkpoint(got_path)
    want, want_meta = read_checkpoint(want_path)
    check(sorted(got) == sorted(want), "%s: tensors %s, expected %s" % (what, sorted(got), sorted(want)))
    error = 0.0
    for name in sorted(want):
        check(got[name].shape == want[name].shape, "%s: %s has shape %s, expected %s"
              % (what, name, got[name].shape, want[name].shape))
        e = worst(got[name], want[name])
        check(e <= TOLERANCE, "%s: %s differs by %.2e (relative where above 1)\n  got      %s\n"
              "  expected %s" % (what, name, e, got[name].ravel()[:8], want[name].ravel()[:8]))
        error = max(error, e)
    check(got_meta.get("step") == want_meta.get("step"),
          "%s: step %s, expected %s" % (what, got_meta.get("step"), want_meta.get("step")))
    if step is not None:
        check(want_meta.get("step") == str(step), "%s: step %s, expected %d"
              % (what, want_meta.get("step"), step))
    print("  %-44s %3d tensors equal (worst %.1e), step %s"
          % (what, len(want), error, want_meta.get("step")))


def printed_equal(got, want):
    """Numbers as dl-run printed them: within one unit of the last digit printed."""
    exponent = min(decimal.Decimal(text).as_tuple().exponent for text in (got, want))
    unit = 10.0 ** exponent
    return abs(float(got) - float(want)) <= unit * 1.01



# --- What dl-run printed -------------------------------------------------------------------------

EPOCH_LINE = re.compile(r"^(epoch \d+/\d+)  loss (.*)  train_acc (\S+)  test_acc (\S+)  \S+s$")


def epoch_lines(result):
    """[(label, [loss words], train_acc, test_acc)] of `train --data`'s epoch lines."""
    lines = [EPOCH_LINE.match(line) for line in result.out.splitlines()]
    lines = [(m.group(1), m.group(2).split(), m.group(3), m.group(4)) for m in lines if m]
    check(lines, "no epoch lines\n" + result.describe())
    return lines


def compare_epoch_lines(what, got, want):
    """`train --data`'s epoch lines (epoch_lines): the same epochs and accuracies, the losses as
    printed_equal says."""
    check(len(got) == len(want), "%s: %d epoch lines, expected %d" % (what, len(got), len(want)))
    for (epoch, losses, train_acc, test_acc), (wepoch, wlosses, wtrain, wtest) in zip(got, want):
        text = "%s  loss %s  train_acc %s  test_acc %s" % (epoch, " ".join(losses), train_acc, test_acc)
        wtext = "%s  loss %s  train_acc %s  test_acc %s" % (wepoch, " ".join(wlosses), wtrain, wtest)
        same = (epoch == wepoch and len(losses) == len(wlosses) and train_acc == wtrain and
                test_acc == wtest and
                all(g == w if not re.match(r"^-?[\d.]", w) else printed_equal(g, w)
                    for g, w in zip(losses, wlosses)))
        check(same, "%s: epoch line\n  got      %s\n  expected %s (one process)" % (what, text, wtext))
        print("  %-44s %s" % (what + ":", text))
