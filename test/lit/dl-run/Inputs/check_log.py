"""Checks dl-run train --log files (CSV).

check_log.py LOG --last COLUMN --below V      the last epoch's COLUMN is below V
check_log.py shuffle A B C D                  A and B (same seed) log the same step losses; A's
                                              epochs differ from each other; C (another seed)
                                              differs from A; D (--no-shuffle) repeats its epochs
"""
import csv
import sys


def rows(path, event):
    with open(path) as f:
        return [r for r in csv.DictReader(f) if r["event"] == event]


def step_losses(path):
    by_epoch = {}
    for r in rows(path, "step"):
        by_epoch.setdefault(int(r["epoch"]), []).append(r["loss"])
    return by_epoch


def main():
    if sys.argv[1] == "shuffle":
        a, b, c, d = (step_losses(p) for p in sys.argv[2:6])
        assert a == b, "the same seed must give the same order"
        assert a[1] != a[2], "epochs must be shuffled afresh"
        assert len(a[1]) == len(a[2]), "every epoch takes as many batches"
        assert a != c, "another seed must give another order"
        assert d[1] == d[2], "--no-shuffle must keep the order"
        print("shuffle ok")
        return
    path, column, bound = sys.argv[1], sys.argv[3], float(sys.argv[5])
    last = float(rows(path, "epoch")[-1][column])
    assert last < bound, f"{column} {last} is not below {bound}"
    print(f"{column} below {bound}")


main()
