"""Peer for bench_traces: the reference code's SHD loader (EIS-Hub/routing-aware_training,
mosaic/data_utils.py DatasetNumpy: per-sample h5py reads, numpy.digitize against
linspace(0, 1.4, 100), a dense (N, 100, 700) uint8 array, then the stride-6 reduction to 128
channels concatenated over the six offsets). Written here from its description; prints
`peer_seconds S` (wall), `peer_cpu_seconds S` and `peer_checksum N`, the sum of every 97th cell of
every view, which bench_traces computes the same way on its own views."""
import sys
import time

import h5py
import numpy as np


def main(path):
    t0, c0 = time.perf_counter(), time.process_time()
    with h5py.File(path, "r") as f:
        times, units = f["spikes"]["times"], f["spikes"]["units"]
        n = times.shape[0]
        edges = np.linspace(0, 1.4, num=100)
        dense = np.zeros((n, 100, 700), dtype=np.uint8)
        for i in range(n):
            steps = np.digitize(times[i], edges)
            keep = steps < 100  # the reference would raise IndexError on a spike at t >= 1.4 s
            dense[i, steps[keep], units[i][keep]] = 1
    stride = int(np.ceil(700 / 128))
    views = []
    for o in range(stride):
        part = np.take(dense, np.arange(o, 700, stride), axis=2)
        views.append(np.pad(part, [(0, 0), (0, 0), (0, 128 - part.shape[2])]))
    views = np.concatenate(views, axis=0)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    checksum = int(views.reshape(views.shape[0], -1)[:, ::97].sum(dtype=np.int64))
    print(f"peer (h5py {h5py.__version__}, numpy {np.__version__}): {views.shape[0]} views of "
          f"{views.shape[1:]} in {dt:.2f} s")
    print(f"peer_seconds {dt:.4f}")
    print(f"peer_cpu_seconds {dc:.4f}")
    print(f"peer_checksum {checksum}")


if __name__ == "__main__":
    main(sys.argv[1])
