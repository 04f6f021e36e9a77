"""Tests that 20 train steps driven from Python equal those of dl-run, a C++ client of the same C
API, byte for byte: the same seed and batches give the same losses and the same checkpoint file.

The model is examples/fashion_mlp.dl with batches of 16: Adam's state and dropout's random masks
(Philox, keyed by the seed and the step counter) are both part of what must agree. dl-run is the
one DL_RUN names, else the dl-run beside the dlc the package uses.
"""

import json
import os
import struct
import subprocess
import unittest
from pathlib import Path

import numpy as np

import dlc
import support

STEPS = 20
SEED = 7


def dl_run_path():
    override = os.environ.get("DL_RUN")
    return Path(override) if override else dlc.compiler_path().parent / "dl-run"


def checkpoint_metadata(path):
    """The __metadata__ of a safetensors file."""
    raw = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + length]).get("__metadata__", {})


class DlRunParityTest(unittest.TestCase):
    def test_twenty_steps_equal_dl_run_byte_for_byte(self):
        dl_run = dl_run_path()
        if not dl_run.is_file():
            self.fail(f"no dl-run at {dl_run} (set DL_RUN)")
        model = support.compiled("fashion_mlp", B=16)
        work = support.scratch()
        rng = np.random.default_rng(1)
        # Five batches; step k takes batch k mod 5, as dl-run does with a file of [5, ...shape].
        x = rng.standard_normal((5, 16, 784)).astype(np.float32)
        y = rng.integers(0, 10, (5, 16)).astype(np.int32)
        np.save(work / "x.npy", x)
        np.save(work / "y.npy", y)
        c_checkpoint, c_losses = work / "c.ckpt", work / "c_losses.csv"
        result = subprocess.run(
            [str(dl_run), "train", str(model), "--inputs", f"x={work / 'x.npy'},y={work / 'y.npy'}",
             "--steps", str(STEPS), "--seed", str(SEED), "--save", str(c_checkpoint), "--losses", str(c_losses)],
            capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)

        with dlc.load(model) as lib, lib.instance(seed=SEED) as m:
            losses = [m.train_step(x=x[k % 5], y=y[k % 5]) for k in range(STEPS)]
            # %.9g prints a float exactly.
            rows = c_losses.read_text().split()[1:]
            self.assertEqual([np.float32(float(row.split(",")[1])) for row in rows], [np.float32(v) for v in losses])
            # dl-run records its seed in the metadata: with the same keys, the files must be equal.
            for key, value in checkpoint_metadata(c_checkpoint).items():
                if key not in ("format", "model", "step"):
                    m.metadata[key] = value
            python_checkpoint = work / "python.ckpt"
            m.save(python_checkpoint)
            self.assertEqual(python_checkpoint.read_bytes(), c_checkpoint.read_bytes())

            # And tensor by tensor, through the views, after loading dl-run's checkpoint elsewhere.
            with lib.instance(seed=SEED + 1) as n:
                n.load(c_checkpoint)
                self.assertEqual(n.step, STEPS)
                for name in m.params:
                    self.assertEqual(m.params[name].tobytes(), n.params[name].tobytes(), name)
                for name in m.buffers:
                    self.assertEqual(m.buffers[name].tobytes(), n.buffers[name].tobytes(), name)

    def test_label_outside_the_classes_raises_the_kernels_message(self):
        with dlc.load(support.compiled("fashion_mlp", B=16)) as lib, lib.instance() as m:
            x = np.zeros((16, 784), np.float32)
            y = np.zeros(16, np.int32)
            y[3] = 10
            with self.assertRaises(dlc.RuntimeError) as caught:
                m.train_step(x=x, y=y)
            self.assertEqual(caught.exception.status, "numeric error")
            self.assertIn("10", str(caught.exception))
            self.assertEqual(m.step, 0)
            # An i64 label array converts: no value changes.
            y[3] = 9
            m.train_step(x=x, y=y.astype(np.int64))
            self.assertEqual(m.step, 1)


if __name__ == "__main__":
    unittest.main()
