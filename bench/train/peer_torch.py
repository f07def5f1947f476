#!/usr/bin/env python3
"""PyTorch peer of bench_train: the same Mosaic RSNN, one epoch of BPTT + Adam on CPU.

Reads the network (dense W_in, W_rec and their masks) and the binned dataset that bench_train wrote,
trains one epoch with the same batch, thread count, surrogate, loss and optimiser, and prints one line:
  samples_per_s <x> cpu_s <CPU seconds> rate <spikes/neuron/step> peak_mb <MB> blas <libraries loaded>
"""
import argparse
import resource
import struct
import time

import numpy as np
import torch


class Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v, thr):
        ctx.save_for_backward(v)
        ctx.thr = thr
        return (v > thr).float()

    @staticmethod
    def backward(ctx, g):
        (v,) = ctx.saved_tensors
        return g / (10 * (v - ctx.thr).abs() + 1) ** 2, None


def blas_loaded():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if "blas" in p or "lapack" in p:
                libs.add(p)
    return ",".join(sorted(libs)) or "none found"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lambda-fr", type=float, default=10.0)
    ap.add_argument("--target", type=float, default=5.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--clip", type=float, default=1.0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(a.data, "rb") as f:
        n, T, C, N, k, classes = struct.unpack("6i", f.read(24))
        alpha, thr = struct.unpack("2f", f.read(8))
        x = np.frombuffer(f.read(n * T * C), dtype=np.uint8).reshape(n, T, C)
        labels = np.frombuffer(f.read(4 * n), dtype=np.int32)
        w_in = np.frombuffer(f.read(4 * C * N), dtype=np.float32).reshape(C, N)
        m_in = np.frombuffer(f.read(4 * C * N), dtype=np.float32).reshape(C, N)
        w_rec = np.frombuffer(f.read(4 * N * N), dtype=np.float32).reshape(N, N)
        m_rec = np.frombuffer(f.read(4 * N * N), dtype=np.float32).reshape(N, N)
    x = torch.from_numpy(x.astype(np.float32))
    labels = torch.from_numpy(labels.astype(np.int64))
    W_in = torch.tensor(w_in, requires_grad=True)
    W_rec = torch.tensor(w_rec, requires_grad=True)
    M_in, M_rec = torch.tensor(m_in), torch.tensor(m_rec)
    opt = torch.optim.Adam([W_in, W_rec], lr=a.lr)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    zs_total = 0.0
    t0, c0 = time.perf_counter(), time.process_time()
    for s in range(0, n, a.batch):
        idx = perm[s : s + a.batch]
        xb, yb = x[idx], labels[idx]
        B = xb.shape[0]
        win, wrec = W_in * M_in, W_rec * M_rec  # inactive weights stay zero, their gradients too
        v = torch.zeros(B, N)
        z = torch.zeros(B, N)
        counts = torch.zeros(B, classes)
        zsum = torch.zeros(())
        for t in range(T):
            v = alpha * v + xb[:, t] @ win + z @ wrec - thr * z
            z = Spike.apply(v, thr)
            counts = counts + z[:, N - classes :]
            zsum = zsum + z.sum()
        logp = torch.log_softmax(counts, dim=1)
        rate = zsum / (B * T * N)
        loss = torch.nn.functional.nll_loss(logp, yb) + a.lambda_fr * (a.target - 10 * rate) ** 2
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([W_in, W_rec], a.clip)
        opt.step()
        zs_total += float(zsum)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"samples_per_s {n / dt:.2f} cpu_s {cpu:.3f} rate {zs_total / (n * T * N):.4f} peak_mb {peak:.0f} "
          f"blas {blas_loaded()}")


if __name__ == "__main__":
    main()
