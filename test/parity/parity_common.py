"""parity_common.py — what the PyTorch parity scripts share: safetensors files read and written
with NumPy (dlc's checkpoint format, without the safetensors package), dl-run's loss CSV, and
running a command with its line printed."""

import json
import struct
import subprocess

import numpy as np

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
