"""Time one training step of the reference's four models on each configuration.

Configurations: TensorFlow with its defaults on CPU (the reference code; Keras
turns XLA off on CPU-only machines), TensorFlow with ``jit_compile=True``
(XLA), and the JAX backend (always compiled). Each runs in its own process,
because Keras fixes its backend at import. All configurations run in one
invocation so that their ratios are measured under the same machine load.

Usage::

    python benchmarks/backends.py [--steps 40] [--maxlen 500]

It prints milliseconds per batch-32 step (median of the timed epochs) and
writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys

from workers import run_at_once

CONFIGS = {
    "tensorflow (default)": ("tensorflow", "auto"),
    "tensorflow + XLA": ("tensorflow", True),
    "jax": ("jax", "auto"),
}

WORKER = r"""
import json, os, sys, time
import numpy as np
import keras
from rnnbook.models import REFERENCE_MODELS

steps, maxlen, jit, repeats = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
jit = {"auto": "auto", "True": True}[jit]
rng = np.random.default_rng(0)
x = rng.integers(0, 5000, size=(steps * 32, maxlen)).astype("int32")
y = rng.integers(0, 2, size=(steps * 32,)).astype("float32")
out = {}
for name, build in REFERENCE_MODELS.items():
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["accuracy"], jit_compile=jit)
    model.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0)  # compile
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
        times.append((time.perf_counter() - start) / steps * 1000)
    out[name] = sorted(times)[len(times) // 2]
print("RESULT" + json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="steps per timed epoch")
    parser.add_argument("--maxlen", type=int, default=500, help="tokens per review")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs")
    args = parser.parse_args()
    results = {}
    for label, (backend, jit) in CONFIGS.items():
        worker_args = [args.steps, args.maxlen, jit, args.repeats]
        (results[label],) = run_at_once(WORKER, worker_args, [{"KERAS_BACKEND": backend}], label)
        print(f"measured {label}", file=sys.stderr, flush=True)
    models = list(next(iter(results.values())))
    width = max(len(m) for m in models)
    print(f"ms per batch-32 training step, maxlen {args.maxlen}, {os.cpu_count()} CPU cores")
    print(f"{'model':<{width}}  " + "  ".join(f"{c:>20}" for c in results))
    base = "tensorflow (default)"
    for model in models:
        row = "  ".join(
            f"{results[c][model]:8.1f} ({results[base][model] / results[c][model]:4.1f}x)".rjust(20)
            for c in results
        )
        print(f"{model:<{width}}  {row}")


if __name__ == "__main__":
    main()
