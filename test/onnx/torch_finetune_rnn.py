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
from onnx_common import arguments, need, relative_error, run  # noqa: E402
from torch_finetune import declared_layers  # noqa: E402

torch, np, onnx = need("torch", "numpy", "onnx")
nn = torch.nn

STEPS = 20
BATCH, SEQ, VOCAB = 4, 9, 13
RTOL = 1e-4


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
    program = os.path.join(args.work, name + ".dl")
    weights = os.path.join(args.work, name + ".safetensors")
    library = os.path.join(args.work, name + ".so")
    common = [args.dlc, "import", path, "-o", program, "--weights", weights, "--loss", "cross_entropy",
              "--optimizer", spec]
    run(common)
    layers = declared_layers(open(program).read())
    if layers[:2] != ["embed", "rnn"] and layers[:1] != ["embed"]:
        raise SystemExit(f"{name}: expected the layers embed, rnn, ..., got {layers}")
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
    exact.embed.weight.requires_grad_(False)
    optimizer = make_optimizer([p for p in exact.parameters() if p.requires_grad])
    gen = np.random.default_rng(11)
    worst_loss = 0.0
    for step in range(STEPS):
        x = gen.integers(0, VOCAB, (BATCH, SEQ)).astype(np.int32)
        y = gen.integers(0, VOCAB, BATCH * SEQ).astype(np.int32)
        loss = inst.call("train_step", x=x, target=y)
        optimizer.zero_grad()
        want = nn.functional.cross_entropy(exact(torch.from_numpy(x).long()), torch.from_numpy(y).long())
        want.backward()
        optimizer.step()
        worst_loss = max(worst_loss, abs(loss - want.item()) / abs(want.item()))
    x = gen.integers(0, VOCAB, (BATCH, SEQ)).astype(np.int32)
    with torch.no_grad():
        want = exact.eval()(torch.from_numpy(x).long()).numpy()
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
