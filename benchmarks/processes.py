"""Per-process settings for the book's parallel build, measured on this machine.

The build executes notebooks several at once (``tools/execute_book.py``).
This script measures, with as many JAX processes at once as there are
cores, the training step of the basic SimpleRNN, the LSTM and the
attention model under each candidate setting, and prints a digest of each
model's weights after training from the same seed, to show which settings
change the numbers:

* ``default``: JAX as installed;
* ``one thread``: ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false
  intra_op_parallelism_threads=1`` (one compute thread per process);
* ``pinned``: what the build does: each process pinned to its own core
  (``os.sched_setaffinity``) before JAX starts, so JAX sizes its thread pool
  for one core;
* ``pinned after JAX starts``: JAX's thread pool is sized for every core
  first, then all of the process's threads move to one core;
* ``steps_per_execution=4``: four training steps per compiled call.

It also times, in fresh processes, what every notebook pays once: importing
TensorFlow through ``keras.utils.set_random_seed`` on JAX, and compiling a
model with and without JAX's persistent compilation cache.

Usage::

    python benchmarks/processes.py [--steps 40] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile

from workers import run_at_once

WORKER = r"""
import hashlib, json, os, sys, time
core = int(os.environ.get("PIN_CORE", "-1"))
if core >= 0:
    os.sched_setaffinity(0, {core})
import numpy as np
import keras
late = int(os.environ.get("LATE_PIN_CORE", "-1"))
if late >= 0:
    import jax
    jax.numpy.zeros(1).block_until_ready()  # starts JAX's thread pools
    for thread in os.listdir("/proc/self/task"):
        try:
            os.sched_setaffinity(int(thread), {late})
        except OSError:  # a thread that has ended
            pass
from rnnbook.models import attention_lstm, basic_rnn, lstm

steps, repeats, spe = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
x = rng.integers(1, 5000, size=(steps * 32, 500)).astype("int32")
y = rng.integers(0, 2, size=(steps * 32,)).astype("float32")
out = {}
for name, build in (("basic", basic_rnn), ("lstm", lstm), ("attention", attention_lstm)):
    keras.utils.set_random_seed(1)
    model = build()
    model.compile(optimizer="adam", loss="binary_crossentropy", steps_per_execution=spe)
    start = time.perf_counter()
    model.fit(x[:64 * spe], y[:64 * spe], batch_size=32, epochs=1, verbose=0)
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False)
        times.append((time.perf_counter() - start) / steps * 1000)
    digest = hashlib.sha256(b"".join(np.asarray(w).tobytes() for w in model.get_weights()))
    out[name] = {"ms": sorted(times)[len(times) // 2], "first": first,
                 "weights": digest.hexdigest()[:12]}
print("RESULT" + json.dumps(out))
"""

STARTUP = r"""
import time
start = time.perf_counter()
import keras
imported = time.perf_counter() - start
start = time.perf_counter()
keras.utils.set_random_seed(1)
seeded = time.perf_counter() - start
import sys
import json
print("RESULT" + json.dumps([imported, seeded, "tensorflow" in sys.modules]))
"""

ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def run(code: str, args: list[str], envs: list[dict]) -> list:
    """Start one JAX process per environment at once; return each one's RESULT."""
    return run_at_once(code, args, [{"KERAS_BACKEND": "jax", **env} for env in envs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    base = [str(args.steps), str(args.repeats)]
    configs = {
        "default, alone": ([{}], "1"),
        "default": ([{}] * cores, "1"),
        "one thread": ([{"XLA_FLAGS": ONE_THREAD}] * cores, "1"),
        "pinned": ([{"PIN_CORE": str(i)} for i in range(cores)], "1"),
        "pinned, one thread": (
            [{"PIN_CORE": str(i), "XLA_FLAGS": ONE_THREAD} for i in range(cores)],
            "1",
        ),
        "pinned after JAX starts": ([{"LATE_PIN_CORE": str(i)} for i in range(cores)], "1"),
        "steps_per_execution=4": ([{}] * cores, "4"),
    }
    print(f"ms per batch-32 training step, {cores} processes at once unless 'alone'")
    names = ("basic", "lstm", "attention")
    print(f"{'setting':<24} {'basic':>7} {'lstm':>7} {'attn':>7}  weights (same seed)")
    for label, (envs, spe) in configs.items():
        results = run(WORKER, [*base, spe], envs)
        mean = {m: sum(r[m]["ms"] for r in results) / len(results) for m in names}
        digests = " ".join(results[0][m]["weights"] for m in names)
        print(
            f"{label:<24} {mean['basic']:7.1f} {mean['lstm']:7.1f} {mean['attention']:7.1f}"
            f"  {digests}"
        )

    with tempfile.TemporaryDirectory() as cache:
        env = {
            "JAX_COMPILATION_CACHE_DIR": cache,
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1",
        }
        cold = run(WORKER, [*base, "1"], [env])[0]
        warm = run(WORKER, [*base, "1"], [env])[0]
    plain = run(WORKER, [*base, "1"], [{}])[0]
    print("\nfirst fit call (compiles the model), seconds: basic / lstm; weights")
    for label, result in (("no cache", plain), ("cache, cold", cold), ("cache, warm", warm)):
        print(
            f"  {label:<12} {result['basic']['first']:5.2f} / {result['lstm']['first']:5.2f}  "
            f"{result['basic']['weights']} {result['lstm']['weights']}"
        )

    imported, seeded, tf_loaded = run(STARTUP, [], [{}])[0]
    print(
        f"\nimport keras: {imported:.2f} s; keras.utils.set_random_seed on JAX: {seeded:.2f} s "
        f"(imports TensorFlow: {tf_loaded})"
    )


if __name__ == "__main__":
    main()
