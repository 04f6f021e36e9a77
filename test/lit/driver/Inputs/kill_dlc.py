"""Starts dlc building SOURCE into a library, with TMPDIR set to a fresh folder; once dlc has
written its first object into its scratch folder (dlc-XXXXXX), sends SIGTERM, then prints how dlc
ended and what is left in the temporary folder and in the output's folder.

usage: kill_dlc.py DLC SOURCE WORKDIR
"""
import os
import shutil
import signal
import subprocess
import sys
import time

dlc, source, workdir = sys.argv[1:4]
shutil.rmtree(workdir, ignore_errors=True)
tmp, out = os.path.join(workdir, "tmp"), os.path.join(workdir, "out")
os.makedirs(tmp)
os.makedirs(out)

process = subprocess.Popen([dlc, source, "-o", os.path.join(out, "model.so")],
                           env=dict(os.environ, TMPDIR=tmp))


def scratch_files():
    folders = [os.path.join(tmp, d) for d in os.listdir(tmp) if d.startswith("dlc-")]
    return [f for d in folders if os.path.isdir(d) for f in os.listdir(d)]


deadline = time.monotonic() + 600
while not scratch_files():
    if process.poll() is not None:
        sys.exit("dlc ended (status %d) before it wrote into its scratch folder" % process.returncode)
    if time.monotonic() > deadline:
        process.kill()
        sys.exit("dlc wrote no scratch file in 600 s")
    time.sleep(0.001)
print("scratch folders before:", len([d for d in os.listdir(tmp) if d.startswith("dlc-")]))
process.send_signal(signal.SIGTERM)
print("status", process.wait())
print("left in TMPDIR:", sorted(os.listdir(tmp)))
print("left beside the output:", sorted(os.listdir(out)))
