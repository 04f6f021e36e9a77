"""Writes the tables rows.dl trains on into the folder argv[1].

x.csv, y.csv   1000 rows: y = tanh(x w) + noise of standard deviation 0.1 (so an MSE floor of 0.01)
xy.csv         the same with a header line: f0..f7,target
small-*.csv    32 rows of x and labels that are pure noise, to over-fit; val-*.csv 200 more rows
ragged.csv, words.csv, y5.csv   tables that are broken in one place each
"""
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(1)
w = rng.standard_normal((8, 1))
x = rng.standard_normal((1000, 8))
y = np.tanh(x @ w) + 0.1 * rng.standard_normal((1000, 1))
np.savetxt(f"{out}/x.csv", x, delimiter=",")
np.savetxt(f"{out}/y.csv", y, delimiter=",")
header = ",".join([f"f{i}" for i in range(8)] + ["target"])
np.savetxt(f"{out}/xy.csv", np.hstack([x, y]), delimiter=",", header=header, comments="")
np.savetxt(f"{out}/small-x.csv", rng.standard_normal((32, 8)), delimiter=",")
np.savetxt(f"{out}/small-y.csv", rng.standard_normal((32, 1)), delimiter=",")
np.savetxt(f"{out}/val-x.csv", rng.standard_normal((200, 8)), delimiter=",")
np.savetxt(f"{out}/val-y.csv", rng.standard_normal((200, 1)), delimiter=",")
lines = open(f"{out}/x.csv").read().splitlines()
with open(f"{out}/ragged.csv", "w") as f:
    f.write("\n".join(lines[:6] + ["1,2,3"] + lines[7:]) + "\n")
with open(f"{out}/words.csv", "w") as f:
    f.write("\n".join(lines[:11] + ["1,2,abc,4,5,6,7,8"] + lines[12:]) + "\n")
np.savetxt(f"{out}/y5.csv", y[:5], delimiter=",")
