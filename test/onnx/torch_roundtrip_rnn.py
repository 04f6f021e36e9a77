"""torch_roundtrip_rnn.py — PyTorch's recurrent layers in the forms `dlc import` translates into
the prelude's LSTM, GRU and RNN: several layers (num_layers = 2), both directions, batch-first or
time-major, ReLU or tanh, from given initial states h0 (and c0). Each model is exported by
torch.onnx.export (torch 1.13), imported, compiled and run forward; every output (the steps, the
last hidden states h_n and, for two LSTMs, the last cell states c_n) must equal PyTorch's within 1e-5 relative (normwise). The imported program
must also read as layers: one instance per layer and direction, no transpose of a layer's input
where PyTorch's export transposes it twice.

    torch_roundtrip_rnn.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR [MODEL...]

MODEL: lstm_bi2, lstm_bi2_bf, lstm_bi2_cn, lstm_bi2_bf_cn (those two also return c_n, ONNX's Y_c),
gru_bi2_bf, gru_bi2, rnn_relu_bi2, lstm_lm_h0 (all by default).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import need, roundtrip, run_checks  # noqa: E402

torch, np, onnx = need("torch", "numpy", "onnx")
nn = torch.nn

RTOL = 1e-5
B, T, I, H = 3, 7, 5, 6


class Stacked(nn.Module):
    """nn.LSTM/GRU/RNN (2 layers, both directions) from initial states; returns the steps and h_n
    (and, with cells, LSTM's c_n: ONNX's Y_c)."""

    def __init__(self, cell, batch_first, cells=False, **options):
        super().__init__()
        self.cell = cell
        self.cells = cells
        self.rnn = cell(I, H, num_layers=2, bidirectional=True, batch_first=batch_first, **options)

    def forward(self, x, h0, *c0):
        if self.cell is nn.LSTM:
            y, (hn, cn) = self.rnn(x, (h0, c0[0]))
            if self.cells:
                return y, hn, cn
        else:
            y, hn = self.rnn(x, h0)
        return y, hn


class LmFromState(nn.Module):
    """A language model continuing from a given state: Embedding, batch-first LSTM from (h0, c0),
    a Linear head."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(11, I)
        self.rnn = nn.LSTM(I, H, batch_first=True)
        self.head = nn.Linear(H, 11)

    def forward(self, ids, h0, c0):
        steps, _ = self.rnn(self.embed(ids), (h0, c0))
        return self.head(steps)


def models():
    # name: (make, batch_first, states (2 = h0 and c0), layers * directions)
    return {
        "lstm_bi2": (lambda: Stacked(nn.LSTM, False), False, 2, 4),
        "lstm_bi2_bf": (lambda: Stacked(nn.LSTM, True), True, 2, 4),
        "lstm_bi2_cn": (lambda: Stacked(nn.LSTM, False, cells=True), False, 2, 4),
        "lstm_bi2_bf_cn": (lambda: Stacked(nn.LSTM, True, cells=True), True, 2, 4),
        "gru_bi2": (lambda: Stacked(nn.GRU, False), False, 1, 4),
        "gru_bi2_bf": (lambda: Stacked(nn.GRU, True), True, 1, 4),
        "rnn_relu_bi2": (lambda: Stacked(nn.RNN, True, nonlinearity="relu"), True, 1, 4),
        "lstm_lm_h0": (LmFromState, True, 2, 1),
    }


def check(name, args):
    make, batch_first, states, layers = models()[name]
    gen = torch.Generator().manual_seed(77)
    torch.manual_seed(77)
    model = make().eval()
    lm = isinstance(model, LmFromState)
    x = (torch.randint(0, 11, (B, T), generator=gen) if lm
         else torch.randn(*((B, T, I) if batch_first else (T, B, I)), generator=gen))
    inputs = [x] + [torch.randn(layers, B, H, generator=gen) * 0.5 for _ in range(states)]
    inputs = dict(zip(["x", "h0", "c0"], inputs))
    outputs = ["y"] if lm else ["y", "hn", "cn"] if model.cells else ["y", "hn"]
    ok, program = roundtrip(args, name, model, inputs, outputs, RTOL)
    layer = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}[name.split("_")[0]]
    instances = re.findall(r"^  \w+ = " + layer + r"\(", program, re.M)
    if len(instances) != layers:
        print(f"{name}: {len(instances)} {layer} instances, expected {layers}:\n{program}")
        ok = False
    if batch_first and "[1, 0, 2]" in program:
        print(f"{name}: the batch-first program still transposes:\n{program}")
        ok = False
    return ok


if __name__ == "__main__":
    sys.exit(run_checks(__doc__, models(), check,
                        f"recurrent models equal PyTorch's forward within {RTOL} relative and read as layers"))
