"""How near the build's training is to what this CPU can do, measured on this machine.

Two questions, each answered in one run:

1. **Where a training step's time goes.** Two JAX processes at once, each
   pinned to its own core as the build runs its notebooks, time the same
   model (the basic SimpleRNN, then the LSTM) at maxlen 500, batch 32; the
   table gives the mean of the two:

   * ``fit``: a step of Keras' ``fit`` loop, as the chapters train;
   * ``train step``: the same compiled Keras training step called in a
     plain loop on arrays already on the device (no data adapter, no
     callbacks);
   * ``gradient``: the forward and backward pass alone (``jax.grad`` of
     ``model.stateless_call``: no optimizer, no metrics);
   * ``forward``: the forward pass alone;
   * ``hand-written`` (basic model only): the same math written directly in
     JAX (``lax.scan``, the input projection hoisted out of the loop).

   Then the gradient again under XLA CPU flags that change code generation
   (each in fresh processes, with a digest of the gradient to show whether
   the numbers change).

2. **How much of a built book's execution is training.** Reads the
   execution cache of a build (``_build/.jupyter_cache`` by default), sums
   the notebooks' execution times and the epoch times that each page's
   ``rnnbook.TrainingLog`` printed, and prints the wall time that training
   those epochs needs on this many cores, however the notebooks are packed.
   Training that a page does without a ``TrainingLog`` counts as
   "other", so the training share is a lower bound. With ``--projection``
   (the reference experiment's projected time that ``make benchmark``
   printed), it prints both as ratios of it.

Usage::

    python benchmarks/floor.py [--steps 60] [--cache _build/.jupyter_cache] [--projection 1555]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
from pathlib import Path

from workers import run_at_once

WORKER = r"""
import hashlib, json, os, sys, time
os.sched_setaffinity(0, {int(os.environ["PIN_CORE"])})
import numpy as np
import keras
import jax
import jax.numpy as jnp
from jax import lax
from rnnbook.models import basic_rnn, lstm

name = os.environ["MODEL"]
steps, only_gradient = int(sys.argv[1]), sys.argv[2] == "1"
keras.utils.set_random_seed(1)
model = {"basic": basic_rnn, "lstm": lstm}[name]()
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
rng = np.random.default_rng(0)
x = rng.integers(1, 5000, size=(steps * 32, 500)).astype("int32")
x[:, : 200] = 0  # pre-padding, as short reviews have
y = rng.integers(0, 2, size=(steps * 32,)).astype("float32")
batches = [(jnp.asarray(x[i * 32 : (i + 1) * 32]), jnp.asarray(y[i * 32 : (i + 1) * 32]))
           for i in range(steps)]


def per_step(call):
    # ms per call: the best of three passes over the batches, after one to compile.
    jax.block_until_ready(call(*batches[0]))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for xb, yb in batches:
            out = call(xb, yb)
        jax.block_until_ready(out)
        best = min(best, (time.perf_counter() - start) / steps * 1000)
    return best, out


trainable = [v.value for v in model.trainable_variables]
fixed = [v.value for v in model.non_trainable_variables]


def loss(weights, xb, yb):
    out, _ = model.stateless_call(weights, fixed, xb, training=True)
    return jnp.mean(keras.losses.binary_crossentropy(yb[:, None], out))


gradient = jax.jit(jax.grad(loss))
ms, grads = per_step(lambda xb, yb: gradient(trainable, xb, yb))
digest = hashlib.sha256(b"".join(np.asarray(g).tobytes() for g in grads)).hexdigest()[:12]
out = {"gradient": ms, "digest": digest}
if not only_gradient:
    forward = jax.jit(loss)
    out["forward"], _ = per_step(lambda xb, yb: forward(trainable, xb, yb))
    model.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0)  # compiles
    fits = []
    for _ in range(3):
        start = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False)
        fits.append((time.perf_counter() - start) / steps * 1000)
    out["fit"] = min(fits)
    model.make_train_function()
    state = tuple([v.value for v in group] for group in (
        model.trainable_variables, model.non_trainable_variables,
        model.optimizer.variables, model.metrics_variables))
    step = jax.jit(model.train_step)
    holder = [state]

    def train(xb, yb):
        _, holder[0] = step(holder[0], (xb, yb))
        return holder[0]

    out["train step"], _ = per_step(train)
    if name == "basic":
        trainable = [v.value for v in model.trainable_variables]  # fit replaced them

        def hand_loss(params, xb, yb):
            E, W, U, b, V, c = params
            inputs = jnp.swapaxes(E[xb], 0, 1) @ W + b  # (time, batch, units)
            step_fn = lambda h, u: (jnp.tanh(u + h @ U), None)
            h, _ = lax.scan(step_fn, jnp.zeros((xb.shape[0], U.shape[0])), inputs)
            z = (h @ V + c)[:, 0]
            return jnp.mean(jnp.maximum(z, 0) - z * yb + jnp.log1p(jnp.exp(-jnp.abs(z))))

        hand = jax.jit(jax.grad(hand_loss))
        out["hand-written"], _ = per_step(lambda xb, yb: hand(trainable, xb, yb))
print("RESULT" + json.dumps(out))
"""

FLAGS = {
    "default": "",
    "512-bit vectors": "--xla_cpu_prefer_vector_width=512",
    "oneDNN": "--xla_cpu_use_onednn=true --xla_cpu_experimental_onednn_custom_call=true",
    "XNNPACK dots": "--xla_cpu_experimental_xnn_fusion_type=LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT",
    "YNNPACK dots": "--xla_cpu_experimental_ynn_fusion_type=LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT",
    "legacy runtime": "--xla_cpu_use_thunk_runtime=false",
}

EPOCH = re.compile(r"^epoch +\d+/\d+ +([0-9.]+) s", flags=re.MULTILINE)


def both(name: str, steps: int, flags: str = "", only_gradient: bool = False) -> dict:
    """One model in two processes at once, each pinned to its own core: the mean of the two."""
    envs = [
        {"KERAS_BACKEND": "jax", "MODEL": name, "PIN_CORE": str(core), "XLA_FLAGS": flags}
        for core in (0, 1)
    ]
    results = run_at_once(WORKER, [steps, int(only_gradient)], envs, "a floor worker")
    out = {key: sum(r[key] for r in results) / 2 for key in results[0] if key != "digest"}
    return {**out, "digest": results[0]["digest"]}


def training_share(cache: Path) -> tuple[int, float, float]:
    """Notebooks, their seconds, and the TrainingLog epoch seconds among them, from a cache."""
    with sqlite3.connect(cache / "global.db") as db:
        entries = db.execute("select hashkey, data from nbcache").fetchall()
    total, training = 0.0, 0.0
    for key, data in entries:
        seconds = json.loads(data).get("execution_seconds", 0.0)
        notebook = json.loads((cache / "executed" / key / "base.ipynb").read_text())
        text = "".join(
            "".join(output.get("text", ""))
            for cell in notebook["cells"]
            for output in cell.get("outputs", [])
        )
        total += seconds
        training += sum(float(s) for s in EPOCH.findall(text))
    return len(entries), total, training


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="batches per timing pass")
    parser.add_argument(
        "--cache", default="_build/.jupyter_cache", help="a build's execution cache"
    )
    parser.add_argument("--projection", type=float, help="seconds, from `make benchmark`")
    parser.add_argument("--skip-steps", action="store_true", help="only read the cache")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))

    if not args.skip_steps:
        if cores < 2:
            raise SystemExit("floor.py pins two processes to two cores: this machine has fewer")
        basic, lstm = both("basic", args.steps), both("lstm", args.steps)
        print("ms per batch-32 step, maxlen 500, two processes at once, each pinned to a core")
        print(f"{'':<16} {'basic':>7} {'LSTM':>7}")
        for row in ("fit", "train step", "gradient", "forward", "hand-written"):
            cells = [f"{r[row]:7.2f}" if row in r else f"{'':>7}" for r in (basic, lstm)]
            print(f"{row:<16} {' '.join(cells)}")
        print("\ngradient (forward + backward) under XLA CPU flags, ms; digests of the gradients")
        for label, flags in FLAGS.items():
            b, m = (both(name, args.steps, flags, only_gradient=True) for name in ("basic", "lstm"))
            digests = f"{b['digest']} {m['digest']}"
            print(f"{label:<16} {b['gradient']:7.2f} {m['gradient']:7.2f}  {digests}")

    cache = Path(args.cache)
    if not (cache / "global.db").exists():
        print(f"\nno execution cache at {cache}: build the book first (make book)")
        return
    count, total, training = training_share(cache)
    print(f"\nexecution cache {cache}: {count} notebooks")
    print(f"notebook time {total:7.0f} s, of which TrainingLog epochs {training:7.0f} s")
    print(
        f"on {cores} cores: all notebooks need at least {total / cores:.0f} s; "
        f"their training epochs alone {training / cores:.0f} s"
    )
    if args.projection:
        print(
            f"as ratios of the projection ({args.projection:.0f} s): notebooks "
            f"{total / cores / args.projection:.2f}x, training alone "
            f"{training / cores / args.projection:.2f}x"
        )


if __name__ == "__main__":
    main()
