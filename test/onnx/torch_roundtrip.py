"""torch_roundtrip.py — PyTorch models exported by torch.onnx.export (torch 1.13), imported by
`dlc import`, compiled by dlc, run forward: each output must equal PyTorch's within 1e-5 relative
(normwise: max |dlc - torch| <= 1e-5 max |torch|).

    torch_roundtrip.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR [MODEL...]

MODEL: mlp, cnn_bn, residual, transformer_mlp, transformer_encoder (nn.TransformerEncoderLayer),
transformer_encoder_opset13 (constant-folded), mha (nn.MultiheadAttention, sequence first),
mha_weights (the same returning its attention weights too: op by op), masked attention (a causal
attn_mask or src_mask, float -inf or bool, as a layer with `causal = true`: mha_causal,
mha_causal_bool, encoder_causal, encoder_causal_folded, encoder_stack_causal, and mha_causal_computed,
whose mask the forward builds by triu; any other mask op by op: mha_band, and a key_padding_mask:
mha_key_padding), triangle (triu and tril
of computed tensors: Trilu),
decoder (the ops of issue 20: ConvTranspose, Resize, Pad modes, pool options, math functions), lstm_lm,
gru_lm (all by default).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import need, roundtrip, run_checks  # noqa: E402

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
    axes (CumSum), argmin feeding one_hot (ArgMin, OneHot, Cast), repeat (Tile), topk, largest
    along the last axis with its indices as floats and smallest along dim 1 (TopK, K a constant), and
    torch.gather of each row's minimum by its computed argmin (GatherElements)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)

    def forward(self, x):
        h = self.fc(x)                                                    # [3, 5, 6]
        c = torch.cumsum(h, dim=1) + torch.cumsum(h, dim=-1)
        hot = nn.functional.one_hot(torch.argmin(h, dim=-1), 6).float()   # [3, 5, 6]
        t = h.repeat(1, 1, 2)                                             # [3, 5, 12]
        low = torch.gather(h, 2, torch.argmin(h, dim=-1, keepdim=True))   # [3, 5, 1]
        v, i = torch.topk(h, 3, dim=-1)                                   # [3, 5, 3]
        s, _ = torch.topk(h, 2, dim=1, largest=False)                     # [3, 2, 6]
        top = v.sum(-1, keepdim=True) + i.float().mean(-1, keepdim=True) + s.sum(1, keepdim=True)
        return c * hot + c + t[..., :6] * t[..., 6:] + low + top  # an end of INT64_MAX


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


T = 5


def causal_mask(kind):
    """torch 1.13's causal masks of T positions: nn.Transformer's float mask (-inf above the
    diagonal), the bool mask true above it; "band", a mask that is not causal (true where a key is
    more than one position from the query)."""
    if kind == "float":
        return nn.Transformer.generate_square_subsequent_mask(T)
    if kind == "bool":
        return torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    i = torch.arange(T)
    return (i[:, None] - i[None, :]).abs() > 1


class MaskedAttention(nn.Module):
    """nn.MultiheadAttention as self-attention with an attn_mask held as a buffer, or ("padding") a
    key_padding_mask hiding the last two positions of the second sequence."""

    def __init__(self, kind, batch_first):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 4, batch_first=batch_first)
        self.padding = kind == "padding"
        self.register_buffer("mask", torch.arange(T)[None, :] >= torch.tensor([[T], [T - 2]]) if self.padding
                             else causal_mask(kind))

    def forward(self, x):
        if self.padding:
            return self.attn(x, x, x, key_padding_mask=self.mask, need_weights=False)[0]
        return self.attn(x, x, x, attn_mask=self.mask, need_weights=False)[0]


class ComputedMaskAttention(nn.Module):
    """nn.MultiheadAttention with the causal mask made in forward (a Trilu node of a constant)."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 4, batch_first=True)

    def forward(self, x):
        mask = nn.Transformer.generate_square_subsequent_mask(x.size(1))
        return self.attn(x, x, x, attn_mask=mask, need_weights=False)[0]


class Triangle(nn.Module):
    """torch.triu and torch.tril of computed tensors, with diagonals above, on and below the main."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)

    def forward(self, x):
        h = self.fc(x)                                                     # [3, 5, 6]
        return torch.triu(h, diagonal=1) + torch.tril(h) * 2 + torch.tril(x, diagonal=-2) * 3


class CausalEncoderLayer(nn.TransformerEncoderLayer):
    """nn.TransformerEncoderLayer called with a causal src_mask (its scopes stay PyTorch's)."""

    def __init__(self):
        super().__init__(16, 4, dim_feedforward=32, batch_first=True)
        self.register_buffer("mask", causal_mask("float"))

    def forward(self, x):
        return super().forward(x, src_mask=self.mask)


class CausalEncoder(nn.TransformerEncoder):
    """Two encoder layers sharing one causal mask (PyTorch's export shares its Unsqueeze)."""

    def __init__(self):
        super().__init__(nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True), 2)
        self.register_buffer("mask", causal_mask("float"))

    def forward(self, x):
        return super().forward(x, mask=self.mask)


# The attention blocks dlc import must recognise as one layer (lines the .dl must hold), those it
# must import op by op (no MultiHeadAttention), the opset a model is exported at where not 17, and
# the models exported with constant folding (the weights' transposes folded into initializers)
# rather than without.
CAUSAL = "MultiHeadAttention(16, 4, causal = true)"
LAYERS = {"transformer_encoder": ["self_attn = MultiHeadAttention(16, 4)"],
          "transformer_encoder_opset13": ["self_attn = MultiHeadAttention(16, 4)"],
          "mha": ["attn = MultiHeadAttention(16, 4)"],
          "mha_causal": ["attn = " + CAUSAL],
          "mha_causal_bool": ["attn = " + CAUSAL],
          "mha_causal_computed": ["attn = " + CAUSAL],
          "encoder_causal": ["self_attn = " + CAUSAL],
          "encoder_causal_folded": ["self_attn = " + CAUSAL],
          "encoder_stack_causal": ["layers_0_self_attn = " + CAUSAL, "layers_1_self_attn = " + CAUSAL]}
OP_BY_OP = {"mha_weights", "mha_band", "mha_key_padding"}
OPSETS = {"transformer_encoder_opset13": 13}
FOLDED = {"transformer_encoder_opset13", "encoder_causal_folded"}


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
        "mha_causal": (lambda: MaskedAttention("float", batch_first=True), (2, T, 16)),
        "mha_causal_bool": (lambda: MaskedAttention("bool", batch_first=False), (T, 2, 16)),
        "mha_band": (lambda: MaskedAttention("band", batch_first=True), (2, T, 16)),
        "mha_causal_computed": (ComputedMaskAttention, (2, T, 16)),
        "mha_key_padding": (lambda: MaskedAttention("padding", batch_first=True), (2, T, 16)),
        "triangle": (Triangle, (3, 5, 6)),
        "encoder_causal": (CausalEncoderLayer, (2, T, 16)),
        "encoder_causal_folded": (CausalEncoderLayer, (2, T, 16)),
        "encoder_stack_causal": (CausalEncoder, (2, T, 16)),
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
    # PRESERVE keeps BatchNormalization nodes (EVAL would fold them into the convolutions), so the
    # imported model has BatchNorm layers to fine-tune; constant folding would fold them too.
    passed, program = roundtrip(args, name, model, {"x": x}, ["y"], RTOL, opset_version=OPSETS.get(name, 17),
                                training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=name in FOLDED)
    for line in LAYERS.get(name, []):
        if line not in program:
            print(f"{name}: the imported program has no line `{line}`")
            return False
    if name in OP_BY_OP and "MultiHeadAttention" in program:
        print(f"{name}: the attention must import op by op, not as a MultiHeadAttention layer")
        return False
    return passed


if __name__ == "__main__":
    sys.exit(run_checks(__doc__, models(), check, f"models equal PyTorch's forward within {RTOL} relative"))
