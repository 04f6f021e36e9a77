"""export_check.py — `dlc --emit=onnx` against ONNX Runtime: each named example model (examples/NAME.dl,
or test/onnx/NAME.dl: export_decoder and export_index, the ops of issue 20) is compiled, an instance's initial weights saved as a checkpoint, the forward entry exported with
--init that checkpoint, the export checked by onnx.checker (full_check) and run by ONNX Runtime
(ort_run.js) on the same random inputs as dlc's forward: outputs equal within 1e-5 relative.

A model whose forward draws random numbers (normal, uniform) is passed as NAME:random and checked
in both export forms (export_random.py): with --onnx-random=inputs, fed the very numbers dlc's
forward drew, ONNX Runtime's outputs equal dlc's within 1e-5; by default (RandomNormal and
RandomUniform nodes) ONNX Runtime's own draws have the distributions the .dl file asks for, and
given those draws the graph computes what the inputs form computes.
(A refused export, an op ONNX cannot carry, is test/lit/driver/emit-onnx-errors.dl's.)

    export_check.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR NAME[:random]...
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import SOURCE, arguments, need, run, run_ort, worst_error  # noqa: E402

onnx, np = need("onnx", "numpy")
import onnx.checker  # noqa: E402

TOLERANCE = 1e-5


def random_inputs(spec, seed):
    rng = np.random.default_rng(seed)
    inputs = {}
    for name, info in spec.inputs.items():
        if info.dtype == np.int32:
            inputs[name] = rng.integers(0, 8, size=info.shape).astype(np.int32)  # ids below every vocabulary
        elif info.dtype == np.bool_:
            inputs[name] = rng.integers(0, 2, size=info.shape).astype(np.bool_)
        else:
            inputs[name] = rng.standard_normal(info.shape).astype(np.float32)
    return inputs


def model_source(name):
    """examples/NAME.dl, or a test model of this folder (test/onnx/NAME.dl)."""
    example = os.path.join(SOURCE, "examples", name + ".dl")
    return example if os.path.exists(example) else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                 name + ".dl")


def check_export(args, name):
    source = model_source(name)
    work = os.path.join(args.work, name)
    os.makedirs(work, exist_ok=True)
    library = os.path.join(work, name + ".so")
    checkpoint = os.path.join(work, name + ".safetensors")
    exported = os.path.join(work, name + ".onnx")
    run([args.dlc, source, "-o", library])
    import dlc as dlcpy
    inst = dlcpy.load(library).instance(seed=7, threads=2)
    inst.save(checkpoint)
    run([args.dlc, source, "--emit=onnx", "--init", checkpoint, "-o", exported])
    model = onnx.load(exported)
    onnx.checker.check_model(model, full_check=True)
    inputs = random_inputs(inst.info.entries["forward"], seed=3)
    want = inst.forward(**inputs)
    got, _ = run_ort(exported, inputs, os.path.join(work, "ort"))
    worst = worst_error(name, got, want)
    if worst > TOLERANCE:
        raise SystemExit(f"{name}: ONNX Runtime's outputs differ from dlc's by {worst:.2e} (> {TOLERANCE})")


def main():
    args = arguments(__doc__.split("\n")[0])
    for item in args.names:
        name, _, mode = item.partition(":")
        if mode == "random":
            from export_random import check_random
            check_random(args, name, model_source(name))
        else:
            check_export(args, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
