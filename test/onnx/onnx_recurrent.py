"""onnx_recurrent.py — ONNX LSTM, GRU and RNN nodes in the forms ONNX's node tests leave out and
PyTorch does not export, imported by `dlc import`, compiled and run forward against ONNX's own
reference (onnx.backend.test.case.node's LSTM_Helper, GRU_Helper and RNN_Helper, which compute one
forward direction; a reverse direction is the helper on the sequence reversed, its steps reversed
back, as ONNX defines it). Every output (Y, Y_h) must agree within 1e-5 relative (normwise):

  lstm_bidirectional   direction = bidirectional, initial_h and initial_c, Y [T, 2, B, H] and Y_h read
                       by the graph's outputs directly (no PyTorch readers to fold)
  gru_reverse_lbr0     direction = reverse, linear_before_reset = 0, initial_h, layout = 1
  gru_bidirectional    linear_before_reset = 1 (PyTorch's), both directions, layout = 1, no biases
  rnn_reverse          direction = reverse, initial_h, Y_h only

    onnx_recurrent.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR [CASE...]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import arguments, import_and_compile, need, open_instance, relative_error  # noqa: E402

onnx, np = need("onnx", "numpy")
import onnx.numpy_helper  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402
from onnx.backend.test.case.node.gru import GRU_Helper  # noqa: E402
from onnx.backend.test.case.node.lstm import LSTM_Helper  # noqa: E402
from onnx.backend.test.case.node.rnn import RNN_Helper  # noqa: E402

RTOL = 1e-5
T, B, I, H = 5, 3, 4, 6
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
HELPERS = {"LSTM": LSTM_Helper, "GRU": GRU_Helper, "RNN": RNN_Helper}

CASES = {
    # name: (op, direction, layout, initial states, outputs, attributes, biases)
    "lstm_bidirectional": ("LSTM", "bidirectional", 0, 2, ["Y", "Y_h"], {}, True),
    "gru_reverse_lbr0": ("GRU", "reverse", 1, 1, ["Y", "Y_h"], {"linear_before_reset": 0}, True),
    "gru_bidirectional": ("GRU", "bidirectional", 1, 0, ["Y", "Y_h"], {"linear_before_reset": 1}, False),
    "rnn_reverse": ("RNN", "reverse", 0, 1, ["Y_h"], {}, True),
}


def reference(op, weights, x, states, reverse, attributes):
    """One direction: Y [T, 1, B, H] and Y_h [1, B, H] of ONNX's helper, time-major."""
    params = {"X": x[::-1] if reverse else x}
    params.update({k: v[None] for k, v in weights.items()})
    params.update({k: v[None] for k, v in states.items()})
    if op == "GRU":
        params["linear_before_reset"] = attributes["linear_before_reset"]
    y, y_h = HELPERS[op](**params).step()
    if reverse:
        y = y[::-1]
    return y, np.asarray(y_h).reshape(1, B, H)


def check(name, args):
    op, direction, layout, nstates, outputs, attributes, biases = CASES[name]
    gen = np.random.default_rng(sum(map(ord, name)))
    reverses = {"forward": [False], "reverse": [True], "bidirectional": [False, True]}[direction]
    D, G = len(reverses), GATES[op] * H
    x = gen.standard_normal((T, B, I)).astype(np.float32)
    W = (gen.standard_normal((D, G, I)) * 0.4).astype(np.float32)
    R = (gen.standard_normal((D, G, H)) * 0.4).astype(np.float32)
    Bias = (gen.standard_normal((D, 2 * G)) * 0.2).astype(np.float32)
    states = [(gen.standard_normal((D, B, H)) * 0.5).astype(np.float32) for _ in range(nstates)]
    state_names = ["initial_h", "initial_c"][:nstates]

    # The reference, direction by direction, then ONNX's layouts.
    ys, hs = [], []
    for d, reverse in enumerate(reverses):
        weights = {"W": W[d], "R": R[d]}
        if biases:
            weights["B"] = Bias[d]
        y, y_h = reference(op, weights, x, {n: s[d] for n, s in zip(state_names, states)}, reverse, attributes)
        ys.append(y)
        hs.append(y_h)
    want = {"Y": np.concatenate(ys, axis=1), "Y_h": np.concatenate(hs, axis=0)}  # [T, D, B, H], [D, B, H]
    feed = {"X": x}
    feed.update(zip(state_names, states))
    if layout == 1:
        want = {"Y": want["Y"].transpose(2, 0, 1, 3), "Y_h": want["Y_h"].transpose(1, 0, 2)}
        feed = {k: np.ascontiguousarray(v.transpose(1, 0, 2)) for k, v in feed.items()}

    inputs = ["X", "W", "R", "B" if biases else "", ""] + state_names
    node = helper.make_node(op, inputs, [o if o in outputs else "" for o in ["Y", "Y_h"]], name="rec",
                            hidden_size=H, direction=direction, layout=layout, **attributes)
    initializers = [onnx.numpy_helper.from_array(W, "W"), onnx.numpy_helper.from_array(R, "R")]
    if biases:
        initializers.append(onnx.numpy_helper.from_array(Bias, "B"))
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info(k, TensorProto.FLOAT, v.shape)
                                             for k, v in feed.items()],
                              [helper.make_tensor_value_info(o, TensorProto.FLOAT, want[o].shape) for o in outputs],
                              initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    path = os.path.join(args.work, name + ".onnx")
    onnx.save(model, path)
    library, weights, _ = import_and_compile(args.dlc, path, args.work, name)
    got = open_instance(library, weights).forward(**feed)
    ok = True
    for o in outputs:
        error = relative_error(got[o], want[o])
        print(f"{name}: {o} {list(want[o].shape)}, relative error {error:.3g}")
        ok &= error <= RTOL
    return ok


def main():
    args = arguments(__doc__)
    names = args.names or list(CASES)
    failed = [n for n in names if not check(n, args)]
    if failed:
        print("FAILED: " + ", ".join(failed) + f" (above {RTOL})")
        return 1
    print(f"ok: {len(names)} recurrent nodes equal ONNX's reference within {RTOL} relative")
    return 0


if __name__ == "__main__":
    sys.exit(main())
