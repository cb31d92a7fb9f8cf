"""Benchmark workers: Python snippets run in fresh processes, each printing one RESULT line."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run_at_once(code: str, args, envs: list[dict], name: str = "a benchmark worker") -> list:
    """Start ``python -c code *args`` once per environment, all at once; return their RESULTs.

    Each environment is added to this process's, with TensorFlow's log lines
    quiet. A worker prints ``RESULT`` followed by JSON on one line; if one
    fails, the benchmark ends with its error output.
    """
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, *map(str, args)],
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for env in envs
    ]
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate()
        lines = [ln for ln in stdout.splitlines() if ln.startswith("RESULT")]
        if proc.returncode or not lines:
            sys.exit(f"{name} failed:\n{stderr[-2000:]}")
        results.append(json.loads(lines[0][len("RESULT") :]))
    return results
