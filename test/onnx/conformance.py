"""conformance.py — ONNX's backend node tests (Debian's libonnx-testdata) through dlc: every node
test using an op `dlc import --list-ops` names is imported; those dlc can express are merged, a
group at a time, into one ONNX model (their names prefixed), imported and compiled into one library
(a compile costs seconds; one per test would cost minutes), run on the test's inputs, and compared
with its outputs (rtol 1e-4, atol 1e-5, NaN where NaN). A test dlc refuses is listed with the
importer's reason. Fails when an importable test fails to compile or to match.

Two adjustments, both keeping the graph and its values: a test written at an opset below 13 runs
at 13 where its ops' definitions are the same there (retarget), and integer inputs the importer
needs as constants (axes, shapes, split sizes, weights; dlc's shapes are static) are bound to the
test's values (freeze_input).

    conformance.py --dlc build/bin/dlc --loader build/lib/libdlrt_loader.so.0 --work DIR
                   [--data /usr/share/libonnx-testdata/data/node] [--report FILE.md] [TEST...]
"""
import collections
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import SKIP, arguments, need, open_instance, run  # noqa: E402

onnx, np = need("onnx", "numpy")
import onnx.defs  # noqa: E402
import onnx.numpy_helper  # noqa: E402

DATA = "/usr/share/libonnx-testdata/data/node"
GROUP = 48
RTOL, ATOL = 1e-4, 1e-5

# Node tests that import faithfully but that dlc's compiled kernels get wrong: each a reported
# codegen issue, listed with it in the README table. One that passes fails the run (remove it here).
KNOWN_FAILURES = {
    "test_logsoftmax_large_number_expanded":
        "codegen: the fused kernel of (x - max) - log(sum) loses float32 precision at |x| = 1e4 "
        "(Halide reassociates the subtractions; error 2.4e-4); the import is op for op",
}


class Test:
    def __init__(self, folder):
        self.name = os.path.basename(folder)
        self.model = onnx.load(os.path.join(folder, "model.onnx"))
        self.ops = sorted({n.op_type for n in self.model.graph.node})
        self.folder = folder
        self.retargeted = retarget(self.model)
        self.frozen = []   # inputs bound to the test's values (freeze_input)
        self.inputs = self.outputs = None
        self.status = None   # "pass", "fail", "refused"
        self.reason = ""

    def read_data(self):
        """The inputs and outputs of test_data_set_0; False where one is no tensor (a sequence or
        an optional, which dlc has no type for)."""
        data = os.path.join(self.folder, "test_data_set_0")
        number = lambda p: int(re.search(r"_(\d+)\.pb$", p).group(1))  # noqa: E731
        try:
            self.inputs = [self._read(p) for p in sorted(glob.glob(os.path.join(data, "input_*.pb")), key=number)]
            self.outputs = [self._read(p) for p in sorted(glob.glob(os.path.join(data, "output_*.pb")), key=number)]
        except ValueError:
            return False
        return True

    @staticmethod
    def _read(path):
        t = onnx.TensorProto()
        with open(path, "rb") as f:
            t.ParseFromString(f.read())
        return onnx.numpy_helper.to_array(t)


def retarget(model):
    """ONNX writes each node test at the opset where its op last changed (Conv's at 11, Elu's at 6);
    dlc imports opsets 13 to 17. Where every op of the test is defined the same at the nearest
    opset in that range (the same schema version), the test is moved there; else it stays, and the
    importer refuses it naming the opset. Returns whether it moved."""
    entry = next((o for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    if entry is None:
        return False
    target = min(max(entry.version, 13), 17)
    if target == entry.version:
        return False
    for node in model.graph.node:
        try:
            if (onnx.defs.get_schema(node.op_type, entry.version).since_version !=
                    onnx.defs.get_schema(node.op_type, target).since_version):
                return False
        except onnx.defs.SchemaError:
            return False
    entry.version = target
    return True


def prefixed(test, prefix):
    """The test's graph with every value and node name prefixed."""
    g = onnx.GraphProto()
    g.CopyFrom(test.model.graph)
    p = lambda name: prefix + name if name else name  # noqa: E731
    for n in g.node:
        n.input[:] = [p(x) for x in n.input]
        n.output[:] = [p(x) for x in n.output]
        n.name = p(n.name or n.op_type)
    for v in list(g.input) + list(g.output) + list(g.value_info):
        v.name = p(v.name)
    for t in g.initializer:
        t.name = p(t.name)
    return g


def merged_model(tests):
    graph = onnx.GraphProto(name="conformance")
    opset = max(next(o.version for o in t.model.opset_import if o.domain in ("", "ai.onnx")) for t in tests)
    for k, t in enumerate(tests):
        g = prefixed(t, f"t{k}_")
        graph.node.extend(g.node)
        graph.input.extend(g.input)
        graph.output.extend(g.output)
        graph.initializer.extend(g.initializer)
    return onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", opset)])


def close(got, want):
    if want.dtype == np.bool_:
        return got.shape == want.shape and np.array_equal(got.astype(bool), want)
    if got.shape != want.shape:
        return False
    return np.allclose(got.astype(np.float64), want.astype(np.float64), rtol=RTOL, atol=ATOL, equal_nan=True)


def run_group(args, tests, label):
    """Imports, compiles and runs `tests` as one library; on an import or compile failure, halves."""
    work = os.path.join(args.work, label)
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "model.onnx")
    onnx.save(merged_model(tests), path)
    program, weights, library = (os.path.join(work, "model" + e) for e in (".dl", ".safetensors", ".so"))
    step = run([args.dlc, "import", path, "-o", program, "--weights", weights, "--model", "conformance"], check=False)
    if step.returncode == 0:
        step = run([args.dlc, program, "-o", library], check=False)
    if step.returncode != 0:
        if len(tests) == 1:
            tests[0].status, tests[0].reason = "fail", "does not compile: " + step.stderr.strip()[:300]
            return
        half = len(tests) // 2
        run_group(args, tests[:half], label + "a")
        run_group(args, tests[half:], label + "b")
        return
    names = dlc_names(step.stdout)
    inst = open_instance(library, weights)
    spec = inst.info.entries["forward"]
    feeds = {}
    for k, t in enumerate(tests):
        initializers = {x.name for x in t.model.graph.initializer}
        for info, value in zip([i for i in t.model.graph.input if i.name not in initializers], t.inputs):
            name = f"t{k}_{info.name}"
            name = names.get(name, name)
            feeds[name] = np.asarray(value).astype(spec.inputs[name].dtype)
    outputs = inst.forward(**feeds)
    for k, t in enumerate(tests):
        problems = []
        for info, want in zip(t.model.graph.output, t.outputs):
            name = f"t{k}_{info.name}"
            got = outputs.get(names.get(name, name))
            if got is None:
                problems.append(f"no output {info.name}")
            elif not close(got, want):
                err = (np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))
                       if got.shape == want.shape else f"shape {got.shape} for {want.shape}")
                problems.append(f"output {info.name} differs (max error {err})")
        t.status = "fail" if problems else "pass"
        t.reason = "; ".join(problems)
        if t.name in KNOWN_FAILURES:
            t.status = "known" if problems else "fail"
            t.reason = KNOWN_FAILURES[t.name] if problems else "passes: remove it from KNOWN_FAILURES"


def dlc_names(import_output):
    """ONNX name -> .dl name, from the lines `dlc import` prints for the names it changed."""
    names = {}
    for m in re.finditer(r"^  (?:input|output) (\S+) is ONNX's '(.*)'$", import_output, re.M):
        names[m.group(2)] = m.group(1)
    return names


def main():
    args = arguments(__doc__.split("\n")[0], lambda p: p.add_argument("--report", help="the README table, written here"))
    data = os.environ.get("DLC_ONNX_NODE_TESTS", DATA)
    if not os.path.isdir(data):
        print(f"skipped: no ONNX node tests in {data} (Debian: libonnx-testdata)")
        return SKIP
    supported = set(run([args.dlc, "import", "--list-ops"]).stdout.split())
    folders = sorted(glob.glob(os.path.join(data, "test_*")))
    if args.names:
        folders = [f for f in folders if os.path.basename(f) in args.names]
    tests = []
    for folder in folders:
        t = Test(folder)
        if not set(t.ops) & supported:
            continue
        tests.append(t)
        missing = [op for op in t.ops if op not in supported]
        if missing:
            t.status, t.reason = "refused", "uses " + ", ".join(missing) + " (no dlc translation)"
            continue
        result = probe(args, t)
        # An input the importer needs as a constant (axes, a shape, weights): bound to the test's
        # value, one at a time, as long as the importer names a graph input.
        for _ in range(8):
            needed = re.search(r"\(input '([^']+)'\) must be known when the model is imported", result.stderr)
            if result.returncode == 0 or not needed or (t.inputs is None and not t.read_data()) \
                    or not freeze_input(t, needed.group(1)):
                break
            result = probe(args, t)
        if result.returncode != 0:
            message = result.stderr.strip().split(": error: ", 1)[-1]
            t.status, t.reason = "refused", message
        elif t.inputs is None and not t.read_data():
            t.status, t.reason = "refused", "its test data holds a sequence or an optional, not a tensor"
    importable = [t for t in tests if t.status is None]
    for g in range(0, len(importable), GROUP):
        run_group(args, importable[g:g + GROUP], f"group{g // GROUP}")
    return report(args, tests, supported)


def probe(args, t):
    """`dlc import` of the test alone (as retargeted or frozen): does the importer take it?"""
    work = os.path.join(args.work, "probe")
    os.makedirs(work, exist_ok=True)
    source = os.path.join(t.folder, "model.onnx")
    if t.retargeted or t.frozen:
        source = os.path.join(work, "changed.onnx")
        onnx.save(t.model, source)
    return run([args.dlc, "import", source, "-o", os.path.join(work, "p.dl"), "--model", "probe"], check=False)


def freeze_input(t, name):
    """Node tests pass axes, shapes, split sizes and weights as graph inputs; dlc needs them when it
    imports (its shapes and layers' weights are static). Binds graph input `name` to the test's own
    value as an initializer (the graph and the values it computes are the same). Returns whether
    `name` was such an input."""
    graph = t.model.graph
    initializers = {x.name for x in graph.initializer}
    runtime = [i for i in graph.input if i.name not in initializers]
    names = [i.name for i in runtime]
    if name not in names:
        return False
    k = names.index(name)
    graph.initializer.append(onnx.numpy_helper.from_array(t.inputs[k], name))
    t.frozen.append(name)
    kept = [i for i in graph.input if i.name != name]
    del graph.input[:]
    graph.input.extend(kept)
    del t.inputs[k]
    return True


CATEGORIES = [  # (pattern of a refusal, what the summary calls it)
    (r"uses opset", "written at an opset below 13 whose definition of one of its ops changed since"),
    (r"no dlc translation", "uses an op dlc import does not translate (yet)"),
    (r"element type|dtype|is a bool tensor|int64 becomes", "a dtype dlc has no type for (f64, f16, int8, uint, string...)"),
    (r"must be known", "a shape, axis or weight given as a graph input (dlc's are static)"),
    (r"sequence or an optional", "sequence or optional values"),
    (r"attribute", "an attribute value dlc cannot express"),
]


def category(reason):
    for pattern, name in CATEGORIES:
        if re.search(pattern, reason):
            return name
    return "other"


def report(args, tests, supported):
    per_op = collections.defaultdict(lambda: collections.Counter())
    for t in tests:
        for op in t.ops:
            if op in supported:
                per_op[op][t.status] += 1
    lines = ["| ONNX op | node tests passing | refused | failing (known) |", "| --- | --- | --- | --- |"]
    for op in sorted(per_op):
        c = per_op[op]
        total = sum(c.values())
        known = f" ({c['known']})" if c["known"] else ""
        lines.append(f"| {op} | {c['pass']} of {total} | {c['refused']} | {c['fail'] + c['known']}{known} |")
    refused = [t for t in tests if t.status == "refused"]
    counts = collections.Counter(category(t.reason) for t in refused)
    lines += ["", "Refused node tests by reason:", ""]
    lines += [f"- {n}: {what}" for what, n in counts.most_common()]
    frozen = [t for t in tests if t.frozen and t.status == "pass"]
    lines += ["", f"{len(frozen)} of the passing tests pass inputs the importer needs as constants (axes, shapes, "
              "split sizes, a recurrent layer's weights) as initializers holding the test's values: "
              + ", ".join(f"`{t.name}`" for t in frozen)]
    lines += ["", "Known failures (reported, not the importer's):", ""]
    lines += [f"- `{t.name}`: {t.reason}" for t in tests if t.status == "known"]
    lines += ["", "Every refused node test and the importer's reason:", ""]
    lines += [f"- `{t.name}`: {t.reason.splitlines()[0]}" for t in sorted(refused, key=lambda t: t.name)]
    text = "\n".join(lines) + "\n"
    if args.report:
        with open(args.report, "w") as f:
            f.write(text)
    failing = [t for t in tests if t.status == "fail"]
    for t in failing:
        print(f"FAIL {t.name}: {t.reason}")
    passed = sum(t.status == "pass" for t in tests)
    known = sum(t.status == "known" for t in tests)
    print(f"{passed} node tests pass, {len(failing)} fail, {known} known failures, {len(refused)} refused "
          f"(of {len(tests)} using an op dlc import translates)")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
