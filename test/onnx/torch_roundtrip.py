"""torch_roundtrip.py — PyTorch models exported by torch.onnx.export (torch 1.13), imported by
`dlc import`, compiled by dlc, run forward: each output must equal PyTorch's within 1e-5 relative
(normwise: max |dlc - torch| <= 1e-5 max |torch|).

    torch_roundtrip.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR [MODEL...]

MODEL: mlp, cnn_bn, residual, transformer_mlp, transformer_encoder (nn.TransformerEncoderLayer),
transformer_encoder_opset13 (constant-folded), mha (nn.MultiheadAttention, sequence first),
mha_weights (the same returning its attention weights too: op by op),
decoder (the ops of issue 20: ConvTranspose, Resize, Pad modes, pool options, math functions), lstm_lm,
gru_lm (all by default).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import arguments, import_and_compile, need, open_instance, relative_error  # noqa: E402

torch, np, onnx = need("torch", "numpy", "onnx")
nn = torch.nn

RTOL = 1e-5


class Residual(nn.Module):
    """A ResNet basic block: conv-bn-relu-conv-bn, plus the input, relu; then a classifier."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        y = torch.relu(x + y)
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


class TransformerMlp(nn.Module):
    """LayerNorm, a GELU MLP with a residual, softmax: what a transformer block's MLP half exports."""

    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(16)
        self.up = nn.Linear(16, 64)
        self.down = nn.Linear(64, 16)
        self.out = nn.Linear(16, 7)

    def forward(self, x):
        x = x + self.down(nn.functional.gelu(self.up(self.ln(x))))
        return torch.log_softmax(self.out(x), dim=-1)


class RecurrentLm(nn.Module):
    """A character language model: Embedding, a batch-first LSTM or GRU, a Linear head."""

    def __init__(self, cell):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 16)
        self.rnn = cell(16, 24, batch_first=True)
        self.head = nn.Linear(24, VOCAB)

    def forward(self, ids):
        steps, _ = self.rnn(self.embed(ids))
        return self.head(steps)


class Decoder(nn.Module):
    """The ops dlc gained for image decoders: ConvTranspose2d, nearest and bilinear upsampling,
    reflect and replicate padding, dilated and ceil_mode pools, average pools without the padding
    in their count, hardswish, mish, and erf, sin, cos, floor, ceil, round and remainder."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(3, 6, 3, stride=2, padding=1, output_padding=1)
        self.conv = nn.Conv2d(6, 4, 3)
        self.head = nn.Linear(4 * 13 * 13, 10)

    def forward(self, x):
        F = nn.functional
        h = F.hardswish(self.up(x))                                     # [2, 6, 12, 12]
        h = F.interpolate(h, scale_factor=2, mode="nearest")           # [2, 6, 24, 24]
        h = F.mish(self.conv(F.pad(h, [1, 1, 1, 1], mode="reflect")))  # [2, 4, 24, 24]
        h = F.max_pool2d(h, 3, stride=2, padding=1, dilation=2, ceil_mode=True)
        h = F.interpolate(h, scale_factor=2, mode="bilinear", align_corners=False)
        h = F.avg_pool2d(F.pad(h, [0, 1, 0, 1], mode="replicate"), 3, stride=2, padding=1,
                         ceil_mode=True, count_include_pad=False)
        h = torch.erf(h) + torch.sin(h) * torch.cos(h) + torch.floor(h * 3) + torch.ceil(h) + torch.round(h * 4)
        h = torch.remainder(h, 1.5) + torch.fmod(h, 0.75)
        return self.head(h.flatten(1))


class Index(nn.Module):
    """The index and ordering ops of issue 20 as torch.onnx.export writes them: cumsum along two
    axes (CumSum), argmin feeding one_hot (ArgMin, OneHot, Cast), repeat (Tile) and topk, largest
    along the last axis with its indices as floats and smallest along dim 1 (TopK, K a constant)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)

    def forward(self, x):
        h = self.fc(x)                                                    # [3, 5, 6]
        c = torch.cumsum(h, dim=1) + torch.cumsum(h, dim=-1)
        hot = nn.functional.one_hot(torch.argmin(h, dim=-1), 6).float()   # [3, 5, 6]
        t = h.repeat(1, 1, 2)                                             # [3, 5, 12]
        v, i = torch.topk(h, 3, dim=-1)                                   # [3, 5, 3]
        s, _ = torch.topk(h, 2, dim=1, largest=False)                     # [3, 2, 6]
        top = v.sum(-1, keepdim=True) + i.float().mean(-1, keepdim=True) + s.sum(1, keepdim=True)
        return c * hot + c + t[..., :6] * t[..., 6:] + top  # an end of INT64_MAX


VOCAB = 11


class SelfAttention(nn.Module):
    """nn.MultiheadAttention over [T, B, dim] (sequence first), as self-attention."""

    def __init__(self, need_weights=False):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 4)
        self.need_weights = need_weights

    def forward(self, x):
        y, w = self.attn(x, x, x, need_weights=self.need_weights)
        return y + w.sum() if self.need_weights else y


# The attention blocks dlc import must recognise as one layer (text the .dl must hold), the opset a
# model is exported at where not 17, and the models exported with constant folding (the weights'
# transposes folded into initializers) rather than without.
LAYERS = {"transformer_encoder": "self_attn = MultiHeadAttention(16, 4)",
          "transformer_encoder_opset13": "self_attn = MultiHeadAttention(16, 4)",
          "mha": "attn = MultiHeadAttention(16, 4)"}
OPSETS = {"transformer_encoder_opset13": 13}
FOLDED = {"transformer_encoder_opset13"}


def models():
    return {
        "mlp": (lambda: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.Tanh(),
                                      nn.Linear(64, 10)), (8, 784)),
        "cnn_bn": (lambda: nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                         nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16),
                                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 7 * 7, 32),
                                         nn.ReLU(), nn.Linear(32, 10)), (4, 1, 28, 28)),
        "residual": (Residual, (2, 3, 12, 12)),
        "transformer_mlp": (TransformerMlp, (3, 5, 16)),
        "transformer_encoder": (lambda: nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True),
                                (2, 5, 16)),
        "transformer_encoder_opset13": (lambda: nn.TransformerEncoderLayer(16, 4, dim_feedforward=32,
                                                                           batch_first=True), (2, 5, 16)),
        "mha": (SelfAttention, (5, 2, 16)),
        "mha_weights": (lambda: SelfAttention(need_weights=True), (5, 2, 16)),
        "decoder": (Decoder, (2, 3, 6, 6)),
        "index": (Index, (3, 5, 6)),
        "lstm_lm": (lambda: RecurrentLm(nn.LSTM), ("ids", 4, 9)),
        "gru_lm": (lambda: RecurrentLm(nn.GRU), ("ids", 4, 9)),
    }


def randomize_batchnorm(model, gen):
    """Running statistics and affine parameters away from their defaults, so they matter."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def check(name, args):
    make, shape = models()[name]
    gen = torch.Generator().manual_seed(1234)
    torch.manual_seed(1234)
    model = make()
    randomize_batchnorm(model, gen)
    model.eval()
    ids = shape[0] == "ids"
    x = torch.randint(0, VOCAB, shape[1:], generator=gen) if ids else torch.randn(*shape, generator=gen)
    path = os.path.join(args.work, name + ".onnx")
    # PRESERVE keeps BatchNormalization nodes (EVAL would fold them into the convolutions), so the
    # imported model has BatchNorm layers to fine-tune; constant folding would fold them too.
    torch.onnx.export(model, x, path, opset_version=OPSETS.get(name, 17), input_names=["x"], output_names=["y"],
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=name in FOLDED)
    onnx.checker.check_model(onnx.load(path))
    library, weights, _ = import_and_compile(args.dlc, path, args.work, name)
    if name in LAYERS:
        with open(os.path.join(args.work, name + ".dl")) as f:
            if LAYERS[name] not in f.read():
                print(f"{name}: the imported program has no line `{LAYERS[name]}`")
                return False
    with torch.no_grad():
        want = model(x).numpy()
    got = open_instance(library, weights).forward(x=x.numpy().astype(np.int32) if ids else x.numpy())["y"]
    error = relative_error(got, want)
    print(f"{name}: output {list(want.shape)}, relative error {error:.3g}")
    return error <= RTOL


def main():
    args = arguments(__doc__)
    torch.set_num_threads(2)
    names = args.names or list(models())
    failed = [n for n in names if not check(n, args)]
    if failed:
        print("FAILED: " + ", ".join(failed) + f" (above {RTOL})")
        return 1
    print(f"ok: {len(names)} models equal PyTorch's forward within {RTOL} relative")
    return 0


if __name__ == "__main__":
    sys.exit(main())
