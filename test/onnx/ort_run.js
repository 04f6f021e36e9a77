// ort_run.js — runs an ONNX model with ONNX Runtime (npm onnxruntime-node, CPU) for the ONNX tests
// and benchmarks: dlc's exports are checked against it, and timed beside it.
//
//   node ort_run.js MODEL.onnx DIR [--threads N] [--repeat N] [--warmup N]
//
// DIR/inputs.json lists the inputs: [{"name", "dtype" ("float32" | "int32" | "bool"), "shape",
// "file"}] with each file raw little-endian data in DIR. Writes each output as DIR/out_<k>.bin and
// DIR/outputs.json ([{"name", "dtype", "shape", "file"}]); with --repeat, runs that many more
// times and prints `ort_seconds_per_run S` (the median). Exit status 77 where onnxruntime-node is
// not installed (scripts/setup.sh installs it).
"use strict";
const fs = require("fs");
const path = require("path");

let ort;
try {
  ort = require("onnxruntime-node");
} catch (e) {
  console.log("skipped: onnxruntime-node is not installed (scripts/setup.sh: npm install --ignore-scripts onnxruntime-node)");
  process.exit(77);
}

const TYPES = {
  float32: [Float32Array, "float32"],
  int32: [Int32Array, "int32"],
  bool: [Uint8Array, "bool"],
};

async function main() {
  const argv = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const [modelPath, dir] = argv;
  const threads = option("--threads", 1);
  const repeat = option("--repeat", 0);
  const warmup = option("--warmup", 3);
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const specs = JSON.parse(fs.readFileSync(path.join(dir, "inputs.json"), "utf8"));
  const feeds = {};
  for (const s of specs) {
    const bytes = fs.readFileSync(path.join(dir, s.file));
    const [Array_, type] = TYPES[s.dtype];
    const data = new Array_(bytes.buffer, bytes.byteOffset, bytes.byteLength / Array_.BYTES_PER_ELEMENT);
    feeds[s.name] = new ort.Tensor(type, s.dtype === "bool" ? Uint8Array.from(data) : Array_.from(data), s.shape);
  }
  const results = await session.run(feeds);
  const outputs = [];
  session.outputNames.forEach((name, k) => {
    const t = results[name];
    const file = `out_${k}.bin`;
    const data = t.data;
    fs.writeFileSync(path.join(dir, file), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    outputs.push({ name, dtype: t.type, shape: t.dims, file });
  });
  fs.writeFileSync(path.join(dir, "outputs.json"), JSON.stringify(outputs));
  if (repeat > 0) {
    for (let i = 0; i < warmup; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < repeat; ++i) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    times.sort((a, b) => a - b);
    console.log(`ort_seconds_per_run ${times[Math.floor(times.length / 2)]}`);
  }
}

main().catch((e) => {
  console.error(`ort_run.js: ${e.message || e}`);
  process.exit(1);
});
