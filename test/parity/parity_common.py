"""parity_common.py — what the PyTorch parity scripts share: safetensors files read and written
with NumPy (dlc's checkpoint format, without the safetensors package), dl-run's loss CSV, running
a command with its line printed, the command line every script takes, and the comparisons with
torch's float64 run and the verdict."""

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys

# A script that imports this module is skipped (ctest's SKIP_RETURN_CODE) where NumPy or PyTorch is
# missing; the scripts take np and torch from here.
try:
    import numpy as np
except ImportError as error:
    print(f"skipped: NumPy not found ({error})")
    sys.exit(77)
try:
    import torch
except ImportError as error:
    print(f"skipped: PyTorch not found ({error})")
    sys.exit(77)

SAFETENSORS_DTYPES = {"F32": np.float32, "I32": np.int32}


def read_safetensors(path):
    """Returns (tensors by name, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    (header_size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_size])
    data = blob[8 + header_size:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = np.dtype(SAFETENSORS_DTYPES[entry["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(entry["shape"])
    return tensors, metadata


def write_safetensors(path, tensors):
    """Writes tensors (name -> float32 or int32 array) as a safetensors file."""
    names = {np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}
    header, chunks, offset = {}, [], 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))


def run(command):
    print("+ " + " ".join(command), flush=True)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def read_losses(path):
    with open(path) as f:
        lines = f.read().split()
    assert lines[0] == "step,loss", f"{path}: unexpected header {lines[0]!r}"
    rows = [line.split(",") for line in lines[1:]]
    assert [int(step) for step, _ in rows] == list(range(1, len(rows) + 1)), f"{path}: steps out of order"
    return [float(loss) for _, loss in rows]


def parity_arguments(doc, choice, choices):
    """The command line of a parity script: `choice` (one of `choices`), --dlc, --dl-run and
    --work. PyTorch then runs on 2 threads, as dlc does."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument(choice, choices=sorted(choices))
    parser.add_argument("--dlc", required=True)
    parser.add_argument("--dl-run", required=True)
    parser.add_argument("--work", required=True, help="folder for the files of the run (emptied first)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    return args


def fresh_model(dlc, source, work):
    """Empties `work`, compiles `source` into work/model.so and returns its path."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    model = os.path.join(work, "model.so")
    run([dlc, source, "-o", model])
    return model


def compare_losses_to_exact(dlc_losses, torch_losses, exact_losses, steps, rtol):
    """Prints every step's loss of dlc, torch float32 and torch float64 and returns a failure for
    each step where dlc is further than `rtol` (relative) from float64, or for a missing step."""
    failures = []
    if len(dlc_losses) != steps:
        failures.append(f"dl-run wrote {len(dlc_losses)} losses, not {steps}")
    print(f"{'step':>4}  {'dlc':>12}  {'torch f32':>12}  {'torch f64':>12}  "
          "relative to f64: dlc, torch f32")
    for step, (ours, theirs, exact) in enumerate(zip(dlc_losses, torch_losses, exact_losses), start=1):
        relative = abs(ours - exact) / abs(exact)
        peer = abs(theirs - exact) / abs(exact)
        print(f"{step:>4}  {ours:12.8f}  {theirs:12.8f}  {exact:12.8f}  {relative:.2e}  {peer:.2e}")
        if not relative <= rtol:
            failures.append(f"step {step}: loss {ours} (dlc) vs {exact} (torch f64), "
                            f"relative difference {relative:.2e} > {rtol:g}")
    return failures


def compare_tensors_to_exact(dlc, peer, exact, allowed):
    """For each tensor of `exact` (torch float64, by dlc's name): dlc's and torch float32's
    (`peer`) distance from it, `allowed(name, peer_distance)` -> (scale, bound): distances are
    max |difference| / scale. Prints a table; returns a failure for each tensor past its bound."""
    failures = []
    print(f"{'':36} {'dlc':>9} {'torch f32':>9}  allowed")
    for name, value in exact.items():
        scale, _ = allowed(name, 0.0, value)
        peer_error = float(np.max(np.abs(peer[name] - value))) / scale
        ours_error = float(np.max(np.abs(dlc[name] - value))) / scale
        _, bound = allowed(name, peer_error, value)
        print(f"{name:36} {ours_error:9.2e} {peer_error:9.2e}  {bound:.2e}")
        if not ours_error <= bound:
            failures.append(f"{name}: {ours_error:.2e} from torch f64, more than {bound:.2e}")
    return failures


def verdict(failures, torch_version, what):
    """Prints PASS or FAIL with every failure; the exit status."""
    if failures:
        print(f"FAIL: dlc and PyTorch {torch_version} disagree on {what}:")
        for failure in failures:
            print("  " + failure)
        return 1
    print(f"PASS: dlc and PyTorch {torch_version} agree on {what}")
    return 0
