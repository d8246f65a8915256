#!/usr/bin/env python3
"""Training A/B, the official side (docs/PARITY.md): trains the official PROVIDE code, shrunk to
the cpu preset's scale, on this project's clip files, and writes a validation curve in the same
form as `provide train`'s metrics.csv (step,wall_time,tag,value).

The official code hard-codes 64 x 64 in Model (layer norms, coordinate grids, the feature
broadcast). For 32 x 32 this script loads the clone's src/model.py with each "64,64" read as
"32,32" (the sizes made a parameter, at run time, in memory; nothing of the code is stored here),
and swaps the decoder's and refinement network's convolution stacks for the small ones below, as
make_reference.py does. Stride-2 convolutions are padded as TensorFlow's SAME (one row and column
at the bottom and right), so the two sides compute the same function.

The recipe (docs/PARITY.md, "Training A/B"): 32 x 32, K 5, R 4 (4, 3, 2, 2), z 32, 2D-LSTM
128, decoder of three 1x1 convolutions with 32 filters, refinement network of two stride-2 3x3
convolutions with 32 filters, batch 4 windows of 4 frames, Adam lr 5e-4 clipped at 5, KL weight
ramped 0 -> 2.5 over 3000 steps, entropy weight 0.1, pixel variance 0.3, no feature extractor.

  /usr/bin/python3 tools/parity/train_reference.py --clone PROVIDE --data train.tfrecord \
      --val val.tfrecord --out runs/official --minutes 80 --threads 1
"""

import argparse
import csv
import gzip
import importlib.util
import os
import struct
import sys
import tempfile
import time
import types

import numpy as np
import torch

import make_reference as ref

SIZE, SLOTS, LATENT, STEPS, FILTERS, DENSE = 32, 5, 32, 4, 32, 128


# ------------------------------------------------------------------------------------- data
def records(path):
    """The records of a TFRecord file (plain or GZIP): length, CRC, data, CRC."""
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        while True:
            head = f.read(12)
            if len(head) < 12:
                return
            (n,) = struct.unpack("<Q", head[:8])
            data = f.read(n)
            f.read(4)
            yield data


def varint(b, i):
    shift = value = 0
    while True:
        byte = b[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def fields(b):
    """(field number, wire type, value) of a protobuf message; length-delimited values as bytes."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            value, i = b[i:i + n], i + n
        elif wire == 5:
            value, i = b[i:i + 4], i + 4
        elif wire == 1:
            value, i = b[i:i + 8], i + 8
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield number, wire, value


def example(data):
    """A tf.train.Example as {name: bytes or [int]} (bytes_list = 1, int64_list = 3)."""
    out = {}
    for _, _, features in fields(data):  # Example.features = 1
        for _, _, entry in fields(features):  # Features.feature map entries
            name, feature = None, None
            for number, _, value in fields(entry):
                if number == 1:
                    name = value.decode()
                else:
                    feature = value
            for kind, _, lst in fields(feature):
                if kind == 1:
                    out[name] = next(v for n, _, v in fields(lst) if n == 1)
                elif kind == 3:
                    ints = []
                    for n, wire, v in fields(lst):
                        if wire == 2:
                            j = 0
                            while j < len(v):
                                x, j = varint(v, j)
                                ints.append(x)
                        else:
                            ints.append(v)
                    out[name] = ints
    return out


def clips(path, limit):
    """(frames [F, H, W, 3] float in [0, 1], ids [F, H, W]) of every clip."""
    out = []
    for data in records(path):
        e = example(data)
        f, h, w, c = (e[k][0] for k in ("num_frames", "height", "width", "channels"))
        frames = np.frombuffer(e["frames"], np.uint8).reshape(f, h, w, c).astype(np.float32) / 255.0
        if c == 1:
            frames = np.repeat(frames, 3, axis=3)
        out.append((frames, np.frombuffer(e["ids"], np.uint8).reshape(f, h, w)))
        if len(out) == limit:
            break
    return out


# ------------------------------------------------------------------------------------- metrics
def ari(truth, predicted):
    """Adjusted Rand index of two labelings (0/0 counts as 1, as this project's metric)."""
    if truth.size == 0:
        return 1.0
    _, t = np.unique(truth, return_inverse=True)
    _, p = np.unique(predicted, return_inverse=True)
    table = np.zeros((t.max() + 1, p.max() + 1))
    np.add.at(table, (t, p), 1)
    comb = lambda x: (x * (x - 1) / 2).sum()
    index, a, b = comb(table), comb(table.sum(1)), comb(table.sum(0))
    expected = a * b / comb(np.array([truth.size]))
    top = (a + b) / 2 - expected
    return 1.0 if top == 0 else (index - expected) / top


# ------------------------------------------------------------------------------------- model
def import_resized_model(clone, size):
    """The clone's src.model with every "64,64" read as "size,size"."""
    ref.import_official(clone)
    path = os.path.join(clone, "src", "model.py")
    text = open(path).read().replace("64,64", "%d,%d" % (size, size))
    spec = importlib.util.spec_from_loader("src.model", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "src"
    module.__file__ = path
    sys.modules["src.model"] = module
    exec(compile(text, path, "exec"), module.__dict__)
    return module


def same_conv(cin, cout, stride):
    """A 3x3 convolution padded as TensorFlow's SAME."""
    if stride == 1:
        return [torch.nn.Conv2d(cin, cout, 3, stride=1, padding=1)]
    return [torch.nn.ZeroPad2d((0, 1, 0, 1)), torch.nn.Conv2d(cin, cout, 3, stride=stride, padding=0)]


class Zeros(torch.nn.Module):
    def forward(self, x):
        return torch.zeros(x.shape[0], 16, SIZE, SIZE, dtype=x.dtype)


def build(clone, workdir):
    model_module = import_resized_model(clone, SIZE)
    from src.networks import lstm2d_cell, refine_net, sbd
    opt = types.SimpleNamespace(save_path=workdir + "/", model_name="ab", cond_prior=True, use_entropy=True,
                                additional_input=False, predict_frames=0, isTrain=True, no_scores=True)
    decoder = sbd.SBD(LATENT, (SIZE, SIZE), out_channels=4, cond=True)
    layers, cin = [], LATENT + 2
    for _ in range(3):
        layers += [torch.nn.Conv2d(cin, FILTERS, 1), torch.nn.ELU()]
        cin = FILTERS
    decoder.conv_layer = torch.nn.Sequential(*layers, torch.nn.Conv2d(FILTERS, 4, 1))
    refine = refine_net.RefineNetLSTM(LATENT, 32)
    refine.convnet.model = torch.nn.Sequential(
        ref.FirstChannels(16), *same_conv(16, FILTERS, 2), torch.nn.ELU(), *same_conv(FILTERS, FILTERS, 2), torch.nn.ELU())
    refine.fc_in = torch.nn.Sequential(torch.nn.Linear(FILTERS * (SIZE // 4) ** 2, DENSE), torch.nn.ELU())
    refine.lstm = lstm2d_cell.LSTM2dCell(DENSE + 4 * LATENT, 128)
    hook = sys.excepthook
    model = model_module.Model(opt, refine, decoder, STEPS, SLOTS, LATENT, beta=100.0, gamma=0.1, psi=0.0,
                               feature_extractor=torch.nn.Sequential())
    sys.excepthook = hook
    model.feature_extractor = Zeros()
    return model


def glorot(model):
    """This project's initialisation instead of PyTorch's default: Glorot-uniform weights, zero
    biases, the 2D-LSTM forget-gate bias 1 (on one of its three biases, so their sum is 1)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
                torch.nn.init.xavier_uniform_(m.weight)
                torch.nn.init.zeros_(m.bias)
        h = model.refine_net.lstm.h_dim
        model.refine_net.lstm.W_x.bias[h:2 * h] = 1.0


def validate(model, val, frames):
    scores_ari, scores_fari = [], []
    for start in range(0, len(val), 8):
        chunk = val[start:start + 8]
        x = torch.from_numpy(np.stack([c[0][:frames] for c in chunk])).permute(0, 1, 4, 2, 3).contiguous()
        out = model.forward(x, x)
        masks = out[5].detach().numpy()[:, :, :, 0]  # [N, F, K, H, W]
        seg = masks.argmax(axis=2)
        for n, c in enumerate(chunk):
            for f in range(frames):
                truth, pred = c[1][f].reshape(-1), seg[n, f].reshape(-1)
                scores_ari.append(ari(truth, pred))
                fg = truth != 0
                scores_fari.append(ari(truth[fg], pred[fg]))
    return float(np.mean(scores_ari)), float(np.mean(scores_fari))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clone", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--val", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=60)
    p.add_argument("--steps", type=int, default=100000)
    p.add_argument("--limit", type=int, default=2000)
    p.add_argument("--val-count", type=int, default=32)
    p.add_argument("--validate-every", type=int, default=250)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--init", choices=["torch", "glorot"], default="torch",
                   help="PyTorch's default initialisation (the official code's) or this project's (Glorot)")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    train = clips(args.data, args.limit)
    val = clips(args.val, args.val_count)
    with tempfile.TemporaryDirectory() as workdir:
        model = build(args.clone, workdir)
    if args.init == "glorot":
        glorot(model)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
    os.makedirs(args.out, exist_ok=True)
    out = open(os.path.join(args.out, "metrics.csv"), "w", newline="")
    writer = csv.writer(out)
    writer.writerow(["step", "wall_time", "tag", "value"])
    began, step = time.time(), 0
    while step < args.steps and time.time() - began < 60 * args.minutes:
        batch = []
        for i in rng.integers(0, len(train), size=4):
            frames = train[i][0]
            s = rng.integers(0, frames.shape[0] - 4 + 1)
            batch.append(frames[s:s + 4])
        x = torch.from_numpy(np.stack(batch)).permute(0, 1, 4, 2, 3).contiguous()
        model.psi = 2.5 * min(1.0, step / 3000.0)
        loss = model.forward(x, x)[0].mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        step += 1
        if step % 50 == 0:
            writer.writerow([step, round(time.time() - began, 1), "loss", loss.item()])
        if step % args.validate_every == 0:
            a, f = validate(model, val, 4)
            writer.writerow([step, round(time.time() - began, 1), "validation/ari", a])
            writer.writerow([step, round(time.time() - began, 1), "validation/f_ari", f])
            out.flush()
            print("step %d (%.0f s): loss %.1f, validation ARI %.4f, F-ARI %.4f" % (step, time.time() - began, loss.item(), a, f),
                  flush=True)
    a, f = validate(model, val, 4)
    writer.writerow([step, round(time.time() - began, 1), "validation/ari", a])
    writer.writerow([step, round(time.time() - began, 1), "validation/f_ari", f])
    out.close()
    print("done: %d steps in %.0f s, validation ARI %.4f, F-ARI %.4f" % (step, time.time() - began, a, f))


if __name__ == "__main__":
    main()
