"""torch_finetune_rnn.py — fine-tuning imported PyTorch language models, as torch_finetune.py does
for MLPs and CNNs: an Embedding -> batch-first LSTM or GRU -> Linear model over token ids is
exported (torch.onnx.export, torch 1.13), imported by `dlc import --loss cross_entropy --optimizer
SPEC --freeze embed` (the embedding frozen; the recurrent layer and the head trained), compiled,
and trained STEPS steps on the same random token batches as PyTorch trains the same layers from the
same weights, in float64 as the exact answer. Every step's loss agrees with PyTorch's within 1e-4
relative; afterwards the forward outputs on a fresh batch agree within 1e-4 normwise, and the
frozen embedding is unchanged bit for bit.

    torch_finetune_rnn.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR [MODEL...]

MODEL: lstm_lm (SGD with momentum), gru_lm (Adam), bilstm_h0_lm (two bidirectional LSTM layers from
fixed initial states, SGD with momentum); all by default.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import finetune_common  # noqa: E402
from onnx_common import need, run_checks  # noqa: E402

torch, np, onnx = need("torch", "numpy", "onnx")
nn = torch.nn

BATCH, SEQ, VOCAB = 4, 9, 13


class Lm(nn.Module):
    """Embedding, a batch-first recurrent layer, a Linear head; the scores flattened to
    [BATCH * SEQ, VOCAB], one row per position, for cross_entropy."""

    def __init__(self, cell):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 8)
        self.rnn = cell(8, 16, batch_first=True)
        self.head = nn.Linear(16, VOCAB)

    def forward(self, ids):
        steps, _ = self.rnn(self.embed(ids))
        return self.head(steps).reshape(-1, VOCAB)


class BiLm(nn.Module):
    """Lm's shape with two bidirectional LSTM layers continuing from fixed initial states (buffers,
    so neither side trains them): the reverse scans, the initial states and the layer-to-layer
    chaining of the import, trained."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 8)
        self.rnn = nn.LSTM(8, 16, num_layers=2, bidirectional=True, batch_first=True)
        self.head = nn.Linear(32, VOCAB)
        gen = torch.Generator().manual_seed(3)
        self.register_buffer("h0", torch.randn(4, BATCH, 16, generator=gen) * 0.5)
        self.register_buffer("c0", torch.randn(4, BATCH, 16, generator=gen) * 0.5)

    def forward(self, ids):
        steps, _ = self.rnn(self.embed(ids), (self.h0, self.c0))
        return self.head(steps).reshape(-1, VOCAB)


MODELS = {
    # name: (make, dlc optimizer, PyTorch optimizer of the trained parameters)
    "lstm_lm": (lambda: Lm(nn.LSTM), "sgd(lr = 0.5, momentum = 0.9)",
                lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9)),
    "gru_lm": (lambda: Lm(nn.GRU), "adam(lr = 1e-2)", lambda p: torch.optim.Adam(p, lr=1e-2)),
    "bilstm_h0_lm": (BiLm, "sgd(lr = 0.5, momentum = 0.9)", lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9)),
}


def check(name, args):
    make, spec, make_optimizer = MODELS[name]
    torch.manual_seed(5)
    model = make()
    path = os.path.join(args.work, name + ".onnx")
    torch.onnx.export(model.eval(), torch.zeros(BATCH, SEQ, dtype=torch.long), path, opset_version=17,
                      input_names=["x"], output_names=["y"], do_constant_folding=False)

    def expect(text, layers):
        if layers[:1] != ["embed"]:
            raise SystemExit(f"{name}: expected the layers embed, rnn, ..., got {layers}")

    library, weights, frozen = finetune_common.import_frozen(args, name, path, spec, expect)

    torch.manual_seed(5)
    exact = make().double()
    exact.embed.weight.requires_grad_(False)

    def draw(gen):
        return (gen.integers(0, VOCAB, (BATCH, SEQ)).astype(np.int32),
                gen.integers(0, VOCAB, BATCH * SEQ).astype(np.int32))

    outcome = finetune_common.train_side_by_side(name, library, weights, frozen, exact, make_optimizer, draw, 11)
    return finetune_common.within(outcome)


if __name__ == "__main__":
    sys.exit(run_checks(__doc__, MODELS, check, f"fine-tunings equal PyTorch's within {finetune_common.RTOL}"))
