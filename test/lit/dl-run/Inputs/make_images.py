"""Writes a small image classification data set in the MNIST layout, for dl-run's lit tests.

usage: make_images.py FOLDER [--train N] [--test N] [--size S] [--classes C] [--gzip]

Class c lights a different block of the image; every pixel also gets noise, so the classes are
easy but not trivial. The four files are train-images-idx3-ubyte, train-labels-idx1-ubyte,
t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (with .gz when --gzip). Seeded: the same
arguments always write the same bytes.
"""
import argparse
import gzip
import os
import random
import struct


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def split(rng, n, size, classes):
    images, labels = [], []
    block = size // classes
    for i in range(n):
        label = i % classes
        for r in range(size):
            for c in range(size):
                lit = label * block <= r < (label + 1) * block and c < size // 2
                images.append(min(255, (60 if lit else 0) + rng.randrange(200)))
        labels.append(label)
    return images, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--train", type=int, default=256)
    parser.add_argument("--test", type=int, default=50)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--gzip", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    rng = random.Random(1)
    for prefix, n in (("train", args.train), ("t10k", args.test)):
        images, labels = split(rng, n, args.size, args.classes)
        for kind, dims, data in (("images-idx3", [n, args.size, args.size], images),
                                 ("labels-idx1", [n], labels)):
            name = os.path.join(args.folder, "%s-%s-ubyte" % (prefix, kind))
            payload = idx(dims, data)
            if args.gzip:
                with gzip.open(name + ".gz", "wb") as f:
                    f.write(payload)
            else:
                with open(name, "wb") as f:
                    f.write(payload)


main()
