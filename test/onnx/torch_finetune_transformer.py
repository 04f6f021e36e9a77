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
import finetune_common  # noqa: E402
from onnx_common import need, run_checks  # noqa: E402

torch, np, onnx = need("torch", "numpy", "onnx")
nn = torch.nn

BATCH, SEQ, DIM, HEADS, CLASSES = 4, 6, 16, 4, 5


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

    def expect(text, layers):
        if f"{layers[0]} = MultiHeadAttention({DIM}, {HEADS})" not in text:
            raise SystemExit(f"{name}: the attention block was not imported as a MultiHeadAttention layer:\n{text}")

    library, weights, frozen = finetune_common.import_frozen(args, name, path, spec, expect)

    torch.manual_seed(7)
    exact = EncoderClassifier().double()
    for p in exact.encoder.self_attn.parameters():
        p.requires_grad_(False)

    def draw(gen):
        return (gen.standard_normal(shape).astype(np.float32), gen.integers(0, CLASSES, BATCH).astype(np.int32))

    outcome = finetune_common.train_side_by_side(name, library, weights, frozen, exact, make_optimizer, draw, 13)
    return finetune_common.within(outcome, frozen_tensors=4)


if __name__ == "__main__":
    sys.exit(run_checks(__doc__, MODELS, check,
                        f"fine-tunings of a transformer encoder layer equal PyTorch's within {finetune_common.RTOL}"))
