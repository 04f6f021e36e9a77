#!/usr/bin/env python3
"""Trains examples/fashion_mlp.dl on Fashion-MNIST from NumPy batches, with the dlc package.

    PYTHONPATH=P/lib/python3/dist-packages /usr/bin/python3 examples/python/fashion_mlp.py --epochs 2

Compiles the model with dlc, reads the four IDX files of Debian's dataset-fashion-mnist with NumPy,
z-scores the pixels with the training split's mean and standard deviation (as dl-run does), and
trains on shuffled batches of the model's batch size, printing the mean loss of each tenth of an
epoch, then the accuracy on the test split. With matplotlib (Debian's python3-matplotlib), the
loss of every step is plotted into --plot.
"""

import argparse
import gzip
import os
import sys
import time
from pathlib import Path

import numpy as np

import dlc

HERE = Path(__file__).resolve().parent


def read_idx(folder, name):
    """An IDX file of the dataset (name, or name.gz) as a NumPy array of unsigned bytes."""
    path = Path(folder) / name
    if not path.exists():
        path = path.with_name(name + ".gz")
    raw = (gzip.open if path.suffix == ".gz" else open)(path, "rb").read()
    if raw[:2] != b"\0\0" or raw[2] != 0x08:
        sys.exit(f"{path}: not an IDX file of unsigned bytes")
    rank = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * d:8 + 4 * d], "big") for d in range(rank))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(shape)


def load_fashion_mnist(folder):
    """Training and test images as f32 [N, 784] z-scored with the training split's statistics, and
    their labels as i32 [N]."""
    train_x = read_idx(folder, "train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255
    train_y = read_idx(folder, "train-labels-idx1-ubyte").astype(np.int32)
    test_x = read_idx(folder, "t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255
    test_y = read_idx(folder, "t10k-labels-idx1-ubyte").astype(np.int32)
    mean, std = train_x.mean(), train_x.std()
    print(f"data {folder}: {len(train_x)} training and {len(test_x)} test images; "
          f"normalized with the training split's mean {mean:.4f} std {std:.4f}")
    return (train_x - mean) / std, train_y, (test_x - mean) / std, test_y


def accuracy(m, x, y, batch):
    """The share of images whose largest forward output is their label; the last batch is padded."""
    correct = 0
    for start in range(0, len(x), batch):
        xb = x[start:start + batch]
        count = len(xb)
        if count < batch:
            xb = np.concatenate([xb, np.zeros((batch - count, xb.shape[1]), xb.dtype)])
        probs = m.forward(x=xb)["probs"]
        correct += int((probs[:count].argmax(axis=1) == y[start:start + count]).sum())
    return correct / len(x)


def plot(losses, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (Debian: python3-matplotlib): no plot")
        return
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(np.arange(1, len(losses) + 1), losses, linewidth=0.7)
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy")
    ax.set_title("fashion_mlp, trained from Python")
    fig.tight_layout()
    fig.savefig(path)
    print(f"loss curve written to {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                        help="folder of the four IDX files (default: Debian's dataset-fashion-mnist)")
    parser.add_argument("--model", default=HERE.parent / "fashion_mlp.dl", help="the .dl file")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--steps", type=int, default=0, help="at most this many steps per epoch (0: all)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--save", help="write a checkpoint here at the end")
    parser.add_argument("--min-accuracy", type=float, default=0,
                        help="exit with status 1 when the test accuracy ends below this (for tests)")
    parser.add_argument("--plot", default="fashion_mlp_loss.png", help="PNG of the loss curve (needs matplotlib)")
    args = parser.parse_args()

    if not os.path.isdir(args.data):
        sys.exit(f"no Fashion-MNIST at {args.data} (Debian: apt install dataset-fashion-mnist)")
    train_x, train_y, test_x, test_y = load_fashion_mnist(args.data)

    lib = dlc.compile(args.model)
    batch = lib.info.entries["train_step"].inputs["x"].shape[0]
    m = lib.instance(seed=args.seed)
    rng = np.random.default_rng(args.seed)
    steps = len(train_x) // batch
    if args.steps:
        steps = min(steps, args.steps)
    print(f"model {lib.info.name}: {sum(t.nbytes for t in lib.info.params.values())} bytes of parameters; "
          f"{steps} batches of {batch} per epoch")

    losses = []
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(train_x))
        start = time.perf_counter()
        for k in range(steps):
            rows = order[k * batch:(k + 1) * batch]
            losses.append(m.train_step(x=train_x[rows], y=train_y[rows]))
            if (k + 1) % max(steps // 10, 1) == 0:
                recent = losses[-max(steps // 10, 1):]
                print(f"epoch {epoch}  step {k + 1}/{steps}  loss {np.mean(recent):.4f}")
        seconds = time.perf_counter() - start
        test_accuracy = accuracy(m, test_x, test_y, batch)
        print(f"epoch {epoch}/{args.epochs}  loss {np.mean(losses[-steps:]):.4f}  "
              f"test_acc {test_accuracy:.4f}  {seconds:.1f}s")

    print(f"test accuracy {test_accuracy:.4f}")
    if args.save:
        m.metadata["example"] = "examples/python/fashion_mlp.py"
        m.save(args.save)
        print(f"checkpoint written to {args.save}")
    if args.plot:
        plot(losses, args.plot)
    if test_accuracy < args.min_accuracy:
        sys.exit(f"test accuracy {test_accuracy:.4f} is below {args.min_accuracy}")


if __name__ == "__main__":
    main()
