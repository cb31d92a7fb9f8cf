"""Tests of rnnbook.cluster: which cluster the study's runs go to, and its errors."""

import os
import socket
import sys

import pytest

from rnnbook.cluster import CLUSTER_VARIABLE, connect, local_workers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address="127.0.0.1:0"
    ) as running:
        yield running


def test_connect_refuses_an_address_where_no_scheduler_answers():
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(ConnectionError, match=f"no Dask scheduler answers at '{address}'"):
        with connect(address, timeout=1):
            pass


def test_connect_refuses_an_address_it_cannot_read(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setenv(CLUSTER_VARIABLE, "nosuch://127.0.0.1:1")
    with pytest.raises(ConnectionError, match=f"or unset {CLUSTER_VARIABLE} to train on this"):
        with connect():
            pass


def test_connect_goes_to_the_cluster_the_variable_names(cluster, monkeypatch):
    monkeypatch.setenv(CLUSTER_VARIABLE, cluster.scheduler_address)
    with connect() as client:
        assert client.scheduler.address == cluster.scheduler_address
        assert client.submit(sum, [1, 2]).result() == 3
    assert client.status == "closed"


def test_connect_uses_a_given_client_and_leaves_it_open(cluster, monkeypatch):
    import distributed

    monkeypatch.setenv(CLUSTER_VARIABLE, f"tcp://127.0.0.1:{free_port()}")  # not used
    with distributed.Client(cluster) as mine:
        with connect(mine) as client:
            assert client is mine
        assert mine.status == "running"


def test_connect_says_how_to_install_dask_when_it_is_missing(monkeypatch):
    monkeypatch.delenv(CLUSTER_VARIABLE, raising=False)
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'rnnbook\[study\]'"):
        with connect():
            pass


def test_local_workers_are_the_cores_this_process_may_use(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    assert local_workers() == 3
