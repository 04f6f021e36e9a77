#!/usr/bin/python3
"""torch_parity.py — trains one MLP with dlc and with PyTorch from the same start and compares them.

Compiles test/parity/mlp_<variant>.dl with dlc, writes one initial checkpoint (safetensors, written
here from NumPy: random parameters, zero optimizer state), trains the model.so for STEPS steps with
`dl-run train --inputs ... --init ... --losses ... --save ...` on random batches, repeats the same
steps with the equivalent torch.nn model and torch.optim optimizer in float32 and in float64, and
checks that every step's loss agrees with PyTorch's float32 loss within 1e-4 relative and that the
final parameters and optimizer state are close to PyTorch's float64 ones (see OPTIMIZERS).

dlc's Dense keeps W as [in, out] and computes x @ W + b; torch.nn.Linear keeps weight as [out, in],
so weights cross over transposed.

Exit status: 0 when dlc and PyTorch agree, 1 when they do not (each disagreement is printed), 77
(ctest's SKIP_RETURN_CODE) when NumPy or PyTorch cannot be imported.

The variants: adam and sgd (relu between the layers), and activations (SGD; silu, then mish and
hardswish, whose gradients PyTorch's backward formulas give).

Usage: torch_parity.py adam|sgd|activations --dlc PATH --dl-run PATH --work DIR
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from parity_common import (fresh_model, np, parity_arguments, read_losses,  # noqa: E402
                           read_safetensors, run, torch, write_safetensors)

STEPS = 20
BATCH = 32  # mlp.dl's B
LAYERS = [("h1", 784, 256), ("h2", 256, 128), ("head", 128, 10)]
LOSS_RTOL = 1e-4

# Per variant: the .dl file, the activations after h1 and after h2 (relu unless given), the
# torch.optim optimizer with the same hyperparameters, how dlc names each parameter's state
# buffers and which entry of torch's state each one is, and how far
# the final tensors may be from PyTorch's float64 run: parameters within param_atol (absolute),
# optimizer state within state_rtol of the tensor's largest value, or no further than PyTorch's own
# float32 run is. The last clause is for Adam: its update is about lr * sign(grad) wherever a
# gradient is tiny, so a rounding difference in one such gradient can move one weight by a good
# part of lr; PyTorch's float32 run shows such outliers too.
OPTIMIZERS = {
    "adam": {
        "source": "mlp_adam.dl",
        "make": lambda params: torch.optim.Adam(params, lr=1e-3),
        "state": {"exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq"},
        "param_atol": 2e-5,
        "state_rtol": 1e-4,
    },
    "sgd": {
        "source": "mlp_sgd.dl",
        "make": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "state": {"velocity": "momentum_buffer"},
        "param_atol": 2e-6,
        "state_rtol": 1e-5,
    },
    "activations": {
        "source": "mlp_activations.dl",
        "activations": (lambda: [torch.nn.SiLU()], lambda: [torch.nn.Mish(), torch.nn.Hardswish()]),
        "make": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "state": {"velocity": "momentum_buffer"},
        "param_atol": 2e-6,
        "state_rtol": 1e-5,
    },
}

def initial_checkpoint(dl_run, model, inputs, work, rng):
    """Random parameters and zero optimizer state under the names, shapes and dtypes of the model's
    own checkpoint (one probe step saved), so the file fits the model exactly."""
    probe = os.path.join(work, "probe.safetensors")
    run([dl_run, "train", model, "--inputs", inputs, "--steps", "1", "--save", probe])
    layout, _ = read_safetensors(probe)
    params = {}
    for layer, fan_in, fan_out in LAYERS:
        params[f"{layer}.W"] = (rng.standard_normal((fan_in, fan_out)) *
                                np.sqrt(2.0 / fan_in)).astype(np.float32)
        params[f"{layer}.b"] = (0.1 * rng.standard_normal(fan_out)).astype(np.float32)
    checkpoint = {}
    for name, probed in layout.items():
        if name in params:
            assert params[name].shape == probed.shape, name
            checkpoint[name] = params[name]
        else:
            # Anything that is not a parameter must be the train step's own state, which starts at
            # zero in torch.optim too; a model buffer here would need its real initial value.
            assert name.startswith("train_step."), f"unexpected buffer {name}"
            checkpoint[name] = np.zeros(probed.shape, probed.dtype)
    missing = set(params) - set(layout)
    assert not missing, f"parameters missing from the model's checkpoint: {sorted(missing)}"
    path = os.path.join(work, "init.safetensors")
    write_safetensors(path, checkpoint)
    return path, params


def train_torch(optimizer_spec, params, xs, ys, dtype):
    """The same steps in PyTorch, in dtype: returns the loss of each step (before its update), the
    final parameters in dlc's names and layout, and the optimizer state in dlc's names and layout."""
    linears = [torch.nn.Linear(fan_in, fan_out, dtype=dtype) for _, fan_in, fan_out in LAYERS]
    with torch.no_grad():
        for linear, (layer, _, _) in zip(linears, LAYERS):
            linear.weight.copy_(torch.from_numpy(params[f"{layer}.W"].T))
            linear.bias.copy_(torch.from_numpy(params[f"{layer}.b"]))
    first, second = optimizer_spec.get("activations", (lambda: [torch.nn.ReLU()],) * 2)
    net = torch.nn.Sequential(linears[0], *first(), linears[1], *second(), linears[2])
    optimizer = optimizer_spec["make"](net.parameters())
    losses = []
    for x, y in zip(xs, ys):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(x).to(dtype)),
                                                 torch.from_numpy(y).long())
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    final, state = {}, {}
    for linear, (layer, _, _) in zip(linears, LAYERS):
        for suffix, tensor in (("W", linear.weight), ("b", linear.bias)):
            as_dlc = tensor.detach().numpy().astype(np.float64)
            final[f"{layer}.{suffix}"] = as_dlc.T if suffix == "W" else as_dlc
            for dlc_name, torch_name in optimizer_spec["state"].items():
                value = optimizer.state[tensor][torch_name].numpy().astype(np.float64)
                state[f"train_step.{dlc_name}.{layer}.{suffix}"] = value.T if suffix == "W" else value
    return losses, final, state


def main():
    args = parity_arguments(__doc__, "optimizer", OPTIMIZERS)
    spec = OPTIMIZERS[args.optimizer]

    model = fresh_model(args.dlc, os.path.join(HERE, spec["source"]), args.work)

    rng = np.random.default_rng(20240611)
    xs = rng.standard_normal((STEPS, BATCH, 784)).astype(np.float32)
    ys = rng.integers(0, 10, (STEPS, BATCH)).astype(np.int32)
    np.save(os.path.join(args.work, "x.npy"), xs)
    np.save(os.path.join(args.work, "y.npy"), ys)
    inputs = "x={},y={}".format(os.path.join(args.work, "x.npy"), os.path.join(args.work, "y.npy"))

    init, params = initial_checkpoint(args.dl_run, model, inputs, args.work, rng)
    losses_csv = os.path.join(args.work, "losses.csv")
    final_path = os.path.join(args.work, "final.safetensors")
    run([args.dl_run, "train", model, "--inputs", inputs, "--steps", str(STEPS), "--init", init,
         "--losses", losses_csv, "--save", final_path])

    dlc_losses = read_losses(losses_csv)
    torch_losses, torch_final, torch_state = train_torch(spec, params, xs, ys, torch.float32)
    exact_losses, exact_final, exact_state = train_torch(spec, params, xs, ys, torch.float64)
    failures = []
    if len(dlc_losses) != STEPS:
        failures.append(f"dl-run wrote {len(dlc_losses)} losses, not {STEPS}")
    print(f"{'step':>4}  {'dlc':>12}  {'torch f32':>12}  {'torch f64':>12}  dlc vs torch f32 (relative)")
    for step, (ours, theirs, exact) in enumerate(zip(dlc_losses, torch_losses, exact_losses), start=1):
        relative = abs(ours - theirs) / abs(theirs)
        print(f"{step:>4}  {ours:12.8f}  {theirs:12.8f}  {exact:12.8f}  {relative:.2e}")
        if not relative <= LOSS_RTOL:
            failures.append(f"step {step}: loss {ours} (dlc) vs {theirs} (torch), "
                            f"relative difference {relative:.2e} > {LOSS_RTOL:g}")

    dlc_final, metadata = read_safetensors(final_path)
    if metadata.get("step") != str(STEPS):
        failures.append(f"the final checkpoint says step {metadata.get('step')!r}, not {STEPS}")
    if int(dlc_final["train_step.count"]) != STEPS:
        failures.append(f"train_step.count is {int(dlc_final['train_step.count'])}, not {STEPS}")
    print("final tensors, distance from torch f64 (parameters: max |difference|; optimizer state:"
          " max |difference| / max |value|)")
    print(f"{'':32} {'dlc':>9} {'torch f32':>9}  allowed")
    for name, exact in list(exact_final.items()) + list(exact_state.items()):
        peer = torch_final.get(name, torch_state.get(name))
        scale = 1.0 if name in exact_final else float(np.max(np.abs(exact)))
        ours_error = float(np.max(np.abs(dlc_final[name] - exact))) / scale
        peer_error = float(np.max(np.abs(peer - exact))) / scale
        floor = spec["param_atol"] if name in exact_final else spec["state_rtol"]
        allowed = max(floor, peer_error)
        print(f"{name:32} {ours_error:9.2e} {peer_error:9.2e}  {allowed:.2e}")
        if not ours_error <= allowed:
            failures.append(f"{name}: {ours_error:.2e} from torch f64, more than {allowed:.2e}")

    if failures:
        print(f"FAIL: dlc and PyTorch {torch.__version__} disagree on {args.optimizer}:")
        for failure in failures:
            print("  " + failure)
        return 1
    print(f"PASS: dlc and PyTorch {torch.__version__} agree on {STEPS} {args.optimizer} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
