"""onnx_common.py — what the ONNX tests share: running dlc and dl-run, and loading a compiled model
through the dlc Python package of the source tree (python/dlc) with the build's loader.

The scripts run under /usr/bin/python3 (Debian's, with python3-torch, python3-onnx and NumPy) and
exit 77, which ctest reads as a skip, where one of those is missing.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
SKIP = 77


def need(*modules):
    """Imports `modules` or exits with the skip status, naming the one missing."""
    loaded = []
    for name in modules:
        try:
            loaded.append(__import__(name))
        except ImportError:
            print(f"skipped: /usr/bin/python3 has no {name} (Debian: python3-{name})")
            sys.exit(SKIP)
    return loaded


def arguments(doc, extra=None):
    """The command line every ONNX test takes; `extra(parser)` adds a script's own options."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--dlc", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--loader", required=True, help="libdlrt_loader.so.0 of the build")
    parser.add_argument("names", nargs="*")
    if extra:
        extra(parser)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    os.environ["DLC_LOADER"] = args.loader
    sys.path.insert(0, os.path.join(SOURCE, "python"))
    return args


def run(command, check=True):
    """Runs `command`; on failure prints its output and raises."""
    result = subprocess.run(command, capture_output=True, text=True)
    if check and result.returncode != 0:
        print("$ " + " ".join(command))
        print(result.stdout + result.stderr)
        raise SystemExit(f"command failed with status {result.returncode}")
    return result


def import_and_compile(dlc, onnx_path, work, name, extra=()):
    """`dlc import` then `dlc` on the program: returns (model.so, weights, import output)."""
    program = os.path.join(work, name + ".dl")
    weights = os.path.join(work, name + ".safetensors")
    library = os.path.join(work, name + ".so")
    out = run([dlc, "import", onnx_path, "-o", program, "--weights", weights, *extra]).stdout
    run([dlc, program, "-o", library])
    return library, weights, out


def open_instance(library, weights):
    """An instance of `library` (2 threads) with `weights` loaded."""
    import dlc as dlcpy
    inst = dlcpy.load(library).instance(threads=2)
    inst.load(weights)
    return inst


def relative_error(got, want):
    """max |got - want| / max |want| (normwise), and NaN/inf where they differ."""
    import numpy as np
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf")
    if not np.array_equal(np.isfinite(got), np.isfinite(want)):
        return float("inf")
    finite = np.isfinite(want)
    scale = max(np.max(np.abs(want[finite]), initial=0.0), 1e-30)
    return float(np.max(np.abs(got[finite] - want[finite]), initial=0.0) / scale)



def worst_error(name, got, want, label=""):
    """The largest relative_error over the outputs `want` (name -> array) of those in `got`,
    printing each; an output missing from `got` ends the test. `label` prefixes each line."""
    worst = 0.0
    prefix = f"{label}: " if label else ""
    for out, value in want.items():
        if out not in got:
            raise SystemExit(f"{name}: the export has no output '{out}' (it has {', '.join(got)})")
        err = relative_error(got[out], value)
        worst = max(worst, err)
        print(f"{name}: {prefix}output {out} {value.shape}: relative error {err:.2e}")
    return worst

def run_ort(model, inputs, work, threads=1, repeat=0):
    """Runs `model` with ONNX Runtime (ort_run.js under Node.js) on `inputs` (name -> array):
    returns (outputs by name, median seconds per run or None). Exits with the skip status where
    Node.js or onnxruntime-node is missing."""
    import json
    import shutil
    import numpy as np
    node = shutil.which("node")
    if node is None:
        print("skipped: no Node.js (Debian: nodejs) to run ONNX Runtime")
        sys.exit(SKIP)
    os.makedirs(work, exist_ok=True)
    specs = []
    for k, (name, value) in enumerate(inputs.items()):
        value = np.ascontiguousarray(value)
        dtype = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32", np.dtype(np.bool_): "bool"}[value.dtype]
        file = f"in_{k}.bin"
        value.tofile(os.path.join(work, file))
        specs.append({"name": name, "dtype": dtype, "shape": list(value.shape), "file": file})
    with open(os.path.join(work, "inputs.json"), "w") as f:
        json.dump(specs, f)
    command = [node, os.path.join(HERE, "ort_run.js"), model, work, "--threads", str(threads), "--repeat", str(repeat)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode == SKIP:
        print(result.stdout.strip())
        sys.exit(SKIP)
    if result.returncode != 0:
        raise SystemExit("ONNX Runtime failed on " + model + ":\n" + result.stdout + result.stderr)
    with open(os.path.join(work, "outputs.json")) as f:
        specs = json.load(f)
    dtypes = {"float32": np.float32, "int32": np.int32, "bool": np.bool_, "int64": np.int64}
    outputs = {s["name"]: np.fromfile(os.path.join(work, s["file"]), dtype=dtypes[s["dtype"]]).reshape(s["shape"])
               for s in specs}
    seconds = None
    for line in result.stdout.splitlines():
        if line.startswith("ort_seconds_per_run "):
            seconds = float(line.split()[1])
    return outputs, seconds


def roundtrip(args, name, model, inputs, outputs, rtol, **export_options):
    """Exports the torch `model` on `inputs` (graph input name -> tensor) with torch.onnx.export
    (opset 17 unless `export_options` say otherwise), checks it with onnx.checker, imports and
    compiles it, and runs dlc's forward on the same inputs (integer ids fed as int32): each of
    `outputs` must equal PyTorch's within `rtol` normwise. Returns (passed, the imported program)."""
    import numpy as np
    import onnx
    import torch
    path = os.path.join(args.work, name + ".onnx")
    options = {"opset_version": 17, "do_constant_folding": False, **export_options}
    torch.onnx.export(model, tuple(inputs.values()), path, input_names=list(inputs), output_names=outputs,
                      **options)
    onnx.checker.check_model(onnx.load(path))
    library, weights, _ = import_and_compile(args.dlc, path, args.work, name)
    with open(os.path.join(args.work, name + ".dl")) as f:
        program = f.read()
    with torch.no_grad():
        want = model(*inputs.values())
    want = want if isinstance(want, tuple) else (want,)
    feed = {n: v.numpy().astype(np.int32) if not v.is_floating_point() and v.dtype != torch.bool else v.numpy()
            for n, v in inputs.items()}
    got = open_instance(library, weights).forward(**feed)
    passed = True
    for out, w in zip(outputs, want):
        error = relative_error(got[out], w.numpy())
        print(f"{name}: {out} {list(w.shape)}, relative error {error:.3g}")
        passed &= error <= rtol
    return passed, program


def run_checks(doc, models, check, summary):
    """The main of a test script over named models: runs `check(name, args)` for the models named
    on the command line (all of `models` by default); prints `summary` when all pass."""
    import torch
    args = arguments(doc)
    torch.set_num_threads(2)
    names = args.names or list(models)
    failed = [n for n in names if not check(n, args)]
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print(f"ok: {len(names)} {summary}")
    return 0
