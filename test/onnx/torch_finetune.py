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
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import finetune_common  # noqa: E402
from onnx_common import need, run_checks  # noqa: E402

torch, np, onnx = need("torch", "numpy", "onnx")
nn = torch.nn

BATCH, CLASSES = 8, 5


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


def check(name, args):
    make, shape, spec, make_optimizer = MODELS[name]
    torch.manual_seed(5)
    model = make()
    path = os.path.join(args.work, name + ".onnx")
    torch.onnx.export(model.eval(), torch.zeros(shape), path, opset_version=17, input_names=["x"],
                      output_names=["y"], training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    library, weights, frozen = finetune_common.import_frozen(args, name, path, spec)

    torch.manual_seed(5)
    exact = make().double()
    for p in exact[0].parameters():
        p.requires_grad_(False)

    def draw(gen):
        return (gen.standard_normal(shape).astype(np.float32), gen.integers(0, CLASSES, BATCH).astype(np.int32))

    outcome = finetune_common.train_side_by_side(name, library, weights, frozen, exact, make_optimizer, draw, 11)
    return finetune_common.within(outcome)


if __name__ == "__main__":
    sys.exit(run_checks(__doc__, MODELS, check, f"fine-tunings equal PyTorch's within {finetune_common.RTOL}"))
