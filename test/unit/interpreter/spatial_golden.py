#!/usr/bin/python3
"""Writes SpatialGolden.inc: PyTorch 1.13's results for the spatial ops of ConvOps.td (conv_transpose2d),
PoolingOps.td (dilation, ceil_mode, count_include_pad) and UpsampleOps.td, forward and gradient ops,
which SpatialTest.cpp runs through the interpreter.

Run with Debian's interpreter (it has torch): /usr/bin/python3 spatial_golden.py > SpatialGolden.inc
Each case is one dl op on float32 inputs, most of them integers or halves so that float32 and the
interpreter's double precision agree closely; some hold NaN and infinities (PyTorch's result then
says what propagates). The gradient cases give the gradient op torch's autograd result for a fixed
output gradient.
"""
import math

import torch
import torch.nn.functional as F

torch.manual_seed(0)
cases = []


def fmt_shape(s):
    return "x".join(str(d) for d in s)


def T(s):
    return "tensor<%sxf32>" % fmt_shape(s)


def arr(v):
    return "array<i64: %d, %d>" % tuple(v)


def num(v):
    v = float(v)
    if math.isnan(v):
        return "kNaN"
    if math.isinf(v):
        return "kInf" if v > 0 else "-kInf"
    return repr(v)


def add(name, op, attrs, inputs, result):
    """One case: `%y = dl.<op> %a0, ... {attrs} : (...) -> ...` on `inputs`, giving `result`."""
    operands = ", ".join("%%a%d" % i for i in range(len(inputs)))
    attr_text = ", ".join("%s = %s" % kv for kv in attrs)
    types = ", ".join(T(t.shape) for t in inputs)
    body = "%%y = dl.%s %s {%s} : (%s) -> %s" % (op, operands, attr_text, types, T(result.shape))
    ints = []
    for key, value in attrs:
        if value in ("true", "false"):
            ints.append((key, [1 if value == "true" else 0]))
        else:
            ints.append((key, [int(v) for v in value[len("array<i64: "):-1].split(",")]))
    cases.append((name, body, op, ints, inputs, result))


def rand_ints(*shape, lo=-4, hi=5):
    return torch.randint(lo, hi, shape).float() / 2


def distinct(*shape):
    """Values 0.25 apart in a random order: no window holds a tie."""
    n = 1
    for d in shape:
        n *= d
    return (torch.randperm(n).float() * 0.25 - n / 8).reshape(shape)


def conv_transpose(name, x, w, stride, padding, output_padding, dilation):
    x = x.clone().requires_grad_(True)
    w = w.clone().requires_grad_(True)
    y = F.conv_transpose2d(x, w, stride=stride, padding=padding, output_padding=output_padding,
                           dilation=dilation)
    attrs = [("stride", arr(stride)), ("padding", arr(padding)),
             ("output_padding", arr(output_padding)), ("dilation", arr(dilation))]
    add("conv_transpose2d_" + name, "conv_transpose2d", attrs, [x.detach(), w.detach()],
        y.detach())


def pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


def max_pool(name, x, k, s, p, d, ceil, grad=True):
    xg = x.clone().requires_grad_(True)
    y = F.max_pool2d(xg, pair(k), pair(s), pair(p), pair(d), ceil_mode=ceil)
    attrs = [("kernel_size", arr(pair(k))), ("stride", arr(pair(s))), ("padding", arr(pair(p))),
             ("dilation", arr(pair(d)))]
    if ceil:
        attrs.append(("ceil_mode", "true"))
    add("maxpool2d_" + name, "maxpool2d", attrs, [x], y.detach())
    if grad:
        gy = rand_ints(*y.shape)
        (gx,) = torch.autograd.grad(y, xg, gy)
        add("maxpool2d_grad_" + name, "maxpool2d_grad", attrs, [x, gy], gx)


def avg_pool(name, x, k, s, p, ceil, include):
    xg = x.clone().requires_grad_(True)
    y = F.avg_pool2d(xg, pair(k), pair(s), pair(p), ceil_mode=ceil, count_include_pad=include)
    attrs = [("kernel_size", arr(pair(k))), ("stride", arr(pair(s))), ("padding", arr(pair(p)))]
    if ceil:
        attrs.append(("ceil_mode", "true"))
    if not include:
        attrs.append(("count_include_pad", "false"))
    add("avgpool2d_" + name, "avgpool2d", attrs, [x], y.detach())
    gy = rand_ints(*y.shape)
    (gx,) = torch.autograd.grad(y, xg, gy)
    add("avgpool2d_grad_" + name, "avgpool2d_grad",
        attrs + [("input_size", arr(x.shape[2:]))], [gy], gx)


def bilinear(name, x, scale, align, grad=True):
    xg = x.clone().requires_grad_(True)
    y = F.interpolate(xg, scale_factor=tuple(scale), mode="bilinear", align_corners=align)
    attrs = [("scale", arr(scale))]
    if align:
        attrs.append(("align_corners", "true"))
    add("upsample_bilinear2d_" + name, "upsample_bilinear2d", attrs, [x], y.detach())
    if grad:
        gy = rand_ints(*y.shape)
        (gx,) = torch.autograd.grad(y, xg, gy)
        add("upsample_bilinear2d_grad_" + name, "upsample_bilinear2d_grad",
            attrs + [("input_size", arr(x.shape[2:]))], [gy], gx)


inf, nan = float("inf"), float("nan")

# conv_transpose2d: PyTorch's weight layout [C, O, KH, KW].
conv_transpose("dcgan_k4_s2_p1", rand_ints(2, 3, 3, 3), rand_ints(3, 2, 4, 4), [2, 2], [1, 1],
               [0, 0], [1, 1])
conv_transpose("k3_s2_p1_op1", rand_ints(1, 2, 4, 5), rand_ints(2, 3, 3, 3), [2, 2], [1, 1],
               [1, 1], [1, 1])
conv_transpose("rect", rand_ints(1, 2, 3, 4), rand_ints(2, 2, 2, 3), [2, 1], [0, 1], [1, 0],
               [1, 2])
conv_transpose("s1", rand_ints(1, 2, 3, 3), rand_ints(2, 1, 3, 3), [1, 1], [0, 0], [0, 0], [1, 1])
# An output padding at least the stride (allowed as it is below the dilation): a row no tap reaches.
conv_transpose("op_past_stride", rand_ints(1, 1, 3, 3), rand_ints(1, 2, 2, 2), [1, 1], [0, 0],
               [1, 1], [2, 2])
x = rand_ints(1, 1, 3, 3)
x[0, 0, 1, 1] = nan
x[0, 0, 0, 2] = inf
conv_transpose("nan_inf", x, rand_ints(1, 1, 2, 2, lo=1, hi=3), [2, 2], [0, 0], [0, 0], [1, 1])

# Max pooling: dilation and ceil_mode.
max_pool("dilation2", distinct(1, 2, 7, 7), 3, 1, 0, 2, False)
max_pool("dilation2_p1_s2", distinct(2, 1, 8, 7), 3, 2, 1, 2, False)
max_pool("ceil", distinct(1, 2, 5, 5), 2, 2, 0, 1, True)
max_pool("ceil_p1_s2_k3", distinct(1, 1, 6, 7), 3, 2, 1, 1, True)
# ceil_mode's last window would start in the right padding: PyTorch drops it (3 windows, not 4).
max_pool("ceil_drops_window", distinct(1, 1, 5, 5), 2, 3, 1, 1, True)
max_pool("ceil_dilation_rect", distinct(1, 1, 8, 9), [2, 3], [3, 2], [1, 1], [2, 1], True)
x = distinct(1, 1, 4, 4)
x[0, 0, 0, 1] = nan
x[0, 0, 2, :] = -inf
x[0, 0, 3, 3] = inf
max_pool("nan_and_infinities", x, 2, 1, 1, 2, True, grad=False)
x = torch.full((1, 1, 3, 3), -inf)
max_pool("all_minus_inf", x, 2, 2, 1, 1, True, grad=False)
# ceil_mode lets one window overhang an input shorter than itself.
max_pool("ceil_window_longer_than_input", distinct(1, 1, 2, 2), 3, 2, 0, 1, True)
# A dilated window whose taps all fall in the padding gives -inf. (PyTorch's gradient of it writes
# before its buffer, index -1, and can crash: the interpreter sends it nowhere.)
max_pool("dilated_window_of_padding", distinct(1, 1, 2, 3), [2, 1], 1, [1, 0], [3, 1], False,
         grad=False)

# Average pooling: ceil_mode and count_include_pad.
avg_pool("no_count_pad", rand_ints(1, 2, 5, 5), 3, 2, 1, False, False)
avg_pool("ceil", rand_ints(1, 1, 5, 6), 2, 2, 0, True, True)
avg_pool("ceil_p1_include", rand_ints(1, 1, 6, 5), 3, 2, 1, True, True)
avg_pool("ceil_p1_exclude", rand_ints(2, 1, 6, 5), 3, 2, 1, True, False)
avg_pool("ceil_drops_window", rand_ints(1, 1, 5, 5), 2, 3, 1, True, False)
avg_pool("ceil_window_longer_than_input", rand_ints(1, 1, 2, 3), [3, 3], 2, 0, True, True)
avg_pool("rect_exclude", rand_ints(1, 1, 7, 4), [3, 2], [2, 1], [1, 1], False, False)
x = rand_ints(1, 1, 4, 4)
x[0, 0, 1, 1] = nan
x[0, 0, 3, 0] = -inf
avg_pool("nan_inf_exclude", x, 2, 2, 1, True, False)

# Bilinear upsampling.
bilinear("x2", rand_ints(1, 2, 3, 4), [2, 2], False)
bilinear("x2_align", rand_ints(1, 2, 3, 4), [2, 2], True)
bilinear("x3x2", rand_ints(2, 1, 3, 3), [3, 2], False)
bilinear("x3x2_align", rand_ints(1, 1, 4, 3), [3, 2], True)
bilinear("x1x2", rand_ints(1, 1, 2, 3), [1, 2], False)
bilinear("x4_single_row", rand_ints(1, 1, 1, 3), [4, 4], False)
bilinear("x4_single_row_align", rand_ints(1, 1, 1, 3), [4, 4], True)
bilinear("x5", rand_ints(1, 1, 2, 2), [5, 5], False)
x = torch.tensor([[[[1.0, inf, 3.0], [4.0, 5.0, 6.0]]]])
for s, tag in [([1, 2], "x1x2"), ([2, 1], "x2x1"), ([1, 1], "x1"), ([2, 2], "x2")]:
    bilinear("inf_" + tag, x, s, False, grad=False)
    bilinear("inf_align_" + tag, x, s, True, grad=False)
x = torch.tensor([[[[1.0, nan], [-inf, 2.0]]]])
bilinear("nan_x2", x, [2, 2], False, grad=False)

print("// Generated by spatial_golden.py with PyTorch %s; do not edit." % torch.__version__)
print("// name, op text, op, attributes (booleans as 0 or 1), inputs (shape, values), result")
for name, body, op, ints, inputs, result in cases:
    print("{\"%s\"," % name)
    print(" \"%s\"," % body)
    print(" \"%s\", {%s}," % (op, ", ".join("{\"%s\", {%s}}" % (k, ", ".join(map(str, v)))
                                            for k, v in ints)))
    print(" {")
    for t in inputs:
        print("  {{%s}, {%s}}," % (", ".join(str(d) for d in t.shape),
                                   ", ".join(num(v) for v in t.flatten().tolist())))
    print(" },")
    print(" {{%s}, {%s}}}," % (", ".join(str(d) for d in result.shape),
                               ", ".join(num(v) for v in result.flatten().tolist())))
