"""Tests that the dlc package trains and runs models: XOR below 0.05, the GAN's two steps in turn,
the model's description, checkpoints and their metadata."""

import math
import unittest

import numpy as np

import dlc
import support


class XorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = dlc.load(support.compiled("xor"))
        cls.x = np.array(support.XOR_X, np.float32)
        cls.y = np.array(support.XOR_Y, np.float32)

    @classmethod
    def tearDownClass(cls):
        cls.lib.close()

    def test_trains_below_0_05(self):
        with self.lib.instance(seed=0) as m:
            losses = [m.train_step(x=self.x, y=self.y) for _ in range(500)]
            self.assertIsInstance(losses[0], float)
            self.assertLess(losses[-1], 0.05)
            self.assertLess(losses[-1], losses[0])
            self.assertEqual(m.step, 500)
            p = m.forward(x=self.x)["p"]
            np.testing.assert_array_equal((p > 0.5).astype(np.float32), self.y)

    def test_eval_returns_losses_then_outputs_by_name(self):
        with self.lib.instance(seed=1) as m:
            result = m.eval(x=self.x, y=self.y)
            self.assertEqual(list(result), ["l", "p"])
            self.assertEqual(result["l"].shape, ())
            self.assertEqual(result["p"].dtype, np.float32)
            # eval and forward are kernels of their own: equal up to rounding.
            np.testing.assert_allclose(result["p"], m.forward(self.x)["p"], rtol=1e-6)
            # Inference leaves the step counter alone; the loss is a train step's on the same state.
            self.assertEqual(m.step, 0)
            self.assertAlmostEqual(m.call("train_step", self.x, self.y), float(result["l"]), places=6)

    def test_entries_by_name_and_as_methods(self):
        with self.lib.instance(seed=2) as a, self.lib.instance(seed=2) as b:
            self.assertEqual(a.train_step(x=self.x, y=self.y), b.call("train_step", x=self.x, y=self.y))
            self.assertIn("train_step", dir(a))
            self.assertIn("x f32[4, 2]", a.train_step.__doc__)

    def test_info(self):
        info = self.lib.info
        self.assertEqual(info.name, "xor")
        self.assertEqual(info.target, "cpu")
        self.assertEqual(list(info.entries),
                         ["forward", "eval", "train_step", "train_step_grad", "train_step_apply"])
        self.assertEqual([e.kind for e in info.entries.values()],
                         ["forward", "eval", "train", "grad", "apply"])
        x = info.entries["train_step"].inputs["x"]
        self.assertEqual((x.dtype, x.shape, x.nbytes), (np.dtype(np.float32), (4, 2), 32))
        self.assertEqual(list(info.entries["train_step"].outputs), ["loss"])
        self.assertEqual(info.params["hidden.W"].shape, (2, 8))
        self.assertEqual(info.buffers["train_step.count"].dtype, np.dtype(np.int32))
        self.assertGreaterEqual(info.param_bytes, sum(t.nbytes for t in info.params.values()))
        self.assertGreaterEqual(info.state_bytes, sum(t.nbytes for t in info.buffers.values()))
        self.assertGreater(info.workspace_bytes, 0)
        self.assertIn("hidden.W f32[2, 8]  64 bytes", str(info))

    def test_seed_decides_initialization(self):
        with self.lib.instance(seed=5) as a, self.lib.instance(seed=5) as b, self.lib.instance(seed=6) as c:
            np.testing.assert_array_equal(a.params["hidden.W"], b.params["hidden.W"])
            self.assertFalse(np.array_equal(a.params["hidden.W"], c.params["hidden.W"]))

    def test_save_and_load_restore_state_step_and_metadata(self):
        path = support.scratch() / "xor.ckpt"
        with self.lib.instance(seed=3) as m, self.lib.instance(seed=4) as n:
            for _ in range(7):
                m.train_step(x=self.x, y=self.y)
            m.metadata["run"] = "test ü"
            m.save(path)
            m.metadata["run"] = "later"
            n.load(str(path))
            self.assertEqual(n.step, 7)
            self.assertEqual(n.metadata["run"], "test ü")
            for name in m.params:
                np.testing.assert_array_equal(m.params[name], n.params[name])
            for name in m.buffers:
                np.testing.assert_array_equal(m.buffers[name], n.buffers[name])
            self.assertEqual(m.train_step(x=self.x, y=self.y), n.train_step(x=self.x, y=self.y))

    def test_split_step_equals_the_fused_one(self):
        # grad on two batches, then apply: the update of their mean, as one step on both at once
        # would make; the gradient area holds the count, the loss sum and the gradient sums.
        with self.lib.instance(seed=7) as a, self.lib.instance(seed=7) as b:
            for _ in range(3):
                fused = a.train_step(x=self.x, y=self.y)
                self.assertEqual(b.train_step_grad(x=self.x, y=self.y), fused)
                b.train_step_grad(x=self.x, y=self.y)
                area = b.gradients("train_step")
                self.assertEqual(area.dtype, np.float32)
                self.assertEqual(area[0], 2.0)
                self.assertAlmostEqual(float(area[16]), 2 * fused, places=5)  # after 64 bytes
                self.assertAlmostEqual(b.train_step_apply(), fused, places=6)
                self.assertEqual(area[0], 0.0, "apply clears the area")
            self.assertEqual(b.step, 3)
            for name in a.params:
                np.testing.assert_allclose(b.params[name], a.params[name], rtol=1e-5, atol=1e-7)
            with self.assertRaises(dlc.RuntimeError) as caught:
                b.train_step_apply()
            self.assertIn("no gradient accumulated", str(caught.exception))

    def test_metadata_get_set_delete(self):
        with self.lib.instance() as m:
            self.assertNotIn("k", m.metadata)
            self.assertIsNone(m.metadata.get("k"))
            m.metadata["k"] = "v"
            self.assertEqual(m.metadata["k"], "v")
            del m.metadata["k"]
            with self.assertRaises(KeyError):
                m.metadata["k"]


class GanTest(unittest.TestCase):
    """The GAN's two train entries, driven step by step from Python."""

    @classmethod
    def setUpClass(cls):
        cls.lib = dlc.load(support.compiled("gan", B=8, Z=8))

    def test_steps_in_turn(self):
        rng = np.random.default_rng(0)
        with self.lib.instance(seed=0) as m:
            self.assertEqual([e.kind for e in m.info.entries.values()],
                             ["forward", "eval", "train", "grad", "apply", "train", "grad", "apply"])
            g_before = m.params["g1.W"].copy()
            d_before = m.params["d1.W"].copy()
            real = rng.random((8, 784), dtype=np.float32)
            d_loss = m.disc_step(real=real)
            # The discriminator's step leaves the generator alone, and the other way round.
            np.testing.assert_array_equal(m.params["g1.W"], g_before)
            self.assertFalse(np.array_equal(m.params["d1.W"], d_before))
            d_after = m.params["d1.W"].copy()
            g_loss = m.gen_step(real=real)
            np.testing.assert_array_equal(m.params["d1.W"], d_after)
            self.assertFalse(np.array_equal(m.params["g1.W"], g_before))
            self.assertTrue(math.isfinite(d_loss) and math.isfinite(g_loss))
            self.assertEqual(m.step, 2)
            sample = m.forward()["sample"]
            self.assertEqual(sample.shape, (8, 784))
            self.assertTrue(((sample >= 0) & (sample <= 1)).all())


if __name__ == "__main__":
    unittest.main()
