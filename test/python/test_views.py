"""Tests that m.params and m.buffers are views of the instance's own memory: no copy, writes change
the model, train steps show through, and a view outlives the instance without dangling."""

import gc
import unittest
import weakref

import numpy as np

import dlc
import support


class ViewTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.path = support.compiled("xor")
        cls.lib = dlc.load(cls.path)
        cls.x = np.array(support.XOR_X, np.float32)
        cls.y = np.array(support.XOR_Y, np.float32)

    @classmethod
    def tearDownClass(cls):
        cls.lib.close()

    def test_views_alias_the_model(self):
        with self.lib.instance(seed=0) as m:
            w = m.params["out.W"]
            self.assertTrue(np.shares_memory(w, m.params["out.W"]))
            self.assertTrue(w.flags.writeable and w.flags.c_contiguous)
            self.assertEqual((w.dtype, w.shape), (np.dtype(np.float32), (8, 1)))
            # Writes through the view change what the model computes: with no output weights and
            # bias 0 the sigmoid says 0.5 everywhere.
            w[...] = 0
            m.params["out.b"][...] = 0
            np.testing.assert_array_equal(m.forward(x=self.x)["p"], np.full((4, 1), 0.5, np.float32))
            # A train step updates the parameters in place: the old view sees it.
            before = w.copy()
            m.train_step(x=self.x, y=self.y)
            self.assertFalse(np.array_equal(w, before))
            np.testing.assert_array_equal(w, m.params["out.W"])

    def test_writes_reach_checkpoints(self):
        path = support.scratch() / "views.ckpt"
        with self.lib.instance(seed=0) as m, self.lib.instance(seed=1) as n:
            m.params["hidden.b"][:] = np.arange(8, dtype=np.float32)
            m.save(path)
            n.load(path)
            np.testing.assert_array_equal(n.params["hidden.b"], np.arange(8, dtype=np.float32))

    def test_assignment_copies_in_with_the_input_checks(self):
        with self.lib.instance(seed=0) as m:
            w = m.params["hidden.W"]
            m.params["hidden.W"] = np.ones((2, 8))  # f64 ones: no value changes
            np.testing.assert_array_equal(w, np.ones((2, 8), np.float32))
            with self.assertRaises(dlc.InputError):
                m.params["hidden.W"] = np.ones((8, 2), np.float32)
            with self.assertRaises(dlc.InputError):
                m.params["hidden.W"] = np.full((2, 8), 0.1)

    def test_buffers_hold_the_optimizer_state(self):
        with self.lib.instance(seed=0) as m:
            self.assertEqual(set(m.buffers) & set(m.params), set())
            velocity = m.buffers["train_step.velocity.out.W"]
            np.testing.assert_array_equal(velocity, 0)
            m.train_step(x=self.x, y=self.y)
            self.assertTrue(np.any(velocity != 0))
            self.assertEqual(m.buffers["train_step.count"].dtype, np.dtype(np.int32))

    def test_mapping(self):
        with self.lib.instance(seed=0) as m:
            self.assertEqual(list(m.params), ["hidden.W", "hidden.b", "out.W", "out.b"])
            self.assertEqual(len(m.params), 4)
            self.assertIn("out.b", m.params)
            self.assertEqual(m.params.info("out.b").nbytes, 4)
            self.assertEqual(set(dict(m.params)), set(m.params))
            with self.assertRaises(KeyError):
                m.params["nope"]

    def test_an_instance_out_of_use_is_freed_at_once(self):
        m = self.lib.instance(seed=0)
        native = weakref.ref(m._native)
        m.params["out.b"][...] = 1
        del m
        # No reference cycle holds it until the garbage collector runs.
        self.assertIsNone(native())

    def test_a_view_outlives_the_instance_and_its_library(self):
        lib = dlc.load(self.path)
        m = lib.instance(seed=0)
        w = m.params["hidden.W"]
        expected = w.copy()
        m.close()
        lib.close()
        del m, lib
        gc.collect()
        # The memory stays with the view (the instance is destroyed with the view's last reference
        # to it): reading and writing it is safe.
        self.assertIsNotNone(w.base._owner.handle)
        np.testing.assert_array_equal(w, expected)
        w[...] = 3
        self.assertEqual(float(w.sum()), 48.0)
        del w
        gc.collect()


if __name__ == "__main__":
    unittest.main()
