"""Tests of rnnbook.report: tables and plots of runs."""

import pytest

from rnnbook import report
from rnnbook.profiles import Profile
from rnnbook.records import Run
from rnnbook.study import Study


def run(name, seed, accuracy):
    return Run(
        name,
        seed,
        10,
        {"val_loss": [0.5, 0.4], "val_accuracy": [0.7, 0.8]},
        0.4,
        accuracy,
        [3.0, 2.0],
    )


def study():
    profile = Profile("tiny", 30, 5, None, None, 2, 8, 0.25, "")
    runs = [run("a", s, x) for s, x in ((1, 0.80), (2, 0.82), (3, 0.81))]
    runs += [run("b", s, x) for s, x in ((1, 0.70), (2, 0.71), (3, 0.69))]
    return Study(profile, runs)


def test_table_is_a_numbered_myst_table_and_html():
    table = report.runs_table({"first": run("a", 1, 0.8712)}, "Caption here.", "tbl-runs")
    markdown = table._repr_markdown_()
    assert markdown.startswith(":::{table} Caption here.\n:name: tbl-runs\n")
    assert markdown.endswith(":::") and "| first " in markdown and "87.12" in markdown
    html = table._repr_html_()
    assert "<caption>Caption here.</caption>" in html and "<td>87.12</td>" in html


def test_table_names_must_be_table_labels():
    with pytest.raises(ValueError, match="must start with 'tbl-'"):
        report.runs_table([run("a", 1, 0.8)], "c", "fig-x")


def test_study_table_keeps_mean_and_spread_on_one_line():
    table = report.study_table(study(), ["b", "a"], "c", "tbl-s", extra={"kind": {"a": 1, "b": 2}})
    frame = table.frame
    assert list(frame["setup"]) == ["b", "a"] and list(frame["kind"]) == [2, 1]
    assert frame.iloc[1]["mean ± std (%)"] == "81.00\u00a0±\u00a01.00"
    assert "81.00 ± 1.00" not in table._repr_markdown_()  # non-breaking spaces only


def test_gaps_table_applies_the_rule():
    frame = report.gaps_table(study(), [("a", "b")], "c", "tbl-g").frame
    assert frame.iloc[0]["a − b (points)"] == "+11.00" and frame.iloc[0]["clear"] == "yes"


def test_strip_plot_draws_every_seed():
    fig = report.strip_plot(study().runs, ["a", "b"], labels={"a": "A"}, reference={"a": 75.0})
    ax = fig.axes[0]
    from matplotlib.collections import PathCollection

    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in dots) == 6 + 1  # six seeds, one reference
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "b"]


def test_curves_plot_needs_the_metric():
    fig = report.curves_plot({"one": run("a", 1, 0.8)}, "val_accuracy", mark_best=True)
    assert fig.axes[0].get_ylabel() == "validation accuracy (%)"
    with pytest.raises(ValueError, match="run 'one' has no 'loss': choose one of"):
        report.curves_plot({"one": run("a", 1, 0.8)}, "loss")
