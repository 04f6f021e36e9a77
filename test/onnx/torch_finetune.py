"""torch_finetune.py — fine-tuning an imported PyTorch model with its first layer frozen: the
model is exported (torch.onnx.export, torch 1.13, eval mode), imported by `dlc import --loss
cross_entropy --optimizer SPEC --freeze FIRST` (the train block's params then list every layer but
the first), compiled, and trained STEPS steps on the same random batches as PyTorch trains the same
layers from the same weights, in float64 as the exact answer. Every step's loss agrees with
PyTorch's within 1e-4 relative; afterwards the forward outputs on a fresh batch (inference mode:
batch norm with the running statistics both trainings updated) agree within 1e-4 normwise, and the
frozen layer is unchanged bit for bit.

    torch_finetune.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR [MODEL...]

MODEL: mlp_sgd (SGD with momentum), mlp_adam (Adam), cnn_bn (convolution frozen, batch norm and
the classifier trained with SGD); all by default.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import arguments, need, relative_error, run  # noqa: E402

torch, np, onnx = need("torch", "numpy", "onnx")
nn = torch.nn

STEPS = 20
BATCH, CLASSES = 8, 5
RTOL = 1e-4


def mlp():
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, CLASSES))


def cnn_bn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, CLASSES))


MODELS = {
    # name: (make, input shape, dlc optimizer, PyTorch optimizer of the trained parameters)
    "mlp_sgd": (mlp, (BATCH, 20), "sgd(lr = 0.1, momentum = 0.9)",
                lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    "mlp_adam": (mlp, (BATCH, 20), "adam(lr = 1e-2)", lambda p: torch.optim.Adam(p, lr=1e-2)),
    "cnn_bn": (cnn_bn, (BATCH, 1, 8, 8), "sgd(lr = 0.05)", lambda p: torch.optim.SGD(p, lr=0.05)),
}


def declared_layers(program):
    """The layer instances of an imported program, in declaration order."""
    return re.findall(r"^  (\w+) = [A-Z]\w*\(", program, re.M)


def check(name, args):
    make, shape, spec, make_optimizer = MODELS[name]
    torch.manual_seed(5)
    model = make()
    path = os.path.join(args.work, name + ".onnx")
    torch.onnx.export(model.eval(), torch.zeros(shape), path, opset_version=17, input_names=["x"],
                      output_names=["y"], training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    program = os.path.join(args.work, name + ".dl")
    weights = os.path.join(args.work, name + ".safetensors")
    library = os.path.join(args.work, name + ".so")
    common = [args.dlc, "import", path, "-o", program, "--weights", weights, "--loss", "cross_entropy",
              "--optimizer", spec]
    run(common)
    layers = declared_layers(open(program).read())
    frozen, trained = layers[0], layers[1:]
    run(common + ["--freeze", frozen])
    text = open(program).read()
    if "params    = [" + ", ".join(trained) + "]" not in text:
        raise SystemExit(f"{name}: --freeze {frozen} did not leave params = {trained} in\n{text}")
    run([args.dlc, program, "-o", library])

    import dlc as dlcpy
    inst = dlcpy.load(library).instance(threads=2)
    inst.load(weights)
    frozen_before = {k: np.array(v) for k, v in inst.params.items() if k.startswith(frozen + ".")}

    torch.manual_seed(5)
    exact = make().double().train()
    for p in exact[0].parameters():
        p.requires_grad_(False)
    optimizer = make_optimizer([p for p in exact.parameters() if p.requires_grad])
    gen = np.random.default_rng(11)
    worst_loss = 0.0
    for step in range(STEPS):
        x = gen.standard_normal(shape).astype(np.float32)
        y = gen.integers(0, CLASSES, BATCH).astype(np.int32)
        loss = inst.call("train_step", x=x, target=y)
        optimizer.zero_grad()
        want = nn.functional.cross_entropy(exact(torch.from_numpy(x).double()), torch.from_numpy(y).long())
        want.backward()
        optimizer.step()
        worst_loss = max(worst_loss, abs(loss - want.item()) / abs(want.item()))
    x = gen.standard_normal(shape).astype(np.float32)
    with torch.no_grad():
        want = exact.eval()(torch.from_numpy(x).double()).numpy()
    output_error = relative_error(inst.forward(x=x)["y"], want)
    unchanged = all(np.array_equal(np.array(inst.params[k]), v) for k, v in frozen_before.items())
    print(f"{name}: {STEPS} steps, worst loss error {worst_loss:.2e}, forward after {output_error:.2e}, "
          f"frozen {frozen} {'unchanged' if unchanged else 'CHANGED'}")
    return worst_loss <= RTOL and output_error <= RTOL and unchanged and bool(frozen_before)


def main():
    args = arguments(__doc__)
    torch.set_num_threads(2)
    names = args.names or list(MODELS)
    failed = [n for n in names if not check(n, args)]
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print(f"ok: {len(names)} fine-tunings equal PyTorch's within {RTOL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
