"""20 train steps of every example on the GPU against the CPU library, from the same seed.

usage: parity.py ARTIFACTS [--steps N] [--rtol R] [--only NAME,...] [--dl-run PATH]

ARTIFACTS is the folder bench/gpu/prepare.sh made (its models/ folder at least: NAME.cpu.so,
NAME.cuda.so and NAME.info, the output of `dl-run info`; dl-run is ARTIFACTS/bin/dl-run unless
--dl-run names another). For each example and each of its train entries,
draws inputs for N steps (uniform in [0, 1) for f32 inputs, integers in [0, 10) for i32 ones: a
class or a character id for every example), runs `dl-run train --inputs` on NAME.cpu.so and on
NAME.cuda.so with seed 1, and compares every step's loss and, at the end, every parameter, buffer
and optimizer state tensor: the relative difference |gpu - cpu| / |cpu| of each loss, and
||gpu - cpu|| / ||cpu|| of each tensor, must stay within R (1e-4). Prints one line per run and
exits 1 if any failed.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test",
                                "parity"))
from parity_common import np, read_losses, read_safetensors  # noqa: E402


def train_entries(info_path):
    """{entry: [(input name, dtype, shape)]} of the train entries in `dl-run info` output."""
    entries, entry, section = {}, None, None
    for line in open(info_path):
        header = re.match(r"^  (\S+) \((\w+)\)$", line)
        if header:
            entry = header.group(1) if header.group(2) == "train" else None
            if entry:
                entries[entry] = []
        elif re.match(r"^    (inputs|outputs):", line):
            section = line.split(":")[0].strip()
        elif not line.startswith(" "):
            entry = None
        else:
            tensor = re.match(r"^      (\S+) (f32|i32|bool)\[([0-9, ]*)\]$", line)
            if tensor and entry and section == "inputs":
                shape = [int(d) for d in tensor.group(3).split(",") if d.strip()]
                entries[entry].append((tensor.group(1), tensor.group(2), shape))
    return entries


def write_inputs(inputs, steps, folder, rng):
    files = []
    for name, dtype, shape in inputs:
        if dtype == "i32":
            array = rng.integers(0, 10, size=[steps] + shape).astype(np.int32)
        else:
            array = rng.random([steps] + shape, dtype=np.float32)
        path = os.path.join(folder, name + ".npy")
        np.save(path, array)
        files.append(f"{name}={path}")
    return ",".join(files)


def train(dl_run, model, entry, inputs, steps, folder, tag, env):
    losses = os.path.join(folder, tag + ".csv")
    state = os.path.join(folder, tag + ".safetensors")
    command = [dl_run, "train", model, "--inputs", inputs, "--steps", str(steps), "--losses",
               losses, "--save", state, "--seed", "1", "--step", entry]
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        return None, None, run.stderr.strip() or run.stdout.strip()
    return read_losses(losses), read_safetensors(state)[0], None


def relative(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else float(np.linalg.norm(a - b))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("artifacts")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--only", default="")
    parser.add_argument("--dl-run", default="")
    args = parser.parse_args()
    root = os.path.abspath(args.artifacts)
    dl_run = args.dl_run or os.path.join(root, "bin", "dl-run")
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(root, "lib"))
    names = sorted(f[:-5] for f in os.listdir(os.path.join(root, "models")) if f.endswith(".info"))
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    failures = 0
    rng = np.random.default_rng(0)
    for name in names:
        models = os.path.join(root, "models", name)
        for entry, inputs in train_entries(models + ".info").items():
            with tempfile.TemporaryDirectory() as folder:
                files = write_inputs(inputs, args.steps, folder, rng)
                cpu_losses, cpu_state, cpu_error = train(dl_run, models + ".cpu.so", entry, files,
                                                         args.steps, folder, "cpu", env)
                gpu_losses, gpu_state, gpu_error = train(dl_run, models + ".cuda.so", entry, files,
                                                         args.steps, folder, "gpu", env)
            label = f"{name}/{entry}"
            if cpu_error or gpu_error:
                failures += 1
                print(f"FAIL {label}: {cpu_error or ''} {gpu_error or ''}".strip(), flush=True)
                continue
            loss_error = max(abs(g - c) / max(abs(c), 1e-30)
                             for g, c in zip(gpu_losses, cpu_losses))
            worst_tensor, tensor_error = "", 0.0
            for key, value in cpu_state.items():
                error = relative(gpu_state[key], value)
                if error > tensor_error:
                    worst_tensor, tensor_error = key, error
            ok = (len(gpu_losses) == len(cpu_losses) == args.steps
                  and max(loss_error, tensor_error) <= args.rtol)
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {label}: {args.steps} steps, losses "
                  f"{cpu_losses[0]:.6g} -> {cpu_losses[-1]:.6g}, worst loss rel. diff "
                  f"{loss_error:.2e}, worst state rel. diff {tensor_error:.2e} ({worst_tensor})",
                  flush=True)
    print(f"parity: {failures} failed" if failures else "parity: all runs within %g" % args.rtol)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
