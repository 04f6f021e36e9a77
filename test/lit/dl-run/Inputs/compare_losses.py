"""Compares dl-run's --losses CSV with the losses `dlc interpret` printed for the same steps.

usage: compare_losses.py LOSSES.csv INTERPRET.txt STEPS

The CSV must have the header step,loss and exactly STEPS rows numbered from 1. Every step the
reference interpreter (double precision) printed must agree with dl-run's float32 loss within a
relative 1e-3. Prints one line per compared step and exits 1 on the first disagreement.
"""
import csv
import sys

losses_csv, interpret_txt, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(losses_csv) as f:
    rows = list(csv.reader(f))
if rows[0] != ["step", "loss"]:
    sys.exit("header is %r, not step,loss" % rows[0])
rows = rows[1:]
if [int(r[0]) for r in rows] != list(range(1, steps + 1)):
    sys.exit("the steps are not 1..%d" % steps)
ours = {int(step): float(loss) for step, loss in rows}
compared = 0
with open(interpret_txt) as f:
    for line in f:
        words = line.split()
        if len(words) == 4 and words[0] == "step" and words[2] == "loss":
            step, reference = int(words[1]), float(words[3])
            error = abs(ours[step] - reference) / max(abs(reference), 1e-12)
            print("step %d dl-run %.9g interpret %.9g relative %.2e" % (step, ours[step], reference, error))
            if error > 1e-3:
                sys.exit("step %d differs" % step)
            compared += 1
if compared == 0:
    sys.exit("no losses in %s" % interpret_txt)
