"""Turns a data set's test split into .npy files, as a user preparing dl-run predict's input would.

usage: read_idx.py FOLDER IMAGES.npy LABELS.npy

Reads FOLDER's IDX files (plain or gzip), scales the test images to [0, 1] and z-scores them with
the mean and standard deviation of the training images, as dl-run --data does; writes the images
as f32 [N, H, W] and the labels as NumPy's default integers (i64).
"""
import gzip
import os
import struct
import sys

import numpy as np


def read(folder, stem):
    path = os.path.join(folder, stem)
    opener = open if os.path.exists(path) else gzip.open
    with opener(path if os.path.exists(path) else path + ".gz", "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data[4 + 4 * rank:], np.uint8).reshape(dims)


folder, images_npy, labels_npy = sys.argv[1:4]
train = read(folder, "train-images-idx3-ubyte").astype(np.float64) / 255
test = read(folder, "t10k-images-idx3-ubyte").astype(np.float64) / 255
np.save(images_npy, ((test - train.mean()) / train.std()).astype(np.float32))
np.save(labels_npy, read(folder, "t10k-labels-idx1-ubyte").astype(np.int64))
