"""finetune_common.py — what the fine-tuning tests share (torch_finetune.py, torch_finetune_rnn.py,
torch_finetune_transformer.py): import an exported PyTorch model with a train block and its first
layer frozen, then train it in dlc and the same model in PyTorch float64 side by side on the same
batches, comparing every step's loss, the forward afterwards and the frozen layer.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import open_instance, relative_error, run  # noqa: E402

STEPS = 20
RTOL = 1e-4


def declared_layers(program):
    """The layer instances of an imported program, in declaration order."""
    return re.findall(r"^  (\w+) = [A-Z]\w*\(", program, re.M)


def import_frozen(args, name, onnx_path, optimizer, expect=None):
    """`dlc import ONNX --loss cross_entropy --optimizer OPTIMIZER --freeze FIRST`, where FIRST is the
    first layer the importer declares, then `dlc` on the program: returns (library, weights, FIRST).
    `expect(program text, layers)` may refuse the import (SystemExit) before the freeze; afterwards
    the train block must list every other layer."""
    program = os.path.join(args.work, name + ".dl")
    weights = os.path.join(args.work, name + ".safetensors")
    library = os.path.join(args.work, name + ".so")
    command = [args.dlc, "import", onnx_path, "-o", program, "--weights", weights, "--loss", "cross_entropy",
               "--optimizer", optimizer]
    run(command)
    text = open(program).read()
    layers = declared_layers(text)
    if expect:
        expect(text, layers)
    frozen, trained = layers[0], layers[1:]
    run(command + ["--freeze", frozen])
    text = open(program).read()
    if "params    = [" + ", ".join(trained) + "]" not in text:
        raise SystemExit(f"{name}: --freeze {frozen} did not leave params = {trained} in\n{text}")
    run([args.dlc, program, "-o", library])
    return library, weights, frozen


def as_exact(torch, array):
    """A NumPy batch as the float64 model's input: floats in double, ids as int64."""
    tensor = torch.from_numpy(array)
    return tensor.double() if tensor.is_floating_point() else tensor.long()


def train_side_by_side(name, library, weights, frozen, exact, make_optimizer, draw, seed):
    """Trains the dlc `library` (from `weights`, layer `frozen` frozen) and `exact` (the same model
    in float64, its frozen parameters with requires_grad off) STEPS steps on the batches `draw(gen)`
    gives (x, labels), cross_entropy loss, `make_optimizer` over exact's trainable parameters.
    Returns (worst loss error, forward error on a fresh batch, number of frozen tensors, whether
    they are unchanged bit for bit) and prints them."""
    import numpy as np
    import torch

    inst = open_instance(library, weights)
    frozen_before = {k: np.array(v) for k, v in inst.params.items() if k.startswith(frozen + ".")}
    exact = exact.train()
    optimizer = make_optimizer([p for p in exact.parameters() if p.requires_grad])
    gen = np.random.default_rng(seed)
    worst_loss = 0.0
    for _ in range(STEPS):
        x, y = draw(gen)
        loss = inst.call("train_step", x=x, target=y)
        optimizer.zero_grad()
        want = torch.nn.functional.cross_entropy(exact(as_exact(torch, x)), torch.from_numpy(y).long())
        want.backward()
        optimizer.step()
        worst_loss = max(worst_loss, abs(loss - want.item()) / abs(want.item()))
    x, _ = draw(gen)
    with torch.no_grad():
        want = exact.eval()(as_exact(torch, x)).numpy()
    output_error = relative_error(inst.forward(x=x)["y"], want)
    unchanged = all(np.array_equal(np.array(inst.params[k]), v) for k, v in frozen_before.items())
    print(f"{name}: {STEPS} steps, worst loss error {worst_loss:.2e}, forward after {output_error:.2e}, "
          f"frozen {frozen} ({len(frozen_before)} tensors) {'unchanged' if unchanged else 'CHANGED'}")
    return worst_loss, output_error, len(frozen_before), unchanged


def within(outcome, frozen_tensors=None):
    """Whether a train_side_by_side outcome passes: losses and forward within RTOL, the frozen layer
    unchanged and not empty (exactly `frozen_tensors` tensors where given)."""
    worst_loss, output_error, count, unchanged = outcome
    expected = count == frozen_tensors if frozen_tensors is not None else count > 0
    return worst_loss <= RTOL and output_error <= RTOL and unchanged and expected

