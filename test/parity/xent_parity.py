#!/usr/bin/python3
"""xent_parity.py — cross_entropy's and nll's PyTorch options in training, against PyTorch.

Compiles test/parity/xent.dl (class weight, ignore_index 4, label smoothing 0.1, mean) or
xent_soft.dl (soft targets with weight, smoothing 0.2 and reduction "sum"; nll with ignore_index -1
and reduction "none"), writes one initial checkpoint (random parameters, the class weight in the
buffer `cw`, zero optimizer state), trains it for STEPS SGD steps with `dl-run train` on random
batches in which some labels are the ignored one, repeats the steps in PyTorch (float32 and
float64) with torch.nn.functional.cross_entropy / nll_loss and the same options, and checks that
every step's loss is within 1e-5 (relative) of PyTorch's float64 loss and the final parameters
within 1e-5 of PyTorch's float64 ones.

Exit status: 0 when they agree, 1 when not, 77 where NumPy or PyTorch is missing.

Usage: xent_parity.py weighted|soft --dlc PATH --dl-run PATH --work DIR
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from parity_common import (compare_losses_to_exact, compare_tensors_to_exact, fresh_model,  # noqa: E402
                           np, parity_arguments, read_losses, read_safetensors, run, torch,
                           verdict, write_safetensors)

F = torch.nn.functional
STEPS, BATCH, CLASSES = 20, 16, 5
LAYERS = [("h", 12, 16), ("head", 16, 5)]
CLASS_WEIGHT = np.array([0.5, 2.0, 1.0, 1.5, 3.0], np.float32)
LOSS_RTOL, PARAM_ATOL = 1e-5, 1e-5


def weighted_loss(logits, y, t, w):
    return F.cross_entropy(logits, y, weight=w, ignore_index=4, label_smoothing=0.1)


def soft_loss(logits, y, t, w):
    return (F.cross_entropy(logits, t, weight=w, label_smoothing=0.2, reduction="sum") / BATCH +
            0.5 * F.nll_loss(F.log_softmax(logits, dim=1), y, ignore_index=-1, reduction="none").mean())


VARIANTS = {
    "weighted": {"source": "xent.dl", "loss": weighted_loss, "ignored": 4},
    "soft": {"source": "xent_soft.dl", "loss": soft_loss, "ignored": -1},
}


def train_torch(loss_fn, params, xs, ys, ts, dtype):
    """The same SGD steps in PyTorch: each step's loss and the final parameters in dlc's layout."""
    linears = [torch.nn.Linear(i, o, dtype=dtype) for _, i, o in LAYERS]
    with torch.no_grad():
        for linear, (layer, _, _) in zip(linears, LAYERS):
            linear.weight.copy_(torch.from_numpy(params[f"{layer}.W"].T))
            linear.bias.copy_(torch.from_numpy(params[f"{layer}.b"]))
    net = torch.nn.Sequential(linears[0], torch.nn.Tanh(), linears[1])
    optimizer = torch.optim.SGD(net.parameters(), lr=0.2, momentum=0.9)
    w = torch.from_numpy(CLASS_WEIGHT).to(dtype)
    losses = []
    for x, y, t in zip(xs, ys, ts):
        optimizer.zero_grad()
        loss = loss_fn(net(torch.from_numpy(x).to(dtype)), torch.from_numpy(y).long(),
                       torch.from_numpy(t).to(dtype), w)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    final = {}
    for linear, (layer, _, _) in zip(linears, LAYERS):
        final[f"{layer}.W"] = linear.weight.detach().numpy().astype(np.float64).T
        final[f"{layer}.b"] = linear.bias.detach().numpy().astype(np.float64)
    return losses, final


def main():
    args = parity_arguments(__doc__, "variant", VARIANTS)
    spec = VARIANTS[args.variant]
    model = fresh_model(args.dlc, os.path.join(HERE, spec["source"]), args.work)

    rng = np.random.default_rng(20261207)
    xs = rng.standard_normal((STEPS, BATCH, 12)).astype(np.float32)
    ys = rng.integers(0, CLASSES, (STEPS, BATCH)).astype(np.int32)
    # About one label in four is the ignored one (ignore_index 4 is a class id; -1 is not).
    ys[rng.random((STEPS, BATCH)) < 0.25] = spec["ignored"]
    ts = rng.random((STEPS, BATCH, CLASSES)).astype(np.float32)
    ts /= ts.sum(-1, keepdims=True)
    files = {}
    for name, array in (("x", xs), ("y", ys), ("t", ts)):
        files[name] = os.path.join(args.work, name + ".npy")
        np.save(files[name], array)
    names = ("x", "y") if args.variant == "weighted" else ("x", "y", "t")
    inputs = ",".join(f"{n}={files[n]}" for n in names)

    probe = os.path.join(args.work, "probe.safetensors")
    run([args.dl_run, "train", model, "--inputs", inputs, "--steps", "1", "--save", probe])
    layout, _ = read_safetensors(probe)
    params = {}
    for layer, fan_in, fan_out in LAYERS:
        params[f"{layer}.W"] = (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32)
        params[f"{layer}.b"] = (0.1 * rng.standard_normal(fan_out)).astype(np.float32)
    checkpoint = {}
    for name, probed in layout.items():
        if name in params:
            checkpoint[name] = params[name]
        elif name == "cw":
            checkpoint[name] = CLASS_WEIGHT
        else:
            assert name.startswith("train_step."), f"unexpected buffer {name}"
            checkpoint[name] = np.zeros(probed.shape, probed.dtype)
    assert "cw" in checkpoint and all(p in checkpoint for p in params), sorted(layout)
    init = os.path.join(args.work, "init.safetensors")
    write_safetensors(init, checkpoint)

    losses_csv = os.path.join(args.work, "losses.csv")
    final_path = os.path.join(args.work, "final.safetensors")
    run([args.dl_run, "train", model, "--inputs", inputs, "--steps", str(STEPS), "--init", init,
         "--losses", losses_csv, "--save", final_path])

    torch_losses, torch_final = train_torch(spec["loss"], params, xs, ys, ts, torch.float32)
    exact_losses, exact_final = train_torch(spec["loss"], params, xs, ys, ts, torch.float64)
    failures = compare_losses_to_exact(read_losses(losses_csv), torch_losses, exact_losses, STEPS,
                                       LOSS_RTOL)
    dlc_final, _ = read_safetensors(final_path)
    failures += compare_tensors_to_exact(dlc_final, torch_final, exact_final,
                                         lambda name, peer, value: (1.0, max(PARAM_ATOL, peer)))
    return verdict(failures, torch.__version__, f"{STEPS} steps of {spec['source']}")


if __name__ == "__main__":
    sys.exit(main())
