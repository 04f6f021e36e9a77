#!/usr/bin/python3
"""sequence_parity.py — dlc's RNN, LSTM, GRU and MultiHeadAttention against torch.nn's.

Compiles test/parity/<model>.dl (one sequence layer over [B, T, I] and a classifier on every
step), writes one checkpoint of random weights in PyTorch's layout (the recurrent layers'
parameters carry nn.LSTM's names without the `_l0` suffix, gates in PyTorch's order;
MultiHeadAttention's are nn.MultiheadAttention's, out_proj.weight spelled out_proj_weight), and
checks against the same network in torch.nn:
  - the forward outputs (logits at every step) of `dl-run predict` from that checkpoint, within
    1e-4 of torch float64 relative to their largest magnitude;
  - STEPS training steps with `dl-run train --inputs`: every step's loss within 1e-4 relative of
    torch float64, and the final parameters and optimizer state as close to torch float64 as
    torch's own float32 run (or within a small floor).

Exit status: 0 when they agree, 1 when they do not, 77 when NumPy or PyTorch cannot be imported.

Usage: sequence_parity.py lstm|gru|rnn|mha --dlc PATH --dl-run PATH --work DIR
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from parity_common import (compare_losses_to_exact, compare_tensors_to_exact,  # noqa: E402
                           fresh_model, np, parity_arguments, read_losses, read_safetensors, run,
                           torch, verdict, write_safetensors)

STEPS = 20
B, T, C = 4, 6, 7  # the .dl files' constants
I, H = 5, 8        # recurrent layers: input and hidden sizes
D, HEADS = 8, 2    # attention: width and heads
RTOL = 1e-4

MODELS = {
    "lstm": {"layer": torch.nn.LSTM, "make": lambda p: torch.optim.Adam(p, lr=1e-2),
             "state": {"exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq"}},
    "gru": {"layer": torch.nn.GRU, "make": lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9),
            "state": {"velocity": "momentum_buffer"}},
    "rnn": {"layer": torch.nn.RNN, "make": lambda p: torch.optim.RMSprop(p, lr=1e-3),
            "state": {"square_avg": "square_avg"}},
    "mha": {"layer": None, "make": lambda p: torch.optim.Adam(p, lr=1e-2),
            "state": {"exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq"}},
}
RECURRENT = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class Net(torch.nn.Module):
    def __init__(self, layer, dtype):
        super().__init__()
        if layer is None:
            self.rec = torch.nn.MultiheadAttention(D, HEADS, batch_first=True, dtype=dtype)
            self.head = torch.nn.Linear(D, C, dtype=dtype)
        else:
            self.rec = layer(I, H, batch_first=True, dtype=dtype)
            self.head = torch.nn.Linear(H, C, dtype=dtype)

    def forward(self, x):
        if isinstance(self.rec, torch.nn.MultiheadAttention):
            causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
            return self.head(self.rec(x, x, x, attn_mask=causal, need_weights=False)[0])
        return self.head(self.rec(x)[0])

    def tensors(self):
        """(dlc name, torch parameter) pairs; dlc's Dense weight is the transpose of Linear's."""
        if isinstance(self.rec, torch.nn.MultiheadAttention):
            out = [("rec.in_proj_weight", self.rec.in_proj_weight),
                   ("rec.in_proj_bias", self.rec.in_proj_bias),
                   ("rec.out_proj_weight", self.rec.out_proj.weight),
                   ("rec.out_proj_bias", self.rec.out_proj.bias)]
        else:
            out = [(f"rec.{name}", getattr(self.rec, name + "_l0")) for name in RECURRENT]
        return out + [("head.W", self.head.weight), ("head.b", self.head.bias)]


def to_dlc(name, array):
    return array.T if name == "head.W" else array


def initial_checkpoint(dl_run, model, inputs, work, rng, layer):
    """Random weights (uniform in +-1/sqrt(H), as PyTorch draws them) and zero optimizer state,
    under the names and shapes of the model's own checkpoint (one probe step saved)."""
    probe = os.path.join(work, "probe.safetensors")
    run([dl_run, "train", model, "--inputs", inputs, "--steps", "1", "--save", probe])
    layout, _ = read_safetensors(probe)
    bound = 1 / np.sqrt(H if layer else D)
    start = {}
    for name, array in layout.items():
        if name.startswith("train_step."):
            continue
        start[name] = rng.uniform(-bound, bound, array.shape).astype(np.float32)
    expected = {name for name, _ in Net(layer, torch.float32).tensors()}
    assert set(start) == expected, f"parameters {sorted(start)} vs {sorted(expected)}"
    checkpoint = {name: start.get(name, np.zeros(a.shape, a.dtype)) for name, a in layout.items()}
    path = os.path.join(work, "init.safetensors")
    write_safetensors(path, checkpoint)
    return path, start


def torch_net(spec, start, dtype):
    net = Net(spec["layer"], dtype)
    with torch.no_grad():
        for name, tensor in net.tensors():
            assert tuple(tensor.shape) == to_dlc(name, start[name]).shape, name
            tensor.copy_(torch.from_numpy(np.ascontiguousarray(to_dlc(name, start[name]))))
    return net


def train_torch(spec, start, xs, ys, dtype):
    net = torch_net(spec, start, dtype)
    optimizer = spec["make"](net.parameters())
    losses = []
    for x, y in zip(xs, ys):
        optimizer.zero_grad()
        logits = net(torch.from_numpy(x).to(dtype))
        loss = torch.nn.functional.cross_entropy(logits.reshape(B * T, C),
                                                 torch.from_numpy(y).long().reshape(B * T))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    final, state = {}, {}
    for name, tensor in net.tensors():
        final[name] = to_dlc(name, tensor.detach().numpy().astype(np.float64))
        for dlc_name, torch_name in spec["state"].items():
            value = optimizer.state[tensor][torch_name].numpy().astype(np.float64)
            state[f"train_step.{dlc_name}.{name}"] = to_dlc(name, value)
    return losses, final, state


def main():
    args = parity_arguments(__doc__, "model", MODELS)
    spec = MODELS[args.model]

    model = fresh_model(args.dlc, os.path.join(HERE, args.model + ".dl"), args.work)

    rng = np.random.default_rng(20261204)
    width = I if spec["layer"] else D
    xs = rng.standard_normal((STEPS, B, T, width)).astype(np.float32)
    ys = rng.integers(0, C, (STEPS, B, T)).astype(np.int32)
    x_path, y_path = os.path.join(args.work, "x.npy"), os.path.join(args.work, "y.npy")
    np.save(x_path, xs)
    np.save(y_path, ys)
    inputs = f"x={x_path},y={y_path}"
    init, start = initial_checkpoint(args.dl_run, model, inputs, args.work, rng, spec["layer"])
    failures = []

    # The forward pass from the same weights.
    predicted = os.path.join(args.work, "predicted.npy")
    np.save(os.path.join(args.work, "x0.npy"), xs[0])
    run([args.dl_run, "predict", model, "--inputs", "x=" + os.path.join(args.work, "x0.npy"),
         "--init", init, "--out", predicted])
    ours = np.load(predicted).astype(np.float64)
    with torch.no_grad():
        exact = torch_net(spec, start, torch.float64)(torch.from_numpy(xs[0]).double()).numpy()
    error = float(np.max(np.abs(ours - exact)) / np.max(np.abs(exact)))
    print(f"forward: max |dlc - torch f64| / max |torch f64| = {error:.2e}")
    if not error <= RTOL:
        failures.append(f"forward outputs differ by {error:.2e} (relative), more than {RTOL:g}")

    losses_csv = os.path.join(args.work, "losses.csv")
    final_path = os.path.join(args.work, "final.safetensors")
    run([args.dl_run, "train", model, "--inputs", inputs, "--steps", str(STEPS), "--init", init,
         "--losses", losses_csv, "--save", final_path])
    dlc_losses = read_losses(losses_csv)
    torch_losses, torch_final, torch_state = train_torch(spec, start, xs, ys, torch.float32)
    exact_losses, exact_final, exact_state = train_torch(spec, start, xs, ys, torch.float64)
    failures += compare_losses_to_exact(dlc_losses, torch_losses, exact_losses, STEPS, RTOL)

    dlc_final, _ = read_safetensors(final_path)
    print("final tensors, max |difference| from torch f64 / max |torch f64|")
    failures += compare_tensors_to_exact(
        dlc_final, {**torch_final, **torch_state}, {**exact_final, **exact_state},
        lambda name, peer_error, exact: (max(float(np.max(np.abs(exact))), 1e-30),
                                         max(RTOL, 4 * peer_error)))
    return verdict(failures, torch.__version__,
                   f"the forward pass and {STEPS} steps of {args.model}")


if __name__ == "__main__":
    sys.exit(main())
