#!/usr/bin/env python3
"""Times one training step of the official PROVIDE code (PyTorch) at the paper preset's sizes,
for `provide bench --reference DIR` (docs/PERFORMANCE.md), which runs it beside our own step.

The step: a clip of B x F frames of 64 x 64, K slots, T refinement steps (the official schedule),
z 64, the official decoder (SBD) and refinement network (RefineNetLSTM) at their own sizes, the
conditional prior and the entropy term on; forward, backward, gradients clipped to norm 5, one Adam
step. Without the ImageNet branch: the frozen SqueezeNet features are 16 zero channels (no
pretrained weights here), so the refinement network's first convolution still takes its 32
input channels. Nothing of the official code is copied: the clone is imported.

Requires Debian's python3-torch (apt-get install python3-torch); run with /usr/bin/python3:

  /usr/bin/python3 tools/bench/reference_step.py --clone /path/to/PROVIDE --threads 2

Prints one JSON line: {"median_s": ..., "min_s": ..., "steps": [...], "threads": ..., "torch": ...}.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import types

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
import make_reference as ref  # noqa: E402  (the clone's import, with stand-ins for visdom and moviepy)

IMAGE, LATENT, REFINE_INPUTS = 64, 64, 32


class ZeroFeatures(torch.nn.Module):
    """The 16 SqueezeNet channels the official refinement inputs append, as zeros."""

    def forward(self, x):
        return torch.zeros(x.shape[0], 16, IMAGE, IMAGE, dtype=x.dtype)


def profile_step(model, optimizer, video):
    """Traces one training step and prints its ops grouped by type and input shape (stderr)."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        optimizer.zero_grad()
        out = model(video, video)
        out[0].mean().backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
    rows = prof.key_averages(group_by_input_shape=True)
    total = sum(r.self_cpu_time_total for r in rows)
    rows = sorted(rows, key=lambda r: -r.self_cpu_time_total)
    print("op\tcalls\tself_ms\tshare\tinput_shapes", file=sys.stderr)
    for r in rows[:40]:
        print("%s\t%d\t%.1f\t%.3f\t%s" % (r.key, r.count, r.self_cpu_time_total / 1e3,
                                         r.self_cpu_time_total / total, r.input_shapes), file=sys.stderr)
    print("total self CPU ms\t%.1f" % (total / 1e3), file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clone", required=True, help="a clone of https://github.com/BorealisAI/PROVIDE")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--frames", type=int, default=4)
    p.add_argument("--slots", type=int, default=5)
    p.add_argument("--steps-of-inference", type=int, default=6, dest="t")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--profile", action="store_true",
                   help="after the timed steps, trace one more step with torch.profiler and print, per op type and "
                        "input shape, the calls and self CPU time, most expensive first (top 40); to stderr")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model_module, refine_net, sbd, _ = ref.import_official(a.clone)
    with tempfile.TemporaryDirectory() as work:
        opt = types.SimpleNamespace(save_path=work + "/", model_name="bench", cond_prior=True, use_entropy=True,
                                    additional_input=False, predict_frames=0, isTrain=True, no_scores=True)
        decoder = sbd.SBD(LATENT, (IMAGE, IMAGE), out_channels=4, cond=True)
        refine = refine_net.RefineNetLSTM(LATENT, REFINE_INPUTS)
        hook = sys.excepthook
        model = model_module.Model(opt, refine, decoder, a.t, a.slots, LATENT, beta=100.0, gamma=0.1, psi=10.0,
                                   feature_extractor=torch.nn.Sequential())
        sys.excepthook = hook  # the Model installs a post-mortem debugger hook
        model.feature_extractor = ZeroFeatures()
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
        video = torch.rand(a.batch, a.frames, 3, IMAGE, IMAGE)
        times = []
        for i in range(a.warmup + a.runs):
            start = time.perf_counter()
            optimizer.zero_grad()
            out = model(video, video)
            out[0].mean().backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            if i >= a.warmup:
                times.append(time.perf_counter() - start)
        if a.profile:
            profile_step(model, optimizer, video)
        times.sort()
        median = times[len(times) // 2] if len(times) % 2 else (times[len(times) // 2 - 1] + times[len(times) // 2]) / 2
        print(json.dumps({"median_s": median, "min_s": times[0], "steps": times, "threads": a.threads,
                          "torch": torch.__version__, "batch": a.batch, "frames": a.frames, "slots": a.slots, "t": a.t}))


if __name__ == "__main__":
    main()
