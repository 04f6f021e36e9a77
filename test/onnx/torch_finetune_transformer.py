"""torch_finetune_transformer.py — fine-tuning an imported nn.TransformerEncoderLayer with its
self-attention frozen: a batch-first encoder layer (dropout 0, so training and inference compute
the same) and a classifier over the mean of its outputs are exported (torch.onnx.export, torch
1.13, opset 17, eval mode), imported by `dlc import --loss cross_entropy --optimizer SPEC --freeze
ATTENTION`, where ATTENTION must be the MultiHeadAttention layer the importer recognised (the first
layer declared), compiled, and trained STEPS steps on the same random batches as PyTorch trains the
same parameters from the same weights in float64. Every step's loss agrees with PyTorch's within
1e-4 relative, the forward outputs on a fresh batch afterwards within 1e-4 normwise, and the frozen
attention weights are unchanged bit for bit.

    torch_finetune_transformer.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR [MODEL...]

MODEL: encoder_adam (Adam), encoder_sgd (SGD with momentum); both by default.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import arguments, need, relative_error, run  # noqa: E402
from torch_finetune import declared_layers  # noqa: E402

torch, np, onnx = need("torch", "numpy", "onnx")
nn = torch.nn

STEPS = 20
BATCH, SEQ, DIM, HEADS, CLASSES = 4, 6, 16, 4, 5
RTOL = 1e-4


class EncoderClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(DIM, HEADS, dim_feedforward=32, dropout=0.0, batch_first=True)
        self.head = nn.Linear(DIM, CLASSES)

    def forward(self, x):
        return self.head(self.encoder(x).mean(dim=1))


MODELS = {
    # name: (dlc optimizer, PyTorch optimizer of the trained parameters)
    "encoder_adam": ("adam(lr = 5e-3)", lambda p: torch.optim.Adam(p, lr=5e-3)),
    "encoder_sgd": ("sgd(lr = 0.05, momentum = 0.9)", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
}


def check(name, args):
    spec, make_optimizer = MODELS[name]
    shape = (BATCH, SEQ, DIM)
    torch.manual_seed(7)
    model = EncoderClassifier()
    path = os.path.join(args.work, name + ".onnx")
    torch.onnx.export(model.eval(), torch.zeros(shape), path, opset_version=17, input_names=["x"],
                      output_names=["y"], do_constant_folding=False)
    program = os.path.join(args.work, name + ".dl")
    weights = os.path.join(args.work, name + ".safetensors")
    library = os.path.join(args.work, name + ".so")
    common = [args.dlc, "import", path, "-o", program, "--weights", weights, "--loss", "cross_entropy",
              "--optimizer", spec]
    run(common)
    text = open(program).read()
    layers = declared_layers(text)
    frozen = layers[0]
    if f"{frozen} = MultiHeadAttention({DIM}, {HEADS})" not in text:
        raise SystemExit(f"{name}: the attention block was not imported as a MultiHeadAttention layer:\n{text}")
    run(common + ["--freeze", frozen])
    text = open(program).read()
    if "params    = [" + ", ".join(layers[1:]) + "]" not in text:
        raise SystemExit(f"{name}: --freeze {frozen} did not leave params = {layers[1:]} in\n{text}")
    run([args.dlc, program, "-o", library])

    import dlc as dlcpy
    inst = dlcpy.load(library).instance(threads=2)
    inst.load(weights)
    frozen_before = {k: np.array(v) for k, v in inst.params.items() if k.startswith(frozen + ".")}

    torch.manual_seed(7)
    exact = EncoderClassifier().double().train()
    for p in exact.encoder.self_attn.parameters():
        p.requires_grad_(False)
    optimizer = make_optimizer([p for p in exact.parameters() if p.requires_grad])
    gen = np.random.default_rng(13)
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
          f"frozen {frozen} ({len(frozen_before)} tensors) {'unchanged' if unchanged else 'CHANGED'}")
    return worst_loss <= RTOL and output_error <= RTOL and unchanged and len(frozen_before) == 4


def main():
    args = arguments(__doc__)
    torch.set_num_threads(2)
    names = args.names or list(MODELS)
    failed = [n for n in names if not check(n, args)]
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print(f"ok: {len(names)} fine-tunings of a transformer encoder layer equal PyTorch's within {RTOL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
