"""export_random.py — export_check.py's NAME:random: a model whose forward draws (normal, uniform),
exported in both forms of `dlc --emit=onnx --onnx-random=...` and run by ONNX Runtime.

1. An instance (seed 7) takes one train step, so its forward draws at step 1, and is saved.
2. --onnx-random=inputs: each draw is a graph input; its metadata_props entry names dlc's Philox
   stream. philox.py reproduces the numbers dlc's forward drew from the seed, that stream and the
   step; fed those, ONNX Runtime's outputs equal the instance's forward within 1e-5 relative. The
   numbers of the next step instead must move some output by more than 1e-3 for every draw, or the
   comparison could not have failed.
3. The default form: one RandomNormal / RandomUniform node per draw, named as the input was, with
   its shape and parameters. Made graph outputs, ONNX Runtime's draws match their distributions
   (mean and standard deviation within 6 standard errors; uniform draws inside [lo, hi]), and fed
   to the inputs form they give the default form's outputs within 1e-5.
"""
import json
import os

import numpy as np
import onnx
import onnx.checker
import onnx.helper

import philox
from onnx_common import relative_error, run, run_ort, worst_error

TOLERANCE = 1e-5
SENSITIVE = 1e-3
SEED = 7


def feeds(entry, rng, unit):
    """Inputs for `entry`: f32 in [0, 1) where `unit` (images and bce targets of a train step), else
    standard normal; i32 ids below 8."""
    out = {}
    for name, info in entry.inputs.items():
        if info.dtype == np.int32:
            out[name] = rng.integers(0, 8, size=info.shape).astype(np.int32)
        elif unit:
            out[name] = rng.random(info.shape).astype(np.float32)
        else:
            out[name] = rng.standard_normal(info.shape).astype(np.float32)
    return out


def shape_of(value_info):
    return tuple(d.dim_value for d in value_info.type.tensor_type.shape.dim)


def check_statistics(name, draw, spec, values):
    """ONNX Runtime's draw `values` against the distribution `spec` asks for."""
    n = values.size
    v = values.astype(np.float64)
    if spec["draw"] == "normal":
        mean, sd, kurtosis = spec["mean"], spec["std"], 3.0
    else:
        lo, hi = spec["lo"], spec["hi"]
        if v.min() < lo or v.max() > hi:
            raise SystemExit(f"{name}: {draw}: ONNX Runtime drew outside [{lo}, {hi}]: [{v.min()}, {v.max()}]")
        mean, sd, kurtosis = (lo + hi) / 2, (hi - lo) / np.sqrt(12.0), 1.8
    # Standard errors of the sample mean and of the sample standard deviation.
    mean_tol = 6 * sd / np.sqrt(n)
    sd_tol = 6 * sd * np.sqrt((kurtosis - 1) / (4 * n))
    print(f"{name}: {draw} {values.shape}: ONNX Runtime's mean {v.mean():.4f} (want {mean:g} +- {mean_tol:.4f}), "
          f"std {v.std():.4f} (want {sd:g} +- {sd_tol:.4f})")
    if abs(v.mean() - mean) > mean_tol or abs(v.std() - sd) > sd_tol:
        raise SystemExit(f"{name}: {draw}: ONNX Runtime's draw does not have the distribution {spec}")


def export(args, source, checkpoint, path, *flags):
    run([args.dlc, source, "--emit=onnx", "--init", checkpoint, *flags, "-o", path])
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    return model


def check_random(args, name, source):
    import dlc as dlcpy
    work = os.path.join(args.work, name)
    os.makedirs(work, exist_ok=True)
    library = os.path.join(work, name + ".so")
    checkpoint = os.path.join(work, name + ".safetensors")
    run([args.dlc, source, "-o", library])
    inst = dlcpy.load(library).instance(seed=SEED, threads=2)
    rng = np.random.default_rng(3)
    train = next(e for e in inst.info.entries.values() if e.kind == "train")
    inst.call(train.name, **feeds(train, rng, unit=True))
    if inst.step != 1:
        raise SystemExit(f"{name}: the instance is at step {inst.step} after one train step")
    inst.save(checkpoint)
    inputs = feeds(inst.info.entries["forward"], rng, unit=False)
    want = inst.forward(**inputs)

    # The inputs form, fed dlc's own draws.
    model = export(args, source, checkpoint, os.path.join(work, "inputs.onnx"), "--onnx-random=inputs")
    specs = {p.key[len("dlc.random."):]: json.loads(p.value) for p in model.metadata_props
             if p.key.startswith("dlc.random.")}
    shapes = {i.name: shape_of(i) for i in model.graph.input}
    if not specs or any(draw not in shapes for draw in specs) or len(shapes) != len(inputs) + len(specs):
        raise SystemExit(f"{name}: the inputs form's graph inputs {list(shapes)} are not the model's "
                         f"{list(inputs)} and one per draw {list(specs)}")
    drawn = {d: philox.draw(spec, shapes[d], SEED, inst.step) for d, spec in specs.items()}
    got, _ = run_ort(os.path.join(work, "inputs.onnx"), {**inputs, **drawn}, os.path.join(work, "ort_inputs"))
    worst = worst_error(name, got, want, "dlc's draws fed")
    if worst > TOLERANCE:
        raise SystemExit(f"{name}: fed dlc's draws, ONNX Runtime's outputs differ from dlc's by {worst:.2e}")
    for d, spec in specs.items():
        other = dict(drawn, **{d: philox.draw(spec, shapes[d], SEED, inst.step + 1)})
        moved, _ = run_ort(os.path.join(work, "inputs.onnx"), {**inputs, **other}, os.path.join(work, "ort_other"))
        change = max(relative_error(moved[out], value) for out, value in want.items())
        print(f"{name}: {d} ({spec['at']}, stream {spec['stream']}) of the next step instead: outputs move by {change:.2e}")
        if change <= SENSITIVE:
            raise SystemExit(f"{name}: the outputs do not depend on {d}: the comparison could not fail")

    # The default form: ONNX's random nodes.
    model = export(args, source, checkpoint, os.path.join(work, "ops.onnx"))
    nodes = {n.output[0]: n for n in model.graph.node if n.op_type in ("RandomNormal", "RandomUniform")}
    if set(nodes) != set(specs):
        raise SystemExit(f"{name}: the default form's random nodes {sorted(nodes)} are not the draws {sorted(specs)}")
    for d, node in nodes.items():
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        spec = specs[d]
        params = (("mean", "mean"), ("scale", "std")) if node.op_type == "RandomNormal" else (("low", "lo"), ("high", "hi"))
        if (node.op_type != "Random" + spec["draw"].capitalize() or tuple(attrs["shape"]) != shapes[d]
                or attrs["dtype"] != onnx.TensorProto.FLOAT
                or any(not np.isclose(attrs[a], spec[b], rtol=1e-7) for a, b in params)):
            raise SystemExit(f"{name}: node {node.op_type} {attrs} does not draw {spec} of shape {shapes[d]}")
        model.graph.output.append(onnx.helper.make_tensor_value_info(d, onnx.TensorProto.FLOAT, shapes[d]))
    onnx.save(model, os.path.join(work, "ops_draws.onnx"))
    got, _ = run_ort(os.path.join(work, "ops_draws.onnx"), inputs, os.path.join(work, "ort_ops"))
    for d in nodes:
        check_statistics(name, d, specs[d], got[d])
    again, _ = run_ort(os.path.join(work, "inputs.onnx"), {**inputs, **{d: got[d] for d in nodes}},
                       os.path.join(work, "ort_again"))
    worst = worst_error(name, again, {out: got[out] for out in want}, "ONNX Runtime's draws, both forms")
    if worst > TOLERANCE:
        raise SystemExit(f"{name}: given its own draws, the default form differs from the inputs form by {worst:.2e}")
