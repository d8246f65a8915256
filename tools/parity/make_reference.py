#!/usr/bin/env python3
"""Reference data for the parity test (docs/PARITY.md).

Runs the official PROVIDE code (PyTorch; a clone of BorealisAI/PROVIDE whose path is given with
--clone) on a fixed small configuration, fixed weights, a fixed 3-frame clip and fixed noise, and
writes what it computes to testdata/parity/ in this project's tensor layout:

  reference.npz   every array (float32), named as listed in index.json
  index.json      the configuration (in ModelConfig's JSON form), the array names, shapes and the
                  tolerances the Java test applies

Nothing of the official code is copied here: the script imports the clone, builds its Model,
RefineNetLSTM, SBD and LSTM2dCell classes, swaps a few of their sub-modules for smaller ones of the
same kind (the official sizes are hard-coded), replaces torch.randn_like by a queue of saved noise
while the forward pass runs, and reads the forward pass's intermediate values with a trace
function (sys.settrace) at two lines of Model.forward that it finds by their text. The layout
conversions (PyTorch to this project) are all in the CONVERSIONS section below, and the same list
is in docs/PARITY.md.

Requires Debian's python3-torch and python3-numpy (apt-get install python3-torch); run with
/usr/bin/python3:

  /usr/bin/python3 tools/parity/make_reference.py --clone /path/to/PROVIDE --out testdata/parity
"""

import argparse
import inspect
import json
import os
import sys
import tempfile
import types

import numpy as np
import torch

# ---------------------------------------------------------------------------------------------
# The configuration. 64 x 64 because the official code hard-codes 64 x 64 in its layer norms,
# coordinate grids and feature-extractor broadcast; everything else is as small as it can be
# while every part of the model still runs.
# ---------------------------------------------------------------------------------------------
IMAGE = 64
SLOTS = 3
LATENT = 8  # z_dim; also the width of the decoder's MLP (the official pre_mlp is z_dim wide)
LSTM = 128  # hard-coded by the official prior, h0 buffer and decoder MLP input
STEPS = 3  # T: schedule 3, 2, 2
FRAMES = 3
BATCH = 2
DECODER_FILTERS = 8  # one hidden 3x3 convolution, then the 3x3 output convolution
REFINE_FILTERS = 8  # one 3x3 stride-1 convolution, then 4x4 average pooling (as the official)
REFINE_POOL = 4
REFINE_DENSE = 32
VAR_X = 0.3  # the official pixel variance (a variance, not a standard deviation)
BETA, PSI, GAMMA = 100.0, 10.0, 0.1
LEARNING_RATE = 5e-4
CLIP_NORM = 5.0
IMAGE_CHANNELS = 16  # the refinement network's image inputs without the feature extractor


def our_config():
    """The ModelConfig (JSON form) that reproduces the official model above."""
    return {
        "mode": "PROVIDE",
        "imageSize": IMAGE,
        "slots": SLOTS,
        "latentSize": LATENT,
        "lstmSize": LSTM,
        "refinementSteps": STEPS,
        "scheduleFloor": 2,
        "decoder": {"mlpWidth": LATENT, "convs": 1, "filters": DECODER_FILTERS, "kernel": 3, "outputKernel": 3},
        "refinement": {"convs": 1, "filters": REFINE_FILTERS, "kernel": 3, "stride": 1, "pool": REFINE_POOL,
                       "dense": REFINE_DENSE, "leaveOneOut": False},
        "sigma": float(np.sqrt(VAR_X)),
        "likelihood": "PER_CHANNEL",
        "loss": {"nll": BETA, "kl": PSI, "entropy": GAMMA},
        "temporal": {"temporalState": True, "conditionalPrior": True, "decoderConditioning": True,
                     "decreasingSchedule": True, "carryPosterior": False},
        "reference": {"priorLogVariance": True, "posteriorFromLikelihoods": True, "reuseFirstSample": True,
                      "gradientOfMasks": True, "firstFrameSkipsLastUpdate": True,
                      "pytorchInitialisation": True},
        "seed": 1,
    }


# ---------------------------------------------------------------------------------------------
# Loading the official code
# ---------------------------------------------------------------------------------------------
def import_official(clone):
    """Imports the clone's modules. Its utilities import visdom and moviepy, which the training
    forward pass never uses: empty stand-ins keep the import working without them."""
    for name in ("visdom", "moviepy"):
        sys.modules.setdefault(name, types.ModuleType(name))
    editor = types.ModuleType("moviepy.editor")
    editor.ImageSequenceClip = None
    sys.modules.setdefault("moviepy.editor", editor)
    sys.path.insert(0, os.path.abspath(clone))
    from src import model as model_module  # noqa: E402
    from src.networks import lstm2d_cell, refine_net, sbd  # noqa: E402
    return model_module, refine_net, sbd, lstm2d_cell


class FirstChannels(torch.nn.Module):
    """Keeps the first n channels: drops the feature-extractor channels the official forward pass
    always appends to the refinement inputs (we run without the ImageNet branch)."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def forward(self, x):
        return x[:, : self.n]


class ZeroFeatures(torch.nn.Module):
    """Stands in for the frozen SqueezeNet branch (no pretrained weights here): 16 zero channels
    at the official 64 x 64, which FirstChannels drops again."""

    def forward(self, x):
        return torch.zeros(x.shape[0], 16, IMAGE, IMAGE, dtype=x.dtype)


def build_official(modules, workdir):
    model_module, refine_net, sbd, lstm2d_cell = modules
    opt = types.SimpleNamespace(
        save_path=workdir + "/", model_name="parity", cond_prior=True, use_entropy=True,
        additional_input=False, predict_frames=0, isTrain=True, no_scores=True)
    decoder = sbd.SBD(LATENT, (IMAGE, IMAGE), out_channels=4, cond=True)
    decoder.conv_layer = torch.nn.Sequential(
        torch.nn.Conv2d(LATENT + 2, DECODER_FILTERS, kernel_size=3, stride=1, padding=1),
        torch.nn.ELU(),
        torch.nn.Conv2d(DECODER_FILTERS, 4, kernel_size=3, stride=1, padding=1))
    refine = refine_net.RefineNetLSTM(LATENT, IMAGE_CHANNELS + 16)
    refine.convnet.model = torch.nn.Sequential(
        FirstChannels(IMAGE_CHANNELS),
        torch.nn.Conv2d(IMAGE_CHANNELS, REFINE_FILTERS, kernel_size=3, stride=1, padding=1),
        torch.nn.ELU(),
        torch.nn.AvgPool2d(REFINE_POOL))
    side = IMAGE // REFINE_POOL
    refine.fc_in = torch.nn.Sequential(torch.nn.Linear(REFINE_FILTERS * side * side, REFINE_DENSE), torch.nn.ELU())
    refine.lstm = lstm2d_cell.LSTM2dCell(REFINE_DENSE + 4 * LATENT, LSTM)
    hook = sys.excepthook
    model = model_module.Model(opt, refine, decoder, STEPS, SLOTS, LATENT, beta=BETA, gamma=GAMMA, psi=PSI,
                               feature_extractor=torch.nn.Sequential())
    sys.excepthook = hook  # the Model installs a post-mortem debugger hook
    model.feature_extractor = ZeroFeatures()
    return model


# ---------------------------------------------------------------------------------------------
# CONVERSIONS: PyTorch layouts to this project's (documented in docs/PARITY.md)
# ---------------------------------------------------------------------------------------------
def linear(w):
    """nn.Linear weight [out, in] -> Dense kernel [in, out]."""
    return w.T


def conv(w):
    """nn.Conv2d weight [out, in, kh, kw] (OIHW) -> Conv2d kernel [kh, kw, in, out] (HWIO)."""
    return w.permute(2, 3, 1, 0)


def decoder_input_order():
    """The official broadcast is [row coordinate, column coordinate, z]; ours is [z, column
    coordinate, row coordinate]: our input channel j is the official channel order[j]."""
    return list(range(2, 2 + LATENT)) + [1, 0]


def refinement_input_order():
    """The official image inputs end with (row coordinate, column coordinate), ours with (column,
    row); every other channel is in the same place."""
    return list(range(14)) + [15, 14]


def fc_in(w):
    """The dense layer after pooling: the official flattens [F, S, S] (channels first), ours
    [S, S, F]. [dense, F*S*S] -> [S*S*F, dense]."""
    side = IMAGE // REFINE_POOL
    w = w.reshape(REFINE_DENSE, REFINE_FILTERS, side, side).permute(0, 2, 3, 1)
    return w.reshape(REFINE_DENSE, -1).T


def lstm_input(w):
    """The official 2D-LSTM input is [vector inputs (4D) ; conv features (dense)], ours [conv
    features ; vector inputs]; gate blocks (i, f, o, g, c~) are in the same order.
    [5L, 4D + dense] -> [dense + 4D, 5L]."""
    v = 4 * LATENT
    return torch.cat([w[:, v:], w[:, :v]], dim=1).T


def to_ours(named):
    """Official parameters (name -> tensor) -> ours (variable name -> array)."""
    p = named
    ours = {
        "model/lambda0": p["lmbda0"].reshape(-1),
        "model/prior/hidden/kernel": linear(p["prior.0.weight"]),
        "model/prior/hidden/bias": p["prior.0.bias"],
        "model/prior/mean/kernel": linear(p["prior_mean.weight"]),
        "model/prior/mean/bias": p["prior_mean.bias"],
        "model/prior/variance/kernel": linear(p["prior_var.0.weight"]),
        "model/prior/variance/bias": p["prior_var.0.bias"],
        "model/decoder/mlp1/kernel": linear(p["decoder.pre_mlp.0.weight"]),
        "model/decoder/mlp1/bias": p["decoder.pre_mlp.0.bias"],
        "model/decoder/mlp2/kernel": linear(p["decoder.pre_mlp.2.weight"]),
        "model/decoder/mlp2/bias": p["decoder.pre_mlp.2.bias"],
        "model/decoder/conv0/kernel": conv(p["decoder.conv_layer.0.weight"][:, decoder_input_order()]),
        "model/decoder/conv0/bias": p["decoder.conv_layer.0.bias"],
        "model/decoder/output/kernel": conv(p["decoder.conv_layer.2.weight"]),
        "model/decoder/output/bias": p["decoder.conv_layer.2.bias"],
        "model/refinement/conv0/kernel": conv(p["refine_net.convnet.model.1.weight"][:, refinement_input_order()]),
        "model/refinement/conv0/bias": p["refine_net.convnet.model.1.bias"],
        "model/refinement/dense/kernel": fc_in(p["refine_net.fc_in.0.weight"]),
        "model/refinement/dense/bias": p["refine_net.fc_in.0.bias"],
        "model/refinement/lstm/input": lstm_input(p["refine_net.lstm.W_x.weight"]),
        "model/refinement/lstm/temporal": linear(p["refine_net.lstm.W_hor.weight"]),
        "model/refinement/lstm/refinement": linear(p["refine_net.lstm.W_ver.weight"]),
        # Three biases (one per nn.Linear) are one in our cell: their sum.
        "model/refinement/lstm/bias": p["refine_net.lstm.W_x.bias"] + p["refine_net.lstm.W_hor.bias"]
        + p["refine_net.lstm.W_ver.bias"],
        "model/refinement/output/kernel": linear(p["refine_net.fc_out.weight"]),
        "model/refinement/output/bias": p["refine_net.fc_out.bias"],
    }
    return ours


def gradients_to_ours(grads):
    """Parameter gradients -> ours. The one difference from to_ours: our single LSTM bias has the
    gradient that each of the three official biases has (they all get the same one)."""
    ours = to_ours(grads)
    ours["model/refinement/lstm/bias"] = grads["refine_net.lstm.W_x.bias"]
    return ours


def image_nhwc(t):
    """[N, K, C, H, W] -> [N, K, H, W, C]."""
    return t.permute(0, 1, 3, 4, 2)


def refinement_image(t):
    """Refinement image inputs [N*K, 16 (+16 feature channels), H, W] -> ours [N*K, H, W, 16]."""
    return t[:, :IMAGE_CHANNELS][:, refinement_input_order()].permute(0, 2, 3, 1)


# ---------------------------------------------------------------------------------------------
# Inputs and noise
# ---------------------------------------------------------------------------------------------
def clip(rng):
    """BATCH clips of FRAMES binary frames with three balls moving in straight lines, [B, F, H, W, 3]."""
    video = np.zeros((BATCH, FRAMES, IMAGE, IMAGE, 3), np.float64)
    rows, cols = np.mgrid[0:IMAGE, 0:IMAGE]
    for b in range(BATCH):
        for _ in range(3):
            radius = rng.uniform(5, 9)
            pos = rng.uniform(radius, IMAGE - radius, size=2)
            vel = rng.uniform(-3, 3, size=2)
            for f in range(FRAMES):
                y, x = pos + f * vel
                video[b, f][(rows - y) ** 2 + (cols - x) ** 2 <= radius ** 2] = 1.0
    return video


def schedule():
    return [max(2, STEPS - f) for f in range(FRAMES)]


def noise(gen):
    """The draws the forward pass makes, in its order: one first sample from lambda_0 (reused as
    every frame's first step), then one per later step of every frame, then one after the loop
    (the returned sample, not used by the loss)."""
    n = BATCH * SLOTS
    first = torch.randn(n, LATENT, generator=gen, dtype=torch.float64)
    steps = {}
    for f, steps_f in enumerate(schedule()):
        for it in range(1, steps_f):
            steps[(f, it)] = torch.randn(n, LATENT, generator=gen, dtype=torch.float64)
    return first, steps


# ---------------------------------------------------------------------------------------------
# Recording the forward pass
# ---------------------------------------------------------------------------------------------
def line_of(function, text):
    """The line number of the first line of function's source that contains text."""
    lines, start = inspect.getsourcelines(function)
    for i, line in enumerate(lines):
        if text in line:
            return start + i
    raise SystemExit("the official Model.forward has no line with %r: another version of the code?" % text)


def record_forward(model, model_module, video, first, steps):
    forward = model_module.Model.forward
    loss_line = line_of(forward, "losses.append(")
    update_line = line_of(forward, "lmbda = lmbda + delta")
    records = {}

    def local(frame, event, arg):
        if event != "line":
            return local
        loc = frame.f_locals
        if frame.f_lineno == loss_line:
            f, it = loc["f"], loc["it"]
            n = video.shape[0]
            records[(f, it, "means")] = image_nhwc(loc["mu_x"])
            records[(f, it, "mask_logits")] = image_nhwc(loc["mask_logits"])
            records[(f, it, "log_likelihood")] = loc["ll_pxl"].reshape(n, -1).sum(dim=-1)
            records[(f, it, "nll")] = loc["nll"]
            records[(f, it, "kl")] = loc["div"]
            records[(f, it, "entropy")] = loc["flat_e"]
            records[(f, it, "loss")] = loc["loss"]
        elif frame.f_lineno == update_line and "delta" in loc and (loc["f"], loc["it"], "delta_lambda") not in records:
            f, it = loc["f"], loc["it"]
            records[(f, it, "refinement_image")] = refinement_image(loc["refine_inp"]["img"])
            records[(f, it, "refinement_vector")] = loc["refine_inp"]["vec"]
            records[(f, it, "delta_lambda")] = loc["delta"]
            records[(f, it, "lstm_h")] = loc["h_vert"]
            records[(f, it, "lstm_c")] = loc["c_vert"]
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code is forward.__code__ else None

    queue = [first] + [steps[key] for key in sorted(steps)]
    original = torch.randn_like

    def saved_noise(t, *args, **kwargs):
        if queue:
            e = queue.pop(0)
            assert e.shape == t.shape, (e.shape, t.shape)
            return e.to(t.dtype)
        return original(t, *args, **kwargs)

    torch.randn_like = saved_noise
    sys.settrace(tracer)
    try:
        x = torch.from_numpy(video).permute(0, 1, 4, 2, 3).contiguous()  # [B, F, C, H, W]
        outputs = model.forward(x, x)
    finally:
        sys.settrace(None)
        torch.randn_like = original
    if queue:
        raise SystemExit("the forward pass drew fewer samples than expected")
    return outputs[0], records


# ---------------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clone", required=True, help="a clone of BorealisAI/PROVIDE")
    parser.add_argument("--out", default="testdata/parity", help="output folder (default testdata/parity)")
    parser.add_argument("--seed", type=int, default=2026, help="weights, clip and noise seed")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.clone, "src", "model.py")):
        raise SystemExit("%s is not a clone of BorealisAI/PROVIDE (no src/model.py)" % args.clone)

    torch.manual_seed(args.seed)
    modules = import_official(args.clone)
    with tempfile.TemporaryDirectory() as workdir:
        model = build_official(modules, workdir).double()
    model.train()
    params = dict(model.named_parameters())

    rng = np.random.default_rng(args.seed)
    video = clip(rng)
    first, steps = noise(torch.Generator().manual_seed(args.seed + 1))

    arrays = {"input/video": video, "input/noise_first": first.numpy()}
    for (f, it), e in steps.items():
        arrays["input/noise_f%d_s%d" % (f, it)] = e.numpy()
    with torch.no_grad():
        for name, value in to_ours(params).items():
            arrays["weights/" + name] = value.numpy().copy()  # a copy: the optimiser updates in place

    total, records = record_forward(model, modules[0], video, first, steps)
    loss = total.mean()
    for (f, it, what), value in records.items():
        arrays["forward/f%d_s%d/%s" % (f, it, what)] = value.detach().numpy()
    arrays["forward/total_loss"] = loss.detach().numpy()

    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    optimizer.zero_grad()
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in params.items()}
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM, norm_type=2)
    bias_before = params["refine_net.lstm.W_x.bias"].detach().clone()
    before = {k: v.clone() for k, v in to_ours({k: p.detach() for k, p in params.items()}).items()}
    optimizer.step()
    arrays["gradients/norm"] = norm.detach().numpy()
    for name, value in gradients_to_ours(grads).items():
        arrays["gradients/" + name] = value.numpy()
    with torch.no_grad():
        after = to_ours({k: p.detach() for k, p in params.items()})
        # Our one LSTM bias takes one Adam step, the official three take one each: compare ours to
        # its value before plus the step of one official bias.
        after["model/refinement/lstm/bias"] = before["model/refinement/lstm/bias"] + (
            params["refine_net.lstm.W_x.bias"].detach() - bias_before)
        for name, value in after.items():
            arrays["after_adam/" + name] = value.numpy()

    os.makedirs(args.out, exist_ok=True)
    arrays = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in arrays.items()}
    np.savez_compressed(os.path.join(args.out, "reference.npz"), **arrays)
    index = {
        "about": "Reference data from the official PROVIDE code (float64, stored as float32); see docs/PARITY.md",
        "command": "/usr/bin/python3 tools/parity/make_reference.py --clone PROVIDE --out testdata/parity --seed %d" % args.seed,
        "torch": torch.__version__,
        "config": our_config(),
        "frames": FRAMES,
        "batch": BATCH,
        "schedule": schedule(),
        "learning_rate": LEARNING_RATE,
        "clip_norm": CLIP_NORM,
        "likelihood_constant_per_value": float(-0.5 * np.log(2 * np.pi * VAR_X)),
        "arrays": {k: list(v.shape) for k, v in sorted(arrays.items())},
    }
    with open(os.path.join(args.out, "index.json"), "w") as out:
        json.dump(index, out, indent=1)
    print("wrote %d arrays to %s (total loss %.6f, gradient norm %.6f)" % (len(arrays), args.out, loss.item(), norm.item()))


if __name__ == "__main__":
    main()
