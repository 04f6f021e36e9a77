"""bench/onnx/run.py — dlc's forward against ONNX Runtime on the same exported model.

For the MLP (examples/fashion_mlp.dl), the CNN (examples/fashion_cnn.dl) and the small GPT
(examples/tiny_transformer.dl), at batch 1 (latency; `-D B=1`) and at batch 128 (throughput;
`-D B=128`): compiles the model, saves an instance's initial weights as a checkpoint, exports the
forward entry with `dlc --emit=onnx --init` that checkpoint, and times, taking turns, `dl-run bench
--entry forward` and ONNX Runtime (npm onnxruntime-node, CPU execution provider, all graph
optimizations, driven by test/onnx/ort_run.js) on that .onnx, both with --threads threads (ONNX
Runtime: intra-op threads, one inter-op thread, sequential execution). Each figure is the median of
--steps runs after --warmup; one round. Prints a Markdown table for RESULTS.md.

    /usr/bin/python3 bench/onnx/run.py [--build build] [--threads 2] [--steps 200] [--warmup 20]

A library holds one batch size today (B is a compile-time constant), so each batch size is its own
compile and its own export.
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test", "onnx"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from benchlib import dl_run_bench  # noqa: E402

# (label, example, defines besides B): the CNN's learning-rate schedule needs EPOCHS * 60000 / B
# whole, which B = 128 makes 468.75 per epoch; the forward entry does not depend on it.
MODELS = [("MLP", "fashion_mlp", []), ("CNN", "fashion_cnn", ["-D", "EPOCHS=4"]),
          ("small GPT", "tiny_transformer", [])]
BATCHES = [1, 128]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--models", default=",".join(m for _, m, _ in MODELS))
    args = parser.parse_args()
    dlc = os.path.join(args.build, "bin", "dlc")
    dl_run = os.path.join(args.build, "bin", "dl-run")
    os.environ["DLC_LOADER"] = os.path.join(args.build, "lib", "libdlrt_loader.so.0")
    sys.path.insert(0, os.path.join(ROOT, "python"))
    import dlc as dlcpy
    import numpy as np
    from onnx_common import run_ort

    rows = []
    work = tempfile.mkdtemp(prefix="dlc-onnx-bench-")
    for label, name, extra in MODELS:
        if name not in args.models.split(","):
            continue
        source = os.path.join(ROOT, "examples", name + ".dl")
        for batch in BATCHES:
            stem = os.path.join(work, f"{name}_b{batch}")
            define = ["-D", f"B={batch}", *extra]
            subprocess.run([dlc, source, *define, "-o", stem + ".so"], check=True)
            inst = dlcpy.load(stem + ".so").instance(seed=1, threads=args.threads)
            inst.save(stem + ".safetensors")
            subprocess.run([dlc, source, *define, "--emit=onnx", "--init", stem + ".safetensors",
                            "-o", stem + ".onnx"], check=True)
            rng = np.random.default_rng(0)
            inputs = {}
            for input_name, info in inst.info.entries["forward"].inputs.items():
                inputs[input_name] = (rng.integers(0, 8, size=info.shape).astype(np.int32)
                                      if info.dtype == np.int32 else
                                      rng.standard_normal(info.shape).astype(np.float32))
            bench_args = argparse.Namespace(steps=args.steps, warmup=args.warmup, threads=args.threads)
            dlc_ms = dl_run_bench(dl_run, stem + ".so", "forward", bench_args)
            _, ort_s = run_ort(stem + ".onnx", inputs, stem + "_ort", threads=args.threads, repeat=args.steps)
            ort_ms = 1e3 * ort_s
            rows.append((label, batch, dlc_ms, ort_ms))
            print(f"{label} B={batch}: dlc {dlc_ms:.4f} ms, ONNX Runtime {ort_ms:.4f} ms", flush=True)

    print()
    print(f"| model | batch | dlc ms | ONNX Runtime ms | ORT / dlc | dlc samples/s | ORT samples/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, batch, dlc_ms, ort_ms in rows:
        print(f"| {label} | {batch} | {dlc_ms:.3f} | {ort_ms:.3f} | {ort_ms / dlc_ms:.2f}x | "
              f"{1e3 * batch / dlc_ms:.0f} | {1e3 * batch / ort_ms:.0f} |")


if __name__ == "__main__":
    main()
