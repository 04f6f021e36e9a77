"""Checks dl-run predict's output: shape, rows that are probability distributions, and accuracy.

usage: check_predictions.py PROBS.npy LABELS.npy MIN_ACCURACY
"""
import sys

import numpy as np

probs, labels, least = np.load(sys.argv[1]), np.load(sys.argv[2]), float(sys.argv[3])
print("shape", probs.shape, probs.dtype)
if probs.shape[0] != labels.shape[0]:
    sys.exit("%d rows of probabilities for %d labels" % (probs.shape[0], labels.shape[0]))
if not np.allclose(probs.sum(axis=1), 1.0, atol=1e-5):
    sys.exit("rows do not sum to 1")
accuracy = float((probs.argmax(axis=1) == labels).mean())
print("accuracy %.4f" % accuracy)
if accuracy < least:
    sys.exit("accuracy below %g" % least)
