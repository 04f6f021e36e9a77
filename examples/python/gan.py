#!/usr/bin/env python3
"""Drives examples/gan.dl step by step from Python: the discriminator's and the generator's train
entries in turn on every batch of Fashion-MNIST, then a grid of generated images.

    PYTHONPATH=P/lib/python3/dist-packages /usr/bin/python3 examples/python/gan.py --epochs 5

The model has two train blocks, `gan.disc` and `gan.gen`, compiled into the entries `disc_step` and
`gen_step`, each over its own parameters with its own Adam state; both take the batch of real images
`real` (pixels in [0, 1]) and draw the generator's noise themselves, from the seed and the step
counter. `--schedule 2:1` takes two discriminator steps per generator step. The forward entry
returns `sample`, images generated from fresh noise, written as a PNG grid with --out.
"""

import argparse
import gzip
import struct
import sys
import time
import zlib
from pathlib import Path

import numpy as np

import dlc

HERE = Path(__file__).resolve().parent


def read_images(folder):
    """The training images of Fashion-MNIST as f32 [N, 784] in [0, 1]."""
    path = Path(folder) / "train-images-idx3-ubyte"
    if not path.exists():
        path = path.with_name(path.name + ".gz")
    if not path.exists():
        sys.exit(f"no Fashion-MNIST at {folder} (Debian: apt install dataset-fashion-mnist)")
    raw = (gzip.open if path.suffix == ".gz" else open)(path, "rb").read()
    count = int.from_bytes(raw[4:8], "big")
    return np.frombuffer(raw, np.uint8, offset=16).reshape(count, 784).astype(np.float32) / 255


def write_png(path, images, columns):
    """Images f32 [N, 784] in [0, 1] as one grayscale PNG grid, 2 pixels apart."""
    rows = -(-len(images) // columns)
    side, gap = 28, 2
    grid = np.zeros((rows * (side + gap) + gap, columns * (side + gap) + gap), np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        top, left = gap + r * (side + gap), gap + c * (side + gap)
        grid[top:top + side, left:left + side] = np.round(np.clip(image, 0, 1) * 255).reshape(side, side)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    scanlines = b"".join(b"\0" + row.tobytes() for row in grid)
    header = struct.pack(">IIBBBBB", grid.shape[1], grid.shape[0], 8, 0, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(scanlines))
                           + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--model", default=HERE.parent / "gan.dl", help="the .dl file")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--steps", type=int, default=0, help="at most this many batches per epoch (0: all)")
    parser.add_argument("--schedule", default="1:1", help="discriminator steps : generator steps per batch")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default="gan_samples.png", help="PNG grid of generated images")
    parser.add_argument("--save", help="write a checkpoint here at the end")
    args = parser.parse_args()
    disc_steps, gen_steps = (int(n) for n in args.schedule.split(":"))

    images = read_images(args.data)
    lib = dlc.compile(args.model)
    batch = lib.info.entries["disc_step"].inputs["real"].shape[0]
    m = lib.instance(seed=args.seed)
    rng = np.random.default_rng(args.seed)
    batches = len(images) // batch
    if args.steps:
        batches = min(batches, args.steps)
    print(f"model {lib.info.name}: entries {', '.join(lib.info.entries)}; {batches} batches of {batch} per epoch")

    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(images))
        d_losses, g_losses = [], []
        start = time.perf_counter()
        for k in range(batches):
            real = images[order[k * batch:(k + 1) * batch]]
            for _ in range(disc_steps):
                d_losses.append(m.disc_step(real=real))
            for _ in range(gen_steps):
                g_losses.append(m.gen_step(real=real))
        seconds = time.perf_counter() - start
        print(f"epoch {epoch}/{args.epochs}  disc_step {np.mean(d_losses):.4f}  gen_step {np.mean(g_losses):.4f}  "
              f"{seconds:.1f}s  (step counter {m.step})")

    sample = m.forward()["sample"]
    write_png(args.out, sample, columns=int(np.ceil(np.sqrt(len(sample)))))
    spread = float(sample.std(axis=0).mean())
    print(f"{len(sample)} generated images -> {args.out}; spread {spread:.4f} "
          f"(per-pixel standard deviation across the images, averaged)")
    if args.save:
        m.save(args.save)
        print(f"checkpoint written to {args.save}")


if __name__ == "__main__":
    main()
