"""Tests that every misuse of the dlc package raises a dlc exception and never crashes the
interpreter: unknown entries and inputs, wrong dtypes, shapes and layouts, runtime errors with the
runtime's message, closed objects, bad arguments, a missing compiler or loader."""

import gc
import os
import subprocess
import sys
import threading
import unittest

import numpy as np

import dlc
import support


class MisuseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.path = support.compiled("xor")
        cls.lib = dlc.load(cls.path)
        cls.m = cls.lib.instance(seed=0)
        cls.x = np.array(support.XOR_X, np.float32)
        cls.y = np.array(support.XOR_Y, np.float32)

    @classmethod
    def tearDownClass(cls):
        cls.m.close()
        cls.lib.close()

    def assertInputError(self, message_parts, function, *args, **kwargs):
        with self.assertRaises(dlc.InputError) as caught:
            function(*args, **kwargs)
        # Catchable as the built-ins a NumPy user expects.
        self.assertIsInstance(caught.exception, ValueError)
        self.assertIsInstance(caught.exception, TypeError)
        for part in message_parts:
            self.assertIn(part, str(caught.exception))
        return caught.exception

    # Entries and inputs

    def test_unknown_entry(self):
        self.assertInputError(["no entry 'nope'", "train_step"], self.m.call, "nope")
        with self.assertRaises(AttributeError):
            self.m.nope
        with self.assertRaises(TypeError):
            self.m.call(3)

    def test_unknown_missing_and_doubled_inputs(self):
        self.assertInputError(["no input 'z'", "x f32[4, 2]"], self.m.train_step, x=self.x, y=self.y, z=self.x)
        self.assertInputError(["needs y f32[4, 1]"], self.m.train_step, x=self.x)
        self.assertInputError(["'x'", "twice"], self.m.train_step, self.x, x=self.x, y=self.y)
        self.assertInputError(["takes 2 inputs", "got 3"], self.m.train_step, self.x, self.y, self.y)

    def test_shape_names_the_input_and_both_shapes(self):
        self.assertInputError(["input 'x'", "(4, 2)", "(3, 2)"], self.m.forward, x=self.x[:3].copy())
        self.assertInputError(["input 'y'", "(4, 1)", "(4,)"], self.m.train_step, x=self.x, y=self.y[:, 0].copy())
        self.assertInputError(["input 'x'", "(4, 2)", "()"], self.m.forward, x=1.0)

    def test_dtype_converts_only_when_no_value_changes(self):
        # Exact conversions are made: f64, i64 and bool arrays, and nested lists.
        exact = self.m.forward(x=self.x)["p"]
        for value in (self.x.astype(np.float64), self.x.astype(np.int64), self.x.astype(bool), support.XOR_X):
            np.testing.assert_array_equal(self.m.forward(x=value)["p"], exact)
        self.assertInputError(["input 'x'", "float64[4, 2]", "0.1", "[0, 0]"], self.m.forward, x=np.full((4, 2), 0.1))
        self.assertInputError(["input 'x'", "1e+300"], self.m.forward, x=np.full((4, 2), 1e300))
        self.assertInputError(["16777217"], self.m.forward, x=np.full((4, 2), 2**24 + 1, np.int64))
        self.assertInputError(["complex128"], self.m.forward, x=np.zeros((4, 2), complex))
        self.assertInputError(["<U1"], self.m.forward, x=[["a", "b"]] * 4)
        self.assertInputError(["no array"], self.m.forward, x=[[1, 2], [3]])
        self.assertInputError(["object"], self.m.forward, x=np.array([[None, None]] * 4))

    def test_layout(self):
        self.assertInputError(["input 'x'", "not C-contiguous"], self.m.forward, x=np.asfortranarray(self.x))
        self.assertInputError(["not C-contiguous"], self.m.forward, x=np.zeros((4, 4), np.float32)[:, ::2])
        raw = np.zeros(4 * 2 * 4 + 1, np.uint8)[1:].view(np.float32).reshape(4, 2)
        self.assertInputError(["not aligned"], self.m.forward, x=raw)

    # Runtime errors carry the runtime's message and status

    def test_checkpoint_errors(self):
        before = self.m.params["hidden.W"].copy()
        with self.assertRaises(dlc.RuntimeError) as caught:
            self.m.load(support.scratch() / "missing.ckpt")
        self.assertIsInstance(caught.exception, RuntimeError)
        self.assertEqual(caught.exception.status, "i/o error")
        self.assertIn("missing.ckpt", str(caught.exception))
        garbage = support.scratch() / "garbage.ckpt"
        garbage.write_bytes(b"not a checkpoint at all")
        with self.assertRaises(dlc.RuntimeError) as caught:
            self.m.load(garbage)
        self.assertEqual(caught.exception.status, "format error")
        with self.assertRaises(dlc.RuntimeError) as caught:
            self.m.save(support.scratch() / "no" / "such" / "folder.ckpt")
        self.assertEqual(caught.exception.status, "i/o error")
        np.testing.assert_array_equal(self.m.params["hidden.W"], before)

    def test_library_errors(self):
        with self.assertRaises(dlc.RuntimeError) as caught:
            dlc.load(support.scratch() / "missing.so")
        self.assertEqual(caught.exception.status, "i/o error")
        text = support.scratch() / "text.so"
        text.write_text("this is a text file, long enough to be read as a header\n" * 4)
        with self.assertRaises(dlc.RuntimeError) as caught:
            dlc.load(text)
        self.assertEqual(caught.exception.status, "format error")
        self.assertIn("not an ELF file", str(caught.exception))

    def test_compile_errors(self):
        bad = support.scratch() / "bad.dl"
        bad.write_text("model bad {\n  input x: f32[4, 2]\n  output y = x @ x\n}\n")
        with self.assertRaises(dlc.CompileError) as caught:
            dlc.compile(bad)
        self.assertIn("bad.dl:3:", str(caught.exception))
        self.assertIn("error:", str(caught.exception))
        self.assertEqual(caught.exception.returncode, 1)
        with self.assertRaises(dlc.CompileError):
            dlc.compile(support.scratch() / "missing.dl")
        with self.assertRaises(ValueError):
            dlc.compile(bad, target="tpu")
        with self.assertRaises(ValueError):
            dlc.compile(bad, defines={"not a name": 1})
        with self.assertRaises(TypeError):
            dlc.compile(bad, defines={"B": "four"})

    def test_metadata_misuse(self):
        with self.assertRaises(dlc.RuntimeError) as caught:
            self.m.metadata["step"] = "3"
        self.assertIn("reserved", str(caught.exception))
        with self.assertRaises(dlc.RuntimeError):
            self.m.metadata[""] = "x"
        with self.assertRaises(TypeError):
            self.m.metadata["k"] = 3
        with self.assertRaises(ValueError):
            self.m.metadata["k"] = "a\0b"
        with self.assertRaises(KeyError):
            del self.m.metadata["never set"]

    # Arguments

    def test_instance_arguments(self):
        for bad in (-1, 2**64):
            with self.assertRaises(ValueError):
                self.lib.instance(seed=bad)
        for bad in (1.5, "1", True, None):
            with self.assertRaises(TypeError):
                self.lib.instance(seed=bad)
        with self.assertRaises(ValueError):
            self.lib.instance(threads=-1)
        with self.assertRaises(ValueError):
            self.lib.instance(device="tpu")
        with self.assertRaises(dlc.RuntimeError) as caught:
            self.lib.instance(device="cuda")
        self.assertEqual(caught.exception.status, "device error")
        self.assertEqual(self.lib.instance(seed=2**64 - 1).seed, 2**64 - 1)

    def test_paths(self):
        with self.assertRaises(ValueError):
            self.m.save("a\0b.ckpt")
        with self.assertRaises(TypeError):
            self.m.save(3)
        with self.assertRaises(ValueError):
            dlc.load("a\0b.so")

    # Lifetimes

    def test_closed_instance(self):
        m = self.lib.instance()
        m.close()
        m.close()  # twice is fine
        self.assertTrue(m.closed)
        for use in (lambda: m.train_step(x=self.x, y=self.y), lambda: m.params["out.b"], lambda: m.step,
                    lambda: m.save(support.scratch() / "closed.ckpt"), lambda: m.metadata.get("k")):
            with self.assertRaises(dlc.ClosedError):
                use()
        self.assertIn("closed", repr(m))
        with self.lib.instance() as n:
            pass
        self.assertTrue(n.closed)

    def test_closed_library_keeps_its_instances(self):
        lib = dlc.load(self.path)
        m = lib.instance(seed=0)
        lib.close()
        with self.assertRaises(dlc.ClosedError):
            lib.instance()
        self.assertEqual(lib.info.name, "xor")
        m.train_step(x=self.x, y=self.y)
        m.close()

    def test_instance_keeps_its_library_alive(self):
        m = dlc.load(self.path).instance(seed=0)
        gc.collect()
        self.assertIsInstance(m.train_step(x=self.x, y=self.y), float)
        self.assertFalse(m.library.closed)
        m.close()

    def test_threads_take_turns_on_one_instance(self):
        m = self.lib.instance(seed=0)
        errors = []

        def train():
            try:
                for _ in range(50):
                    m.train_step(x=self.x, y=self.y)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=train) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(m.step, 200)
        m.close()


class MissingToolsTest(unittest.TestCase):
    """A missing loader or compiler is an error that says where the package looked."""

    def run_python(self, code, **env):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                env={**os.environ, **env})
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_missing_loader(self):
        out = self.run_python(
            "import dlc\ntry: dlc.load('x.so')\nexcept dlc.Error as e: print(type(e).__name__, e)",
            DLC_LOADER="/nonexistent/libdlrt_loader.so")
        self.assertIn("Error cannot find the dlc runtime loader", out)
        self.assertIn("/nonexistent/libdlrt_loader.so", out)

    def test_missing_compiler(self):
        out = self.run_python(
            "import dlc\ntry: dlc.compile('x.dl')\nexcept dlc.Error as e: print(type(e).__name__, e)",
            DLC_COMPILER="/nonexistent/dlc")
        self.assertIn("cannot find the dlc compiler", out)
        self.assertIn("/nonexistent/dlc", out)


if __name__ == "__main__":
    unittest.main()
