"""Where the study's runs train: a Dask cluster, on this machine's cores or an existing one.

The variance study (:mod:`rnnbook.study`) is many independent training
runs. They run as tasks of `Dask distributed <https://distributed.dask.org>`_:
one scheduler hands each run to a free worker process, and the study's
driver, the process that submitted them, collects each finished run and is
the only one that writes the study file.

* By default :func:`connect` starts a local cluster: one worker process per
  core this process may use, one run at a time each, listening on the
  loopback address only, stopped when the study ends.
* ``$RNNBOOK_CLUSTER`` (or the ``address`` argument) names the scheduler
  of a cluster that is already running, e.g. ``tcp://10.0.0.5:8786`` after
  ``dask scheduler`` on one machine and ``dask worker tcp://10.0.0.5:8786``
  on each of the others. Every worker needs the same ``rnnbook`` and
  Keras as the driver, and the IMDB data (``$RNNBOOK_IMDB`` or a download).

When a worker dies in the middle of a run, the scheduler gives the run to
another worker (and the local cluster's nanny starts a new worker in its
place); the driver only ever sees the run that finished.

Dask is the package's optional dependency ``rnnbook[study]``: the pages
read the committed study without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["CLUSTER_VARIABLE", "connect", "local_workers"]

CLUSTER_VARIABLE = "RNNBOOK_CLUSTER"
"""The environment variable that names an existing cluster's scheduler."""


def local_workers() -> int:
    """How many worker processes the local cluster starts: the cores this process may use.

    Examples
    --------
    >>> local_workers() >= 1
    True
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _distributed():
    try:
        import distributed
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "training the study needs Dask distributed: pip install 'rnnbook[study]'"
        ) from None
    return distributed


@contextmanager
def connect(address=None, *, workers: int | None = None, timeout: float = 10) -> Iterator:
    """A client of the cluster that trains the study's runs.

    Parameters
    ----------
    address : str or distributed.Client, optional
        A scheduler's address (``tcp://host:8786``), or a client to use as
        it is (it is not closed). Defaults to ``$RNNBOOK_CLUSTER``; when that
        is unset or empty, a local cluster is started and stopped.
    workers : int, optional
        Worker processes of a local cluster; default :func:`local_workers`.
        Each runs one task at a time, and its runs record that many
        processes shared the machine (``$RNNBOOK_CONCURRENT``).
    timeout : float
        Seconds to wait for the scheduler at ``address`` to answer.

    Yields
    ------
    distributed.Client

    Raises
    ------
    ConnectionError
        If no scheduler answers at the address, before anything is trained.
    ModuleNotFoundError
        If Dask distributed is not installed.

    Examples
    --------
    >>> with connect(workers=1) as client:
    ...     client.submit(sum, [1, 2, 3]).result()
    6
    """
    if address is None:
        address = os.environ.get(CLUSTER_VARIABLE) or None
    if address is not None and not isinstance(address, str):
        yield address  # a client the caller owns
        return
    distributed = _distributed()
    if address is None:
        workers = workers or local_workers()
        with (
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                # A run's memory is the framework's; the study never spills data.
                memory_limit=0,
                env={"RNNBOOK_CONCURRENT": str(workers)},
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(address, timeout=timeout)
    except (OSError, ValueError, TypeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConnectionError(
            f"no Dask scheduler answers at {address!r} ({reason}): start one there "
            f"(`dask scheduler`, then `dask worker {address}` on each machine), "
            f"or unset {CLUSTER_VARIABLE} to train on this machine's cores"
        ) from None
    with client:
        yield client
