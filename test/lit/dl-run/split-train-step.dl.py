"""Compares the split and the fused train step of split-train-step.dl: their losses (--losses CSV),
their trained parameters (safetensors checkpoints) and their compile job counts (--time-phases).

usage: split-train-step.dl.py SPLIT.csv FUSED.csv SPLIT.ckpt FUSED.ckpt SPLIT.err FUSED.err

Losses agree within 1e-5 relative, parameters within 1e-4 relative plus 1e-5 absolute (Adam's
steps are lr-sized whatever the gradient's size, so a gradient near zero that rounds differently
moves its element by up to lr either way; these steps move none that far). Exits 1 on a difference.
"""
import json
import re
import struct
import sys

import numpy as np


def losses(path):
    with open(path) as f:
        return [float(line.split(",")[1]) for line in f.read().split()[1:]]


def params(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] != "F32" or "." not in name or name.startswith("train_step"):
            continue
        begin, end = entry["data_offsets"]
        out[name] = np.frombuffer(body[begin:end], dtype=np.float32)
    return out


def jobs(path):
    return int(re.search(r"^(\d+) compile jobs", open(path).read(), re.M).group(1))


split_csv, fused_csv, split_ckpt, fused_ckpt, split_err, fused_err = sys.argv[1:7]
a, b = losses(split_csv), losses(fused_csv)
if len(a) != len(b) or not np.allclose(a, b, rtol=1e-5, atol=0):
    sys.exit("losses differ: %r against %r" % (a, b))
print("%d losses agree" % len(a))
pa, pb = params(split_ckpt), params(fused_ckpt)
if sorted(pa) != sorted(pb):
    sys.exit("the checkpoints hold other tensors: %r, %r" % (sorted(pa), sorted(pb)))
for name in sorted(pa):
    worst = np.max(np.abs(pa[name] - pb[name]))
    if not np.allclose(pa[name], pb[name], rtol=1e-4, atol=1e-5):
        sys.exit("parameter %s differs by up to %g" % (name, worst))
print("%d parameters agree" % len(pa))
s, f = jobs(split_err), jobs(fused_err)
print(("fewer compile jobs split" if s < f else "not fewer compile jobs split") + " (%d, fused %d)" % (s, f))
