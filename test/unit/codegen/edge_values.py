#!/usr/bin/python3
"""Writes EdgeValueTable.inc: PyTorch's float32 results on edge values, the table the kernels meet.

Every element-wise op, activation, comparison, reduction, softmax and loss of the dl dialect is
evaluated by PyTorch (CPU, float32) on NaN, +-inf, +-0, the largest and smallest normal and
subnormal floats and the arguments where exp and friends overflow or underflow. EdgeValueKernelTest
builds one kernel per op family from the same table and compares, bit for bit where the result is
NaN, an infinity or a zero (its sign included), within a few ulps elsewhere.

Each op is evaluated twice: in float32, and in float64 rounded to float32 (the correctly rounded
result, where PyTorch's float32 kernels are less accurate, e.g. gelu and elu near zero, or give a
zero of the other sign). A kernel must match one of the two: both agree on every special value
(NaN in, overflow to an infinity, underflow to zero or a subnormal) except where float32
arithmetic itself overflows, as in the mean of four 3e38.

Run with Debian's python3 (which has torch):  /usr/bin/python3 test/unit/codegen/edge_values.py
The ctest `EdgeValueTableIsCurrent` reruns it and fails when the checked-in table differs.
"""
import math
import struct
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
nan, inf = float("nan"), float("inf")
FLT_MAX = 3.4028234663852886e38
FLT_MIN = 1.1754943508222875e-38
DENORM_MIN = 1.401298464324817e-45

# Inputs of the unary ops: specials, the extremes, and the arguments where exp, log, sigmoid,
# tanh, softplus, elu, gelu, silu and mish change regime; halves and the edge of f32's integers
# for round, the kinks of hardswish.
UNARY_INPUTS = [
    nan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5,
    DENORM_MIN, -DENORM_MIN, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX,
    1e-7, -1e-7, 1e-30, 15.0, -15.0, 20.0, -20.0, 30.0, -30.0,
    88.0, 88.72, 88.73, 89.0, -87.0, -87.5, -100.0, -103.9, -104.0, -110.0,
    2e9, -2e9, 1e30, -1e30, 1e38, -1e38, 1e-3, 10.0, -10.0, 100.0, -100.0,
    1.5, -1.5, 0.49999997, -0.49999997, 8388607.5, -8388607.5, 3.0, -3.0, -20.5, -89.0,
]

UNARY = {
    "neg": lambda x: -x,
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "gelu": F.gelu,
    "softplus": F.softplus,
    "step": lambda x: torch.heaviside(x, torch.zeros((), dtype=x.dtype)),
    "erf": torch.erf,
    "cos": torch.cos,
    "sin": torch.sin,
    "floor": torch.floor,
    "ceil": torch.ceil,
    "round": torch.round,
    "silu": F.silu,
    "hardswish": F.hardswish,
    "mish": F.mish,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "elu": lambda x: F.elu(x, 1.0),
    "clamp": lambda x: torch.clamp(x, -1.0, 2.0),
}

# Operands of the binary ops and comparisons: every pair of these.
BINARY_VALUES = [nan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 2.5, FLT_MAX, -FLT_MAX, DENORM_MIN, 3.0]

BINARY = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "pow": torch.pow,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    "prelu": lambda x, a: torch.where(x > 0, x, a * x),
    "mod": torch.remainder,
    "fmod": torch.fmod,
}

COMPARE = {
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
}

# Rows reduced along the last axis (softmax and log_softmax along it too).
ROWS = [
    [1.0, 2.0, 3.0, 4.0],
    [1.0, nan, 3.0, 4.0],
    [1.0, inf, 3.0, 4.0],
    [1.0, -inf, 3.0, 4.0],
    [inf, inf, 1.0, 1.0],
    [-inf, -inf, -inf, -inf],
    [inf, -inf, 0.0, 0.0],
    [3e38, 3e38, 3e38, 3e38],
    [10000.0, 10001.0, 10002.0, 10003.0],
    [-0.0, -0.0, -0.0, -0.0],
    [nan, inf, -inf, 0.0],
    [-inf, 0.0, -inf, -inf],
    [DENORM_MIN, DENORM_MIN, 0.0, 0.0],
    [-1e38, -3e38, -3e38, 0.0],
    [-100.0, -200.0, 0.0, -1000.0],
]

TOPK_K = 3  # topk of each row of ROWS (kTopk* in the table)

ROW_OPS = {
    "sum": lambda r: r.sum(-1),
    "mean": lambda r: r.mean(-1),
    "reduce_max": lambda r: r.amax(-1),
    "reduce_min": lambda r: r.amin(-1),
    "logsumexp": lambda r: torch.logsumexp(r, -1),
    "softmax": lambda r: torch.softmax(r, -1),
    "log_softmax": lambda r: torch.log_softmax(r, -1),
    "cumsum": lambda r: torch.cumsum(r, -1),
}

# cumsum and its reverse along rows of LONG_LENGTH (and, in the test, along axis 0 of their
# transpose): a ramp of values f32 cannot sum exactly, so that PyTorch's f64 running sum shows, with
# edge values placed in it: -0s at both ends (a running sum starts from +0), a NaN (it poisons every
# later prefix), +inf and later -inf (inf, then NaN), and 3e38 twice then -3e38 twice (the f64 sum
# is above FLT_MAX, inf in f32, only between them). The table keeps the inputs and the results at
# LONG_SAMPLES, every 64th element and those around the edge values.
LONG_LENGTH = 4096


def long_rows():
    ramp = [((k * 37) % 101 - 50) / 10 for k in range(LONG_LENGTH)]
    rows = [list(ramp) for _ in range(4)]
    rows[0][:3] = rows[0][-3:] = [-0.0] * 3
    rows[1][1000] = nan
    rows[2][1500], rows[2][3000] = inf, -inf
    rows[3][100] = rows[3][200] = 3e38
    rows[3][300] = rows[3][400] = -3e38
    return rows


LONG_SAMPLES = sorted(set(range(0, LONG_LENGTH, 64)) | {
    k + d for k in (0, 100, 200, 300, 400, 1000, 1500, 3000, LONG_LENGTH - 3) for d in (-1, 0, 1, 2)
    if 0 <= k + d < LONG_LENGTH} | {LONG_LENGTH - 1})

LONG_OPS = {
    "cumsum": lambda r: torch.cumsum(r, -1),
    "cumsum_reverse": lambda r: torch.cumsum(r.flip(-1), -1).flip(-1),
}

# Element-wise losses: (prediction, target) pairs, each pair one batch of one element, so that a
# special value in one element is not hidden by another's.
LOSS_PAIRS = {
    "mse": [(nan, 1.0), (inf, 1.0), (-inf, 1.0), (1.0, inf), (inf, inf), (2e19, 0.0), (0.5, 1.0)],
    "mae": [(nan, 1.0), (inf, 1.0), (inf, inf), (FLT_MAX, -FLT_MAX), (0.5, 1.0)],
    "huber": [(nan, 1.0), (inf, 1.0), (3.0, 1.0), (1.5, 1.0), (FLT_MAX, -FLT_MAX)],
    "bce": [(0.0, 1.0), (1.0, 0.0), (0.0, 0.0), (1.0, 1.0), (0.5, 1.0), (1e-30, 1.0),
            (DENORM_MIN, 0.5)],
    "bce_with_logits": [(nan, 1.0), (inf, 1.0), (-inf, 1.0), (inf, 0.0), (-inf, 0.0), (100.0, 0.0),
                        (-100.0, 1.0), (0.0, 0.5), (1e30, 0.0)],
    "hinge": [(nan, 1.0), (inf, 1.0), (-inf, 1.0), (inf, -1.0), (0.5, 1.0)],
}

LOSS_TORCH = {
    "mse": lambda p, y: F.mse_loss(p, y),
    "mae": lambda p, y: F.l1_loss(p, y),
    "huber": lambda p, y: F.huber_loss(p, y, delta=1.0),
    "bce": lambda p, y: F.binary_cross_entropy(p, y),
    "bce_with_logits": lambda p, y: F.binary_cross_entropy_with_logits(p, y),
    "hinge": lambda p, y: torch.clamp(1 - y * p, min=0).mean(),
}

# cross_entropy on logit rows of 3 classes with an i32 label each (one row per batch).
CE_ROWS = [
    ([1.0, 2.0, 3.0], 0),
    ([nan, 2.0, 3.0], 1),
    ([inf, 2.0, 3.0], 0),
    ([inf, 2.0, 3.0], 1),
    ([-inf, 2.0, 3.0], 0),
    ([-inf, 2.0, 3.0], 2),
    ([1e30, 0.0, -1e30], 0),
    ([1e30, 0.0, -1e30], 2),
    ([10000.0, 10001.0, 10002.0], 2),
]

# cross_entropy and nll with PyTorch's options, over rows of 3 classes: ignored rows (their scores
# NaN, never read), every row ignored (mean: NaN), infinite logits, class weights (all zero: 0 / 0),
# label smoothing against a -inf logit (inf), soft targets (0 * -log 0 is NaN in torch too).
# Each: (op, scores rows, labels or soft-target rows, weight or None, ignore_index, reduction,
# label_smoothing).
CLASS_LOSS_CASES = [
    ("cross_entropy", [[1.0, 2.0, 3.0], [nan, 0.0, 0.0], [0.5, -1.0, 2.0]], [0, -100, 2], None, -100, "mean", 0.0),
    ("cross_entropy", [[1.0, 2.0, 3.0], [nan, 0.0, 0.0], [0.5, -1.0, 2.0]], [1, -100, 2], [1.0, 2.0, 0.5], -100, "none", 0.0),
    ("cross_entropy", [[nan, 2.0, 3.0], [0.0, 1.0, 0.0], [0.5, -1.0, 2.0]], [1, 0, 2], [1.0, 2.0, 0.5], 1, "sum", 0.1),
    ("cross_entropy", [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], [-100, -100], None, -100, "mean", 0.0),
    ("cross_entropy", [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], [-100, -100], [1.0, 2.0, 0.5], -100, "sum", 0.3),
    ("cross_entropy", [[-inf, 2.0, 3.0], [0.0, 1.0, 0.0]], [2, 1], None, -100, "mean", 0.0),
    ("cross_entropy", [[-inf, 2.0, 3.0], [0.0, 1.0, 0.0]], [2, 1], None, -100, "mean", 0.2),
    ("cross_entropy", [[inf, 2.0, 3.0], [1e30, 0.0, -1e30], [10000.0, 10001.0, 10002.0]], [0, 2, 1], None, -100, "none", 0.25),
    ("cross_entropy", [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], [0, 1], [0.0, 0.0, 1.0], -100, "mean", 0.0),
    ("cross_entropy", [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], [0, 1], [1.0, 2.0, 0.5], -100, "mean", 1.0),
    ("cross_entropy", [[1.0, 2.0, 3.0], [-inf, 1.0, 0.0], [0.5, 0.5, 0.5]],
     [[0.2, 0.3, 0.5], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], None, -100, "none", 0.0),
    ("cross_entropy", [[1.0, 2.0, 3.0], [-inf, 1.0, 0.0], [0.5, 0.5, 0.5]],
     [[0.2, 0.3, 0.5], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], [1.0, 2.0, 0.5], -100, "mean", 0.1),
    ("cross_entropy", [[1e30, 0.0, -1e30], [nan, 1.0, 0.0]], [[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]], None, -100, "sum", 0.0),
    ("nll", [[-0.5, -inf, -1.0], [nan, -1.0, -2.0], [-3.0, -0.25, -inf]], [0, -100, 1], [1.0, 2.0, 0.5], -100, "mean", 0.0),
    ("nll", [[-0.5, -inf, -1.0], [nan, -1.0, -2.0], [-3.0, -0.25, -inf]], [2, 0, 1], None, 0, "none", 0.0),
    ("nll", [[-0.5, -inf, -1.0], [nan, -1.0, -2.0], [-3.0, -0.25, -inf]], [1, -5, 1], [1.0, 2.0, 0.5], -5, "sum", 0.0),
    ("nll", [[-0.5, -inf, -1.0], [-3.0, -0.25, -inf]], [-100, -100], [1.0, 2.0, 0.5], -100, "mean", 0.0),
]


def gather_case():
    """torch.gather along axis 1 of [UNARY_INPUTS, UNARY_INPUTS reversed] by an index that picks
    columns 0 to 27 only (most twice or more), and its gradient (x.grad for an upstream gradient
    equal to x itself): the forward pass copies edge values, the backward pass sums different edge
    values that land on one column (infinities of both signs, NaN, signed zeros, FLT_MAX) into a
    zero tensor, from +0 as PyTorch's scatter_add does."""
    w = len(UNARY_INPUTS)
    x = f32([UNARY_INPUTS, UNARY_INPUTS[::-1]])
    index = torch.tensor([[(3 * j + i) % (w // 2) for j in range(w)] for i in range(2)])
    x.requires_grad_(True)
    y = torch.gather(x, 1, index)
    y.backward(x.detach())
    return x.detach(), index, y.detach(), x.grad


def class_loss(op, rows, target, weight, ignore_index, reduction, smoothing):
    """The torch call of one CLASS_LOSS_CASES row, as a function of the scores."""
    def fn(z):
        w = None if weight is None else torch.tensor(weight, dtype=z.dtype)
        if op == "nll":
            return F.nll_loss(z, torch.tensor(target), weight=w, ignore_index=ignore_index,
                              reduction=reduction)
        t = torch.tensor(target) if isinstance(target[0], int) else torch.tensor(target, dtype=z.dtype)
        return F.cross_entropy(z, t, weight=w, ignore_index=ignore_index, reduction=reduction,
                               label_smoothing=smoothing)
    return fn


def bits(v):
    return struct.unpack("<I", struct.pack("<f", v))[0]


def hexes(values):
    return ", ".join("0x%08x" % bits(float(v)) for v in values)


def f32(values):
    return torch.tensor(values, dtype=torch.float32)


def both(fn, *args):
    """fn in float32, and in float64 rounded to float32: two lists of floats."""
    single = fn(*[a.clone() for a in args])
    double = fn(*[a.double() for a in args])
    if single.dtype == torch.bool:
        return single.float().flatten().tolist(), double.float().flatten().tolist()
    return single.float().flatten().tolist(), double.float().flatten().tolist()


def case(name, fn, *args):
    single, double = both(fn, *args)
    return '    {"%s", {%s}, {%s}},' % (name, hexes(single), hexes(double))


def main(out):
    lines = [
        "// Generated by test/unit/codegen/edge_values.py from PyTorch %s (CPU, float32)."
        % torch.__version__,
        "// Do not edit: rerun the script. Values are f32 bit patterns.",
        "",
    ]
    x = f32(UNARY_INPUTS)
    lines.append("const std::vector<uint32_t> kUnaryInputs = {%s};" % hexes(x.tolist()))
    lines.append("const std::vector<EdgeCase> kUnaryCases = {")
    for name, fn in UNARY.items():
        lines.append(case(name, fn, x))
    lines.append("};")

    pairs = [(a, b) for a in BINARY_VALUES for b in BINARY_VALUES]
    lhs, rhs = f32([a for a, _ in pairs]), f32([b for _, b in pairs])
    lines.append("const std::vector<uint32_t> kBinaryLhs = {%s};" % hexes(lhs.tolist()))
    lines.append("const std::vector<uint32_t> kBinaryRhs = {%s};" % hexes(rhs.tolist()))
    lines.append("const std::vector<EdgeCase> kBinaryCases = {")
    for name, fn in BINARY.items():
        lines.append(case(name, fn, lhs, rhs))
    lines.append("};")
    lines.append("const std::vector<EdgeCase> kCompareCases = {")
    for name, fn in COMPARE.items():
        lines.append(case(name, fn, lhs, rhs))
    lines.append("};")

    rows = f32(ROWS)
    lines.append("const int64_t kRowCount = %d, kRowLength = %d;" % tuple(rows.shape))
    lines.append("const std::vector<uint32_t> kRows = {%s};" % hexes(rows.flatten().tolist()))
    lines.append("const std::vector<EdgeCase> kRowCases = {")
    for name, fn in ROW_OPS.items():
        lines.append(case(name, fn, rows))
    lines.append("};")
    lines.append("const std::vector<int32_t> kArgmax = {%s};"
                 % ", ".join(str(int(i)) for i in rows.argmax(-1).tolist()))
    lines.append("const std::vector<int32_t> kArgmin = {%s};"
                 % ", ".join(str(int(i)) for i in rows.argmin(-1).tolist()))

    long_rows_f32 = f32(long_rows())
    samples = torch.tensor(LONG_SAMPLES)
    lines.append("const int64_t kLongRowCount = %d, kLongRowLength = %d;"
                 % tuple(long_rows_f32.shape))
    lines.append("const std::vector<int64_t> kLongSamples = {%s};"
                 % ", ".join(str(k) for k in LONG_SAMPLES))
    lines.append("const std::vector<uint32_t> kLongRowSamples = {%s};"
                 % hexes(long_rows_f32[:, samples].flatten().tolist()))
    lines.append("const std::vector<EdgeCase> kLongRowCases = {")
    for name, fn in LONG_OPS.items():
        lines.append(case(name, lambda r: fn(r)[:, samples], long_rows_f32))
    lines.append("};")

    # topk(rows, 3) both ways: the values are torch.topk's; the indices are dlc's rule (equal
    # elements by index: a stable sort, NaN largest as in torch), checked here to be torch.topk's
    # own wherever the row's top 3 hold no tie.
    for largest, name in ((True, "Largest"), (False, "Smallest")):
        top = torch.topk(rows, TOPK_K, dim=-1, largest=largest)
        stable = torch.sort(rows, dim=-1, descending=largest, stable=True)
        assert torch.equal(top.values.view(torch.int32), stable.values[:, :TOPK_K].view(torch.int32))
        for r in range(rows.shape[0]):
            row = rows[r]
            picked = stable.values[r, :TOPK_K]
            tied = any(bool(((row == v) | (row.isnan() & v.isnan())).sum() > 1) for v in picked)
            if not tied:
                assert torch.equal(top.indices[r], stable.indices[r, :TOPK_K]), r
        lines.append("const std::vector<uint32_t> kTopk%sValues = {%s};"
                     % (name, hexes(top.values.flatten().tolist())))
        lines.append("const std::vector<int32_t> kTopk%sIndices = {%s};"
                     % (name, ", ".join(str(int(i)) for i in stable.indices[:, :TOPK_K].flatten().tolist())))
    lines.append("const int64_t kTopkK = %d;" % TOPK_K)

    lines.append("const std::vector<LossCase> kLossCases = {")
    for name, cases in LOSS_PAIRS.items():
        for p, y in cases:
            single, double = both(LOSS_TORCH[name], f32([p]), f32([y]))
            lines.append('    {"%s", 0x%08x, 0x%08x, 0x%08x, 0x%08x},'
                         % (name, bits(p), bits(y), bits(single[0]), bits(double[0])))
    lines.append("};")

    lines.append("const std::vector<CrossEntropyCase> kCrossEntropyCases = {")
    for logits, label in CE_ROWS:
        single, double = both(lambda z: F.cross_entropy(z, torch.tensor([label])), f32([logits]))
        lines.append("    {{%s}, %d, 0x%08x, 0x%08x},"
                     % (hexes(logits), label, bits(single[0]), bits(double[0])))
    lines.append("};")

    lines.append("const std::vector<ClassLossCase> kClassLossCases = {")
    for op, rows, target, weight, ignore_index, reduction, smoothing in CLASS_LOSS_CASES:
        single, double = both(class_loss(op, rows, target, weight, ignore_index, reduction, smoothing),
                              f32(rows))
        soft = not isinstance(target[0], int)
        flat_rows = [v for row in rows for v in row]
        flat_soft = [v for row in target for v in row] if soft else []
        lines.append('    {"%s", %d, {%s}, {%s}, {%s}, {%s}, %d, "%s", %r, {%s}, {%s}},'
                     % (op, len(rows[0]), hexes(flat_rows), "" if soft else ", ".join(map(str, target)),
                        hexes(flat_soft), "" if weight is None else hexes(weight), ignore_index,
                        reduction, smoothing, hexes(single), hexes(double)))
    lines.append("};")

    x, index, y, grad = gather_case()
    lines.append("const int64_t kGatherWidth = %d;" % x.shape[1])
    lines.append("const std::vector<uint32_t> kGatherInput = {%s};" % hexes(x.flatten().tolist()))
    lines.append("const std::vector<int32_t> kGatherIndex = {%s};"
                 % ", ".join(str(int(i)) for i in index.flatten().tolist()))
    lines.append("const std::vector<uint32_t> kGatherResult = {%s};" % hexes(y.flatten().tolist()))
    lines.append("const std::vector<uint32_t> kGatherGradient = {%s};"
                 % hexes(grad.flatten().tolist()))
    text = "\n".join(lines) + "\n"
    if out == "-":
        sys.stdout.write(text)
    else:
        with open(out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else __file__.replace("edge_values.py", "EdgeValueTable.inc"))
