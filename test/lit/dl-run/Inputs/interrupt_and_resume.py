"""Interrupts a dl-run training run part way, resumes it from its checkpoint, and checks that the
resumed run ends with the checkpoint of the run that was never interrupted, byte for byte.

usage: interrupt_and_resume.py DL_RUN FULL.ckpt WORK_PREFIX -- TRAIN-ARGS...

TRAIN-ARGS are `train MODEL.so --data D --epochs N ...` as given to make FULL.ckpt. The run is
sent SIGINT when its first progress line (on stderr) appears, so it stops somewhere in epoch 1 or
later; it must exit 130 after "interrupted at epoch E/N, batch b/n" (or "interrupted after epoch
E/N"). The resumed run trains N - E + 1 epochs (or N - E after a finished epoch): the
interrupted epoch's rest, then the others. Prints where it stopped and "identical".
"""
import re
import signal
import subprocess
import sys


def main():
    dl_run, full, prefix = sys.argv[1:4]
    assert sys.argv[4] == "--"
    args = sys.argv[5:]
    epochs = int(args[args.index("--epochs") + 1])
    part, resumed = prefix + ".part.ckpt", prefix + ".resumed.ckpt"

    run = subprocess.Popen([dl_run] + args + ["--save", part], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    for line in run.stderr:
        if line.startswith("epoch "):
            run.send_signal(signal.SIGINT)
            break
    rest, _ = run.communicate(timeout=600)
    if run.returncode != 130:
        sys.exit(f"the interrupted run exited {run.returncode}, not 130 (it ended before the "
                 f"signal?)\n{rest}")
    stopped = re.search(r"^interrupted at epoch (\d+)/\d+, batch (\d+)/\d+$", rest, re.M)
    finished = re.search(r"^interrupted after epoch (\d+)/\d+$", rest, re.M)
    if stopped:
        remaining = epochs - int(stopped.group(1)) + 1
        print("stopped in an epoch")
    elif finished:
        remaining = epochs - int(finished.group(1))
        print("stopped after an epoch")
    else:
        sys.exit("no 'interrupted at' line in:\n" + rest)

    resume = args[:]
    resume[args.index("--epochs") + 1] = str(remaining)
    out = subprocess.run([dl_run] + resume + ["--init", part, "--save", resumed],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"the resumed run failed:\n{out.stdout}{out.stderr}")
    if not re.search(r"^resuming .* after epoch \d+", out.stdout, re.M):
        sys.exit("the resumed run does not say where it resumes:\n" + out.stdout)
    with open(full, "rb") as a, open(resumed, "rb") as b:
        if a.read() != b.read():
            sys.exit(f"{resumed} differs from {full}")
    print("identical")


if __name__ == "__main__":
    main()
