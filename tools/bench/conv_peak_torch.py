#!/usr/bin/python3
"""PyTorch's rate on the convolution `provide bench --cases conv-peak` times: one 3x3 convolution
of the paper preset's decoder (10 images of 64 x 64 x 64, 64 filters), forward and both gradients
(input and filter), median of several runs after warm-up, in GFLOP/s (2 per multiply-add).

    /usr/bin/python3 tools/bench/conv_peak_torch.py [threads] [runs]
"""
import statistics
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(threads)
n, size, channels, k = 10, 64, 64, 3
x = torch.randn(n, channels, size, size, requires_grad=True)
conv = torch.nn.Conv2d(channels, channels, k, padding=k // 2)
flops = 3 * 2.0 * n * size * size * k * k * channels * channels  # forward, input gradient, filter gradient
times = []
for i in range(2 + runs):
    t0 = time.perf_counter()
    y = conv(x)
    (y * y).sum().backward()
    times.append(time.perf_counter() - t0)
    x.grad = None
    conv.zero_grad()
median = statistics.median(times[2:])
print('{"case": "conv-peak-torch", "torch": "%s", "threads": %d, "median_s_per_step": %.6f, '
      '"conv_gflop_per_step": %.4f, "conv_gflop_per_s": %.2f}' % (torch.__version__, threads, median, flops / 1e9, flops / 1e9 / median))
