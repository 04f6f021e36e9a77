"""import_errors.py — `dlc import` on models it must refuse: each case builds a small ONNX model
with onnx.helper, runs `dlc import` and checks that it exits 1 with a message naming what is wrong
(the node, the op, the attribute), writing no file.

    import_errors.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import arguments, need, run  # noqa: E402

onnx, np = need("onnx", "numpy")
import onnx.numpy_helper  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402


def model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def weights(name, shape):
    return onnx.numpy_helper.from_array(np.ones(shape, np.float32), name)


def ints(name, values):
    return onnx.numpy_helper.from_array(np.array(values, "int64"), name)


def lstm(extra=None, **attributes):
    """An LSTM over s [3, 2, 4] (hidden 2) with `attributes`; `extra` maps "lens" (sequence_lens)
    and "p" (peepholes) to initializers given as those inputs. Serialized."""
    extra = extra or {}
    inputs = ["s", "w", "r", "", "lens" if "lens" in extra else "", "", "", "p" if "p" in extra else ""]
    while inputs[-1] == "":
        inputs.pop()
    return model([helper.make_node("LSTM", inputs, ["y"], name="l", hidden_size=2, **attributes)],
                 [f32("s", [3, 2, 4])], [Y],
                 [weights("w", [1, 8, 4]), weights("r", [1, 8, 2])] +
                 [onnx.numpy_helper.from_array(v, k) for k, v in extra.items()]).SerializeToString()


def resize(scales=(1, 1, 2, 2), **attributes):
    """A Resize of x by `scales` (an initializer) with `attributes`, serialized."""
    return model([helper.make_node("Resize", ["x", "", "scales"], ["y"], name="r", **attributes)], [X], [Y],
                 [onnx.numpy_helper.from_array(np.array(scales, np.float32), "scales")]).SerializeToString()


X = f32("x", [2, 3, 8, 8])
Y = f32("y", None)

CASES = {
    # name: (model bytes, expected fragments of the error)
    "truncated": (lambda: model([helper.make_node("Relu", ["x"], ["y"], name="r")], [X], [Y])
                  .SerializeToString()[:-7], ["is not an ONNX model", "truncated"]),
    "not-onnx": (lambda: b"hello, this is text", ["is not an ONNX model"]),
    "empty": (lambda: b"", ["is empty"]),
    "opset": (lambda: model([helper.make_node("Relu", ["x"], ["y"])], [X], [Y], opset=11)
              .SerializeToString(), ["opset 11", "13 to 17"]),
    "unknown-op": (lambda: model([helper.make_node("Acos", ["x"], ["y"], name="acos1")], [X], [Y])
                   .SerializeToString(), ["node 'acos1' (Acos)", "no translation of the ONNX op Acos"]),
    "group": (lambda: model([helper.make_node("Conv", ["x", "w"], ["y"], name="c", group=3)], [X], [Y],
                            [weights("w", [3, 1, 3, 3])]).SerializeToString(),
              ["node 'c' (Conv)", "attribute group = 3", "grouped"]),
    "avgpool-ceil-uneven-pads": (lambda: model([helper.make_node("AveragePool", ["x"], ["y"], name="p",
                                                                 kernel_shape=[3, 3], strides=[2, 2],
                                                                 pads=[0, 0, 1, 1], ceil_mode=1)],
                                               [X], [Y]).SerializeToString(),
                                 ["node 'p' (AveragePool)", "attribute pads = [0, 0, 1, 1]", "ceil_mode = 1"]),
    "unread-attribute": (lambda: model([helper.make_node("Relu", ["x"], ["y"], name="r", bogus=1)], [X], [Y])
                         .SerializeToString(), ["node 'r' (Relu)", "attribute 'bogus'"]),
    "dtype": (lambda: model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                            [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [2])], [Y])
              .SerializeToString(), ["graph input 'x'", "DOUBLE"]),
    "symbolic-dim": (lambda: model([helper.make_node("Relu", ["x"], ["y"])], [f32("x", ["batch", 4])], [Y])
                     .SerializeToString(), ["symbolic dimension 'batch'", "--dim batch=N"]),
    "domain": (lambda: model([helper.make_node("Foo", ["x"], ["y"], name="f", domain="com.example")], [X], [Y])
               .SerializeToString(), ["node 'f' (com.example.Foo)", "domain 'com.example'"]),
    "pad-mode": (lambda: model([helper.make_node("Pad", ["x", "pads"], ["y"], name="p", mode="wrap")], [X], [Y],
                               [ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])])
                 .SerializeToString(), ["node 'p' (Pad)", "attribute mode = \"wrap\""]),
    "pad-reflect-wide": (lambda: model([helper.make_node("Pad", ["x", "pads"], ["y"], name="p", mode="reflect")],
                                       [X], [Y], [ints("pads", [0, 0, 8, 0, 0, 0, 1, 1])])
                         .SerializeToString(), ["node 'p' (Pad)", "reflect pads [0, 0, 8, 0, 0, 0, 1, 1]",
                                                "[2, 3, 8, 8]"]),
    "mod-fmod": (lambda: model([helper.make_node("Mod", ["x", "x"], ["y"], name="m", fmod=2)], [X], [Y])
                 .SerializeToString(), ["node 'm' (Mod)", "attribute fmod = 2"]),
    "and-f32": (lambda: model([helper.make_node("And", ["x", "x"], ["y"], name="a")], [X], [Y])
                .SerializeToString(), ["node 'a' (And)", "f32, not bool"]),
    "convtranspose-group": (lambda: model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="ct", group=3)],
                                          [X], [Y], [weights("w", [3, 1, 3, 3])]).SerializeToString(),
                            ["node 'ct' (ConvTranspose)", "attribute group = 3"]),
    "convtranspose-output-shape": (lambda: model([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="ct",
                                                                   strides=[2, 2], output_shape=[18, 18])],
                                                 [X], [Y], [weights("w", [3, 4, 3, 3])]).SerializeToString(),
                                   ["node 'ct' (ConvTranspose)", "attribute output_shape = [18, 18]", "[17, 17]"]),
    "resize-cubic": (lambda: resize(mode="cubic"), ["node 'r' (Resize)", "attribute mode = \"cubic\""]),
    "resize-linear-asymmetric": (lambda: resize(mode="linear", coordinate_transformation_mode="asymmetric"),
                                 ["node 'r' (Resize)", "attribute coordinate_transformation_mode = \"asymmetric\""]),
    "resize-nearest-floor": (lambda: resize(nearest_mode="floor"),
                             ["node 'r' (Resize)", "attribute nearest_mode = \"floor\"", "half_pixel"]),
    "resize-fraction": (lambda: resize(scales=[1, 1, 1.5, 1.5]),
                        ["node 'r' (Resize)", "attribute scales = [1.0, 1.0, 1.5, 1.5]", "whole factors"]),
    "maxpool-ceil-uneven-pads": (lambda: model([helper.make_node("MaxPool", ["x"], ["y"], name="m", kernel_shape=[2, 2],
                                                                 strides=[2, 2], pads=[0, 0, 1, 1], ceil_mode=1)],
                                               [X], [Y]).SerializeToString(),
                                 ["node 'm' (MaxPool)", "attribute pads = [0, 0, 1, 1]", "ceil_mode = 1"]),
    "avgpool-window-in-padding": (lambda: model([helper.make_node("AveragePool", ["x"], ["y"], name="p",
                                                                  kernel_shape=[2, 2], strides=[2, 2],
                                                                  pads=[0, 0, 4, 4])],
                                                [X], [Y]).SerializeToString(),
                                  ["node 'p' (AveragePool)", "attribute pads = [0, 0, 4, 4]",
                                   "wholly in the padding"]),
    "cast-double": (lambda: model([helper.make_node("Cast", ["x"], ["y"], name="c", to=TensorProto.DOUBLE)],
                                  [X], [Y]).SerializeToString(),
                    ["node 'c' (Cast)", "attribute to", "DOUBLE"]),
    "cumsum-exclusive": (lambda: model([helper.make_node("CumSum", ["x", "axis"], ["y"], name="c", exclusive=1)],
                                       [X], [Y], [ints("axis", 1)]).SerializeToString(),
                         ["node 'c' (CumSum)", "attribute exclusive = 1"]),
    "cumsum-computed-axis": (lambda: model([helper.make_node("CumSum", ["x", "axis"], ["y"], name="c")],
                                           [X, helper.make_tensor_value_info("axis", TensorProto.INT64, [])], [Y])
                             .SerializeToString(), ["node 'c' (CumSum)", "the axis"]),
    "argmin-last-index": (lambda: model([helper.make_node("ArgMin", ["x"], ["y"], name="a", select_last_index=1)],
                                        [X], [Y]).SerializeToString(),
                          ["node 'a' (ArgMin)", "attribute select_last_index = 1", "first minimum"]),
    "topk-computed-k": (lambda: model([helper.make_node("TopK", ["x", "k"], ["y", "i"], name="t")],
                                      [X, helper.make_tensor_value_info("k", TensorProto.INT64, [1])],
                                      [Y, helper.make_tensor_value_info("i", TensorProto.INT64, None)])
                        .SerializeToString(), ["node 't' (TopK)", "K (input 'k') must be known"]),
    "topk-k-too-large": (lambda: model([helper.make_node("TopK", ["x", "k"], ["y", "i"], name="t", axis=1)],
                                       [X], [Y, helper.make_tensor_value_info("i", TensorProto.INT64, None)],
                                       [ints("k", [9])]).SerializeToString(),
                         ["node 't' (TopK)", "K = 9 is out of range [1, "]),
    "tile-repeats-count": (lambda: model([helper.make_node("Tile", ["x", "r"], ["y"], name="t")], [X], [Y],
                                         [ints("r", [2, 2])]).SerializeToString(),
                           ["node 't' (Tile)", "repeats has 2 values for an input of rank 4"]),
    "onehot-depth": (lambda: model([helper.make_node("OneHot", ["x", "d", "v"], ["y"], name="o")], [X], [Y],
                                   [onnx.numpy_helper.from_array(np.array(2.5, np.float32), "d"),
                                    onnx.numpy_helper.from_array(np.array([0, 1], np.float32), "v")])
                     .SerializeToString(), ["node 'o' (OneHot)", "the depth must be a positive integer, not 2.5"]),
    "lstm-initial-h-shape": (lambda: model([helper.make_node("LSTM", ["s", "w", "r", "", "", "h0"], ["y"], name="l",
                                                             hidden_size=2, direction="bidirectional")],
                                           [f32("s", [3, 2, 4]), f32("h0", [1, 2, 2])], [Y],
                                           [weights("w", [2, 8, 4]), weights("r", [2, 8, 2])])
                             .SerializeToString(), ["node 'l' (LSTM)", "initial_h (input 5) is [1, 2, 2]",
                                                    "expected [2, 2, 2]"]),
    "gru-activations": (lambda: model([helper.make_node("GRU", ["s", "w", "r"], ["y"], name="g", hidden_size=2,
                                                        activations=["Sigmoid", "Relu"])],
                                      [f32("s", [3, 2, 4])], [Y], [weights("w", [1, 6, 4]), weights("r", [1, 6, 2])])
                        .SerializeToString(), ["node 'g' (GRU)", "attribute activations = [Sigmoid, Relu]"]),
    "lstm-clip": (lambda: lstm(clip=3.0), ["node 'l' (LSTM)", "attribute clip = 3.0"]),
    "lstm-input-forget": (lambda: lstm(input_forget=1), ["node 'l' (LSTM)", "attribute input_forget = 1"]),
    "lstm-activations": (lambda: lstm(activations=["Sigmoid", "Tanh", "Relu"]),
                         ["node 'l' (LSTM)", "attribute activations = [Sigmoid, Tanh, Relu]"]),
    "lstm-peepholes": (lambda: lstm(extra={"p": np.full([1, 6], 0.5, np.float32)}),
                       ["node 'l' (LSTM)", "peephole weights P (input 7) are not zero"]),
    "lstm-sequence-lens": (lambda: lstm(extra={"lens": np.array([3, 2], np.int32)}),
                           ["node 'l' (LSTM)", "sequence_lens (input 4) holds 2", "shorter than the sequence's 3 steps"]),
    "gather-elements-index-range": (lambda: model([helper.make_node("GatherElements", ["x", "i"], ["y"], name="ge",
                                                                    axis=1)],
                                                  [f32("x", [2, 3])], [Y], [ints("i", [[0, 3], [1, -4]])])
                                    .SerializeToString(),
                                    ["node 'ge' (GatherElements)", "index 3 is out of range [-3, 2] for axis 1 of [2, 3]"]),
    "gather-elements-index-larger": (lambda: model([helper.make_node("GatherElements", ["x", "i"], ["y"], name="ge",
                                                                     axis=0)],
                                                   [f32("x", [2, 3]),
                                                    helper.make_tensor_value_info("i", TensorProto.INT64, [2, 4])], [Y])
                                     .SerializeToString(),
                                     ["node 'ge' (GatherElements)", "its indices [2, 4] are larger than the data [2, 3] on axis 1"]),
    "sce-reduction": (lambda: model([helper.make_node("SoftmaxCrossEntropyLoss", ["s", "labels"], ["y"], name="sce",
                                                      reduction="max")],
                                    [f32("s", [3, 5]), helper.make_tensor_value_info("labels", TensorProto.INT64, [3])],
                                    [Y]).SerializeToString(),
                      ["node 'sce' (SoftmaxCrossEntropyLoss)", "attribute reduction = max"]),
    "nll-float-labels": (lambda: model([helper.make_node("NegativeLogLikelihoodLoss", ["s", "t"], ["y"], name="nll")],
                                       [f32("s", [3, 5]), f32("t", [3])], [Y]).SerializeToString(),
                         ["node 'nll' (NegativeLogLikelihoodLoss)", "needs integer labels"]),
}


def main():
    args = arguments(__doc__)
    failures = []
    for name, (make, fragments) in CASES.items():
        path = os.path.join(args.work, name + ".onnx")
        with open(path, "wb") as f:
            f.write(make())
        program = os.path.join(args.work, name + ".dl")
        if os.path.exists(program):
            os.remove(program)
        result = run([args.dlc, "import", path, "-o", program], check=False)
        message = result.stderr.strip()
        missing = [f for f in fragments if f not in message]
        if result.returncode != 1 or missing or os.path.exists(program):
            failures.append(name)
            print(f"FAIL {name}: status {result.returncode}, missing {missing}: {message}")
        else:
            print(f"ok   {name}: {message}")
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    print(f"ok: {len(CASES)} refused models")
    return 0


if __name__ == "__main__":
    sys.exit(main())
