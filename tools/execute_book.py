"""Execute the book's notebooks in parallel into the execution cache Jupyter Book reads.

Jupyter Book executes notebooks one after another while Sphinx reads them.
This script executes them first, several at once, and stores each result in
the same jupyter-cache (``<path-output>/_build/.jupyter_cache``) that the
build's ``execute_notebooks: cache`` mode reads; the build then finds every
notebook cached and only renders. A notebook already cached (same code) is
not executed again.

Each notebook runs in its own kernel from its own folder, as myst-nb runs it,
read the way myst-nb reads it (MyST Markdown pages through myst-nb's reader),
so the cache keys match. The longest notebooks start first (from the times
of the last build, kept in the cache folder, else from ``tools/durations.json``).

Per-process settings, measured by ``benchmarks/processes.py`` (see the
README's "Speed" section):

* with no more jobs than cores, each worker and its kernels are pinned to
  a core of their own before JAX starts (two JAX processes sharing two
  cores unpinned each run about 20 % slower than one alone; pinned, about
  as fast). JAX then sizes its thread pool for one core and splits some
  sums differently: the attention, hybrid and encoder-decoder models' numbers
  differ in their last digits from an unpinned run's (the basic SimpleRNN's
  and the LSTM's do not); pinning after JAX starts keeps them but loses
  most of the gain;
* JAX's persistent compilation cache, kept beside the execution cache, so a
  model compiled by one notebook is not compiled again by the next (same
  numbers);
* the variables of :data:`KERNEL_ENV`, and ``RNNBOOK_CONCURRENT`` (how many
  notebooks run at once, which each page's run description reports).

A failing notebook does not stop the others; at the end its traceback is
printed and the script exits with status 1.

Usage::

    python tools/execute_book.py --path-output _build/smoke-jax --jobs 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
HINTS = Path(__file__).with_name("durations.json")

KERNEL_ENV = {
    # Settings measured by benchmarks/processes.py, applied to every kernel of
    # the build (the README's "Speed" section gives the measurements).
    # keras.utils.set_random_seed imports TensorFlow on JAX only to seed
    # tf.data, which the pages never use: skip it (same weights, bit for bit).
    "RNNBOOK_LAZY_TENSORFLOW": "1",
}


def pages(root: Path = ROOT) -> list[Path]:
    """The files of the table of contents that have code to execute, in toc order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    names = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    found = []
    for name in names:
        for suffix in (".ipynb", ".md"):
            path = root / f"{name}{suffix}"
            if path.exists():
                if suffix == ".ipynb" or "```{code-cell}" in path.read_text():
                    found.append(path)
                break
    return found


def read(path: Path) -> nbformat.NotebookNode:
    """Read a page as myst-nb does, so that its cache key matches the build's."""
    if path.suffix == ".ipynb":
        return nbformat.read(path, as_version=4)
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(path.read_text("utf8"), add_source_map=True, path=path)


def _start_worker(cores):
    """Pin this worker (and the kernels it starts) to a core of its own; quiet stderr.

    The kernels' own log lines (ipykernel's start-up notices) go to /dev/null;
    a failing cell still reports its traceback through the notebook.
    """
    if cores is not None:
        os.sched_setaffinity(0, {cores.get()})
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


KERNEL_STARTS = 2
"""Tries to start a notebook's kernel. jupyter_client picks free TCP ports,
releases them and lets the kernel bind them later; a kernel started at the
same moment elsewhere (``make test`` starts them in three passes at once) can
take one first, and the new kernel dies before it answers (jupyter_client
issue 154). No cell has run then, so starting again is safe."""


def _execute(path: str, timeout: int):
    """Run one notebook in a fresh kernel from its folder (in a worker process)."""
    from jupyter_cache.executors import utils

    for attempt in range(1, KERNEL_STARTS + 1):
        notebook = read(Path(path))
        try:
            result = utils.single_nb_execution(
                notebook,
                cwd=str(Path(path).parent),
                allow_errors=False,
                timeout=timeout,
                meta_override=True,
            )
        except RuntimeError as error:
            if "before replying to kernel_info" in str(error) and attempt < KERNEL_STARTS:
                continue
            raise
        return notebook, result.time, result.exc_string if result.err else None


def _hints() -> dict:
    """Seconds per notebook in the last cold full build (``tools/durations.json``).

    A cache without times of its own orders its pages by these, in any
    profile: only the order matters, and it is much the same in every profile.
    """
    return json.loads(HINTS.read_text())["full"] if HINTS.exists() else {}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path-output", default=".", help="as given to jupyter-book build")
    parser.add_argument("--root", default=str(ROOT), help="the book (folder of _toc.yml)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="notebooks at once")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    parser.add_argument("only", nargs="*", help="execute only these pages (default: all)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache_dir = (Path(args.path_output) / "_build" / ".jupyter_cache").resolve()
    cache = get_cache(str(cache_dir))
    root = Path(args.root).resolve()
    chosen = pages(root)
    if args.only:
        wanted = {Path(name).resolve() for name in args.only}
        unknown = wanted - set(chosen)
        if unknown:
            parser.error(f"not executable pages of the book: {sorted(map(str, unknown))}")
        chosen = [path for path in chosen if path in wanted]
    todo = []
    for path in chosen:
        try:
            cache.match_cache_notebook(read(path))
        except KeyError:
            todo.append(path)
    own = cache_dir / "durations.json"
    times = json.loads(own.read_text()) if own.exists() else {}
    known = times if own.exists() else _hints()
    relative = {path: str(path.relative_to(root)) for path in todo}
    todo.sort(key=lambda p: -known.get(relative[p], 60))
    print(f"executing {len(todo)} notebooks, {args.jobs} at once ({len(chosen)} pages)")

    os.environ.update(KERNEL_ENV)
    os.environ["RNNBOOK_CONCURRENT"] = str(min(args.jobs, max(len(todo), 1)))
    os.environ["JAX_COMPILATION_CACHE_DIR"] = str(cache_dir.parent / ".jax_cache")
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "-1"
    cores = None
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if 1 < args.jobs <= len(available):
        cores = multiprocessing.Manager().Queue()
        for core in available[: args.jobs]:
            cores.put(core)
    start, failed = time.perf_counter(), {}
    with ProcessPoolExecutor(
        max_workers=args.jobs, initializer=_start_worker, initargs=(cores,)
    ) as pool:
        running = {pool.submit(_execute, str(p), args.timeout): p for p in todo}
        done_count = 0
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                path = running.pop(future)
                notebook, seconds, error = future.result()
                done_count += 1
                status = "FAILED" if error else "ok"
                print(
                    f"[{done_count}/{len(todo)}] {relative[path]}: {status} in {seconds:.0f} s",
                    flush=True,
                )
                if error:
                    failed[relative[path]] = error
                    continue
                times[relative[path]] = round(seconds, 1)
                cache.cache_notebook_bundle(
                    CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds}),
                    check_validity=False,
                    overwrite=True,
                )
                try:  # the build will find it, unless the file changed meanwhile
                    cache.match_cache_notebook(read(path))
                except KeyError:
                    print(f"  {relative[path]} changed while it ran: the build executes it")
    cache_dir.mkdir(parents=True, exist_ok=True)
    own.write_text(json.dumps(times, indent=1, sort_keys=True))
    print(f"executed {len(todo)} notebooks in {time.perf_counter() - start:.0f} s wall")
    for name, error in failed.items():
        plain = re.sub(r"\x1b\[[0-9;]*m", "", error)  # the kernel's colours
        print(f"\n===== {name} failed =====\n{plain}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
