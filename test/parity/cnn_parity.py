#!/usr/bin/python3
"""cnn_parity.py — trains a small CNN with dlc and with PyTorch from the same start and compares them.

Compiles test/parity/<model>.dl (cnn: convolutions, max and average pooling, Adam; cnn_bn: the same
with batch normalization, SGD with momentum), writes one initial checkpoint (random parameters, the
buffers and optimizer state at their initial values), trains the model.so for STEPS steps with
`dl-run train --inputs ... --init ... --losses ... --save ...` on random batches, repeats the steps
with the equivalent torch.nn model in float32 and in float64, and checks that every step's loss
agrees with PyTorch's float64 loss within 1e-4 relative and that the final parameters, batch-norm
running statistics and optimizer state are as close to PyTorch's float64 run as its own float32
run is (or within a small floor).

The losses are held to the float64 run, the exact answer, and the float32 run's distance from it
is printed beside dlc's. Both float32 runs can leave the float64 one at a step where rounding tips
a discrete choice (a ReLU's sign, a max-pooling window's argmax): with lr = 0.05, cnn_bn reached
such a step at step 10, after which dlc and PyTorch in float32 agreed with each other to 1e-7 and
both differed from float64 by up to 9e-4. Its learning rate, 0.02, keeps the 20 steps clear of
one.

dlc's Conv2d keeps W as [out, in, kh, kw] like torch.nn.Conv2d; its Dense keeps W as [in, out],
the transpose of torch.nn.Linear's weight.

Exit status: 0 when dlc and PyTorch agree, 1 when they do not, 77 (ctest's SKIP_RETURN_CODE) when
NumPy or PyTorch cannot be imported.

Usage: cnn_parity.py cnn|cnn_bn --dlc PATH --dl-run PATH --work DIR
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from parity_common import (compare_losses_to_exact, compare_tensors_to_exact,  # noqa: E402
                           fresh_model, np, parity_arguments, read_losses, read_safetensors, run,
                           torch, verdict, write_safetensors)

STEPS = 20
BATCH, SIZE = 8, 12  # cnn.dl's B and image size
LOSS_RTOL = 1e-4

MODELS = {
    "cnn": {
        "batchnorm": False,
        "make": lambda params: torch.optim.Adam(params, lr=1e-3),
        "state": {"exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq"},
        "param_atol": 2e-5,
        "state_rtol": 1e-4,
    },
    "cnn_bn": {
        "batchnorm": True,
        "make": lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9),
        "state": {"velocity": "momentum_buffer"},
        "param_atol": 2e-5,
        "state_rtol": 1e-4,
    },
}


class Net(torch.nn.Module):
    """The network of cnn.dl (and cnn_bn.dl when batchnorm), with dlc's parameter names."""

    def __init__(self, batchnorm, dtype):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1, dtype=dtype)
        self.conv2 = torch.nn.Conv2d(4, 8, 3, padding=1, dtype=dtype)
        self.bn1 = torch.nn.BatchNorm2d(4, dtype=dtype) if batchnorm else torch.nn.Identity()
        self.bn2 = torch.nn.BatchNorm2d(8, dtype=dtype) if batchnorm else torch.nn.Identity()
        self.head = torch.nn.Linear(72, 10, dtype=dtype)

    def forward(self, x):
        h = torch.nn.functional.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        h = torch.nn.functional.avg_pool2d(torch.relu(self.bn2(self.conv2(h))), 2)
        return self.head(torch.flatten(h, 1))

    def tensors(self):
        """(dlc name, torch tensor, kind) for every parameter and buffer; kind is "param" or
        "buffer". Dense weights are transposed on the way between the two."""
        out = []
        for layer in ("conv1", "conv2", "head"):
            module = getattr(self, layer)
            out += [(f"{layer}.W", module.weight, "param"), (f"{layer}.b", module.bias, "param")]
        for layer in ("bn1", "bn2"):
            module = getattr(self, layer)
            if isinstance(module, torch.nn.BatchNorm2d):
                out += [(f"{layer}.gamma", module.weight, "param"),
                        (f"{layer}.beta", module.bias, "param"),
                        (f"{layer}.running_mean", module.running_mean, "buffer"),
                        (f"{layer}.running_var", module.running_var, "buffer")]
        return out


def to_dlc(name, array):
    return array.T if name == "head.W" else array


def initial_checkpoint(dl_run, model, inputs, work, rng, batchnorm):
    """Random parameters, buffers at their initial values and zero optimizer state, under the
    names, shapes and dtypes of the model's own checkpoint (one probe step saved)."""
    probe = os.path.join(work, "probe.safetensors")
    run([dl_run, "train", model, "--inputs", inputs, "--steps", "1", "--save", probe])
    layout, _ = read_safetensors(probe)
    reference = Net(batchnorm, torch.float32)
    start = {}
    for name, tensor, kind in reference.tensors():
        shape = to_dlc(name, tensor.detach().numpy()).shape
        if kind == "buffer":
            start[name] = (np.ones if name.endswith("running_var") else np.zeros)(shape, np.float32)
        elif name.endswith(".gamma"):
            start[name] = (1 + 0.1 * rng.standard_normal(shape)).astype(np.float32)
        else:
            fan_in = int(np.prod(shape[1:])) if name.startswith("conv") else shape[0]
            scale = np.sqrt(2.0 / fan_in) if name.endswith(".W") else 0.1
            start[name] = (scale * rng.standard_normal(shape)).astype(np.float32)
    checkpoint = {}
    for name, probed in layout.items():
        if name in start:
            assert start[name].shape == probed.shape, f"{name}: {start[name].shape} vs {probed.shape}"
            checkpoint[name] = start[name]
        else:
            assert name.startswith("train_step."), f"unexpected tensor {name}"
            checkpoint[name] = np.zeros(probed.shape, probed.dtype)
    missing = set(start) - set(layout)
    assert not missing, f"tensors missing from the model's checkpoint: {sorted(missing)}"
    path = os.path.join(work, "init.safetensors")
    write_safetensors(path, checkpoint)
    return path, start


def train_torch(spec, start, xs, ys, dtype):
    """The same steps in PyTorch, in dtype: the loss of each step (before its update), and the
    final parameters, buffers and optimizer state in dlc's names and layout."""
    net = Net(spec["batchnorm"], dtype)
    with torch.no_grad():
        for name, tensor, _ in net.tensors():
            tensor.copy_(torch.from_numpy(np.ascontiguousarray(to_dlc(name, start[name]))))
    net.train()
    optimizer = spec["make"](net.parameters())
    losses = []
    for x, y in zip(xs, ys):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(x).to(dtype)),
                                                 torch.from_numpy(y).long())
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    final, state = {}, {}
    for name, tensor, kind in net.tensors():
        final[name] = to_dlc(name, tensor.detach().numpy().astype(np.float64))
        if kind == "param":
            for dlc_name, torch_name in spec["state"].items():
                value = optimizer.state[tensor][torch_name].numpy().astype(np.float64)
                state[f"train_step.{dlc_name}.{name}"] = to_dlc(name, value)
    return losses, final, state


def main():
    args = parity_arguments(__doc__, "model", MODELS)
    spec = MODELS[args.model]

    model = fresh_model(args.dlc, os.path.join(HERE, args.model + ".dl"), args.work)

    rng = np.random.default_rng(20261122)
    xs = rng.standard_normal((STEPS, BATCH, 1, SIZE, SIZE)).astype(np.float32)
    ys = rng.integers(0, 10, (STEPS, BATCH)).astype(np.int32)
    np.save(os.path.join(args.work, "x.npy"), xs)
    np.save(os.path.join(args.work, "y.npy"), ys)
    inputs = "x={},y={}".format(os.path.join(args.work, "x.npy"), os.path.join(args.work, "y.npy"))

    init, start = initial_checkpoint(args.dl_run, model, inputs, args.work, rng, spec["batchnorm"])
    losses_csv = os.path.join(args.work, "losses.csv")
    final_path = os.path.join(args.work, "final.safetensors")
    run([args.dl_run, "train", model, "--inputs", inputs, "--steps", str(STEPS), "--init", init,
         "--losses", losses_csv, "--save", final_path])

    dlc_losses = read_losses(losses_csv)
    torch_losses, torch_final, torch_state = train_torch(spec, start, xs, ys, torch.float32)
    exact_losses, exact_final, exact_state = train_torch(spec, start, xs, ys, torch.float64)
    failures = compare_losses_to_exact(dlc_losses, torch_losses, exact_losses, STEPS, LOSS_RTOL)

    dlc_final, _ = read_safetensors(final_path)
    print("final tensors, distance from torch f64 (parameters: max |difference|; buffers and"
          " optimizer state: max |difference| / max |value|)")

    def allowed(name, peer_error, exact):
        is_param = name in exact_final and "running" not in name
        scale = 1.0 if is_param else max(float(np.max(np.abs(exact))), 1e-30)
        return scale, max(spec["param_atol"] if is_param else spec["state_rtol"], peer_error)
    failures += compare_tensors_to_exact(dlc_final, {**torch_final, **torch_state},
                                         {**exact_final, **exact_state}, allowed)
    return verdict(failures, torch.__version__, f"{STEPS} steps of {args.model}")


if __name__ == "__main__":
    sys.exit(main())
