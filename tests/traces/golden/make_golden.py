"""Writes the golden SHD-layout files read by test_traces_golden, the way a Python user (and the SHD
authors) would write them: h5py ragged float16/uint16 datasets, numpy fixed-length byte-string keys
in one file and h5py variable-length str keys (UTF-8) in the other, gzip'd like the official
downloads. Run once by hand (/usr/bin/python3 make_golden.py); the outputs are committed, nothing
runs this at build or test time.

Content: 3 samples; sample i has spikes at times (i + 1) * [0.125, 0.25, 0.5] seconds on units
[i, 350 + i, 699]; labels [0, 1, 2]; speakers [4, 4, 7]; class names zero, one, two."""
import gzip
import shutil

import h5py
import numpy as np


def write(path, vlen_keys):
    with h5py.File(path, "w") as f:
        times = f.create_dataset("spikes/times", (3,), dtype=h5py.vlen_dtype(np.float16))
        units = f.create_dataset("spikes/units", (3,), dtype=h5py.vlen_dtype(np.uint16))
        for i in range(3):
            times[i] = (i + 1) * np.array([0.125, 0.25, 0.5], dtype=np.float16)
            units[i] = np.array([i, 350 + i, 699], dtype=np.uint16)
        f["labels"] = np.array([0, 1, 2], dtype=np.uint16)
        f["extra/speaker"] = np.array([4, 4, 7], dtype=np.uint16)
        names = ["zero", "one", "two"]
        if vlen_keys:
            f.create_dataset("extra/keys", data=names, dtype=h5py.string_dtype())
        else:
            f["extra/keys"] = np.array(names, dtype="S")
        f["extra/meta_info/age"] = np.array([30, 41], dtype=np.uint8)


write("shd_h5py_fixed_keys.h5", False)
write("shd_h5py_vlen_keys.h5", True)
with open("shd_h5py_vlen_keys.h5", "rb") as src, gzip.open("shd_h5py_vlen_keys.h5.gz", "wb") as dst:
    shutil.copyfileobj(src, dst)
