"""philox.py — dlc's random draws in NumPy, for the tests that feed an exported model
(`dlc --emit=onnx --onnx-random=inputs`) the very numbers dlc's forward drew.

runtime/rng/Philox.h fixes the convention every target follows (the interpreter, the CPU and CUDA
kernels): element i of a draw is Philox4x32-10 of the counter (i, i >> 32, stream, step) under the
key (seed, seed >> 32); normal is Box-Muller in double from the first two words, rounded to f32
once after `mean + std * n`; uniform is `lo + (hi - lo) * u` in f32 with u = (word0 >> 8) 2^-24,
as compiler/codegen/halide/ops/Random.cpp computes it. This file follows the same convention and
checks itself against Random123's known answers (the vectors of test/unit/interpreter/PhiloxTest.cpp)
when imported; whether it agrees with dlc's kernels is what export_check.py's comparison decides.
"""
import numpy as np

MASK = np.uint64(0xFFFFFFFF)
M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)


def philox4x32_10(counter, key):
    """Philox4x32-10 of `counter` (four arrays or ints of uint32 words) under `key` (two words):
    the four output words as uint64 arrays holding uint32 values."""
    c = [np.asarray(w, dtype=np.uint64) & MASK for w in counter]
    k0, k1 = (np.uint64(int(k) & 0xFFFFFFFF) for k in key)
    for round_ in range(10):
        if round_ > 0:
            k0, k1 = (k0 + W0) & MASK, (k1 + W1) & MASK
        p0 = M0 * c[0]  # < 2^64: exact in uint64
        p1 = M1 * c[2]
        c = [(p1 >> np.uint64(32)) ^ c[1] ^ k0, p1 & MASK, (p0 >> np.uint64(32)) ^ c[3] ^ k1, p0 & MASK]
    return c


def _words(seed, stream, step, count):
    index = np.arange(count, dtype=np.uint64)
    zeros = np.zeros(count, dtype=np.uint64)
    return philox4x32_10((index & MASK, index >> np.uint64(32), zeros + np.uint64(stream), zeros + np.uint64(step)),
                         (seed & 0xFFFFFFFF, seed >> 32))


def normal(shape, seed, stream, step, mean=0.0, std=1.0):
    """dl.random_normal's f32 tensor of `shape`: mean + std * Box-Muller(word0, word1)."""
    w = _words(seed, stream, step, int(np.prod(shape)))
    u1 = ((w[0] >> np.uint64(8)) + np.uint64(1)).astype(np.float64) * 2.0**-24
    u2 = (w[1] >> np.uint64(8)).astype(np.float64) * 2.0**-24
    n = np.sqrt(-2.0 * np.log(u1)) * np.cos(6.283185307179586476925286766559 * u2)
    return (mean + std * n).astype(np.float32).reshape(shape)


def uniform(shape, seed, stream, step, lo=0.0, hi=1.0):
    """dl.random_uniform's f32 tensor of `shape`: lo + (hi - lo) * u in f32."""
    w = _words(seed, stream, step, int(np.prod(shape)))
    u = (w[0] >> np.uint64(8)).astype(np.float32) * np.float32(2.0**-24)
    return (np.float32(lo) + np.float32(hi - lo) * u).astype(np.float32).reshape(shape)


def draw(spec, shape, seed, step):
    """The draw an export's metadata entry `spec` ({"draw", "stream", parameters}) describes."""
    if spec["draw"] == "normal":
        return normal(shape, seed, spec["stream"], step, spec["mean"], spec["std"])
    if spec["draw"] == "uniform":
        return uniform(shape, seed, spec["stream"], step, spec["lo"], spec["hi"])
    raise ValueError(f"unknown draw {spec['draw']!r}")


def _known_answers():
    cases = [((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
             ((0xffffffff,) * 4, (0xffffffff,) * 2, (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
             ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
              (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1))]
    for counter, key, want in cases:
        got = tuple(int(w) for w in philox4x32_10(counter, key))
        if got != want:
            raise AssertionError(f"philox4x32_10{counter, key} = {[hex(w) for w in got]}, not {[hex(w) for w in want]}")


_known_answers()
