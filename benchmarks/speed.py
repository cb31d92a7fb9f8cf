"""How fast the reference's experiment runs its way and the book's way, measured in one run.

The reference trains its four models one after another with TensorFlow's
defaults. The book trains them on JAX, two notebooks at once on a 2-core
machine, with the per-process settings of ``tools/execute_book.py``. This
script measures milliseconds per batch-32 training step and per batch-32
evaluation step of each model both ways, in one invocation so that the
ratios are measured under the same machine load:

* **reference**: one process, ``KERAS_BACKEND=tensorflow``, Keras' defaults;
* **book**: ``--processes`` JAX processes at once (default: the number of
  cores), each pinned to a core of its own, as the build executes
  notebooks; for each model, all of them time it at the same time, and
  their times are averaged.

It then projects the time of the reference's whole experiment (four models,
10 epochs of 625 training steps, validation on 5,000 reviews after each
epoch and one test on 25,000) both ways; the book's projection divides by
the number of processes that train at once. The first line it prints is the
calibration figure other timings in the book's notes are scaled by: the
TensorFlow default step of the basic model.

Usage::

    python benchmarks/speed.py [--steps 40] [--repeats 3] [--processes 2]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from workers import run_at_once

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from execute_book import KERNEL_ENV  # noqa: E402

TRAIN_STEPS = 10 * 625  # 10 epochs of 20,000 training reviews in batches of 32
EVAL_STEPS = 10 * 157 + 782  # validation after each epoch (5,000) and one test (25,000)

WORKER = r"""
import json, os, sys, time
core = int(os.environ.get("PIN_CORE", "-1"))
if core >= 0:
    os.sched_setaffinity(0, {core})
import numpy as np
import keras
from rnnbook.models import REFERENCE_MODELS

steps, maxlen, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
only = sys.argv[4] if len(sys.argv) > 4 else None
rng = np.random.default_rng(0)
x = rng.integers(0, 5000, size=(steps * 32, maxlen)).astype("int32")
y = rng.integers(0, 2, size=(steps * 32,)).astype("float32")
out = {}
for name, build in REFERENCE_MODELS.items():
    if only is not None and name != only:
        continue
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0)  # compile
    model.evaluate(x[:64], y[:64], batch_size=32, verbose=0)
    train, test = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
        train.append((time.perf_counter() - start) / steps * 1000)
        start = time.perf_counter()
        model.evaluate(x, y, batch_size=32, verbose=0)
        test.append((time.perf_counter() - start) / steps * 1000)
    out[name] = [sorted(train)[len(train) // 2], sorted(test)[len(test) // 2]]
print("RESULT" + json.dumps(out))
"""


def measure(env: dict, args, processes: int, pin: bool = False, only=None) -> list[dict]:
    """Start ``processes`` workers at once (each on a core of its own if ``pin``)."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pin = pin and 1 < processes <= len(cores)
    envs = [{**env, "PIN_CORE": str(cores[i]) if pin else "-1"} for i in range(processes)]
    worker_args = [args.steps, args.maxlen, args.repeats, *([only] if only else [])]
    return run_at_once(WORKER, worker_args, envs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="steps per timed epoch")
    parser.add_argument("--maxlen", type=int, default=500, help="tokens per review")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs (median)")
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count(), help="book: JAX processes at once"
    )
    args = parser.parse_args()
    if min(args.steps, args.repeats, args.processes) < 1:
        parser.error("--steps, --repeats and --processes must be positive")

    (reference,) = measure({"KERAS_BACKEND": "tensorflow"}, args, 1)
    print("measured the reference's configuration", file=sys.stderr, flush=True)
    book = {}
    for model in reference:  # all processes time the same model at the same time
        runs = measure(
            {"KERAS_BACKEND": "jax", **KERNEL_ENV}, args, args.processes, pin=True, only=model
        )
        book[model] = [sum(run[model][i] for run in runs) / len(runs) for i in (0, 1)]

    basic = next(iter(reference))
    print(
        f"calibration: TensorFlow default training step of the {basic} model: "
        f"{reference[basic][0]:.1f} ms ({os.cpu_count()} CPU cores, maxlen {args.maxlen})"
    )
    width = max(len(m) for m in reference)
    print(
        f"\nms per batch-32 step (training / evaluation); book = JAX, "
        f"{args.processes} processes at once"
    )
    print(f"{'model':<{width}}  {'reference':>15}  {'book':>15}  {'ratio':>6}")
    projected = {"reference": 0.0, "book": 0.0}
    for model in reference:
        ref, ours = reference[model], book[model]
        print(
            f"{model:<{width}}  {ref[0]:7.1f} / {ref[1]:5.1f}  {ours[0]:7.1f} / {ours[1]:5.1f}  "
            f"{ref[0] / ours[0]:5.1f}x"
        )
        projected["reference"] += (ref[0] * TRAIN_STEPS + ref[1] * EVAL_STEPS) / 1000
        projected["book"] += (ours[0] * TRAIN_STEPS + ours[1] * EVAL_STEPS) / 1000
    projected["book"] /= args.processes
    print(
        f"\nprojected time of the reference's four-model experiment: "
        f"reference's way {projected['reference']:.0f} s, book's way {projected['book']:.0f} s "
        f"({projected['reference'] / projected['book']:.1f}x faster)"
    )


if __name__ == "__main__":
    main()
