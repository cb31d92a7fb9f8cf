"""Tests of rnnbook.page: the run description and glue."""

import keras
import numpy as np

from rnnbook.page import describe_run, glue
from rnnbook.profiles import get_profile


def test_describe_run_names_profile_backend_versions_and_load(monkeypatch):
    monkeypatch.delenv("RNNBOOK_CONCURRENT", raising=False)
    text = describe_run(get_profile("smoke"))
    assert text.startswith("profile 'smoke'")
    assert f"Keras {keras.__version__}, backend {keras.backend.backend()}" in text
    assert "at once" not in text
    monkeypatch.setenv("RNNBOOK_CONCURRENT", "2")
    assert describe_run(get_profile("smoke")).endswith("| 2 notebooks executed at once")


def test_glue_stores_plain_python_numbers(monkeypatch):
    import myst_nb

    stored = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: stored.update({name: value}))
    assert glue("test_value", np.float32(0.25)) is None
    assert stored["test_value"] == 0.25 and type(stored["test_value"]) is float
    glue("test_text", "a sentence")
    assert stored["test_text"] == "a sentence"


def test_describe_run_can_say_what_the_profile_means_on_a_page():
    text = describe_run(get_profile("full"), "at most 200 epochs on monthly CO2")
    assert text.startswith("profile 'full': at most 200 epochs on monthly CO2 | Keras")


def test_describe_run_says_when_the_process_is_pinned_to_fewer_cores(monkeypatch):
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert "(1 of 8 cores)" in describe_run(get_profile("smoke"))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert "(8 cores)" in describe_run(get_profile("smoke"))
