"""Tests of rnnbook.study, and that the committed study matches today's setups."""

import json
import os
import signal
import threading
import time

import keras
import numpy as np
import pytest

import rnnbook.study as study_module
from rnnbook import TrainingLog, models
from rnnbook.data import SparseBatches, tfidf
from rnnbook.levers import decode_predictions
from rnnbook.profiles import Profile, get_profile
from rnnbook.setups import STUDY_MODELS, Setup, group
from rnnbook.study import Study, default_study_path, load_study, run_study, setup_key

TINY = Profile("tiny", 30, 5, None, None, 1, 8, 0.25, "one epoch on random data")


def tiny_builder(units):
    def build(num_words, maxlen):
        return keras.Sequential(
            [
                keras.Input(shape=(maxlen,), dtype="int32"),
                keras.layers.Embedding(num_words, 4),
                keras.layers.SimpleRNN(units),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )

    return build


def tiny_data():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 30, size=(48, 5)).astype("int32")
    y = (x[:, -1] > 15).astype("int64")
    return (x[:32], y[:32]), (x[32:], y[32:])


def setups(**units):
    return {name: Setup(tiny_builder(n)) for name, n in units.items()}


@pytest.fixture(scope="module")
def engine():
    """A cluster inside the test process (one worker thread): the study's engine, cheaply."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=1, dashboard_address="127.0.0.1:0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_study_trains_each_setup_and_seed_once(tmp_path, monkeypatch, engine):
    path = tmp_path / "study.json"
    study = run_study(setups(a=2, b=3), [1, 2], TINY, path, data=tiny_data(), cluster=engine)
    assert sorted((r.name, r.seed) for r in study.runs) == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    on_disk = load_study(path)
    assert on_disk == study and json.loads(path.read_text())["format"] == study_module.FORMAT
    assert all(r.key == setup_key(Setup(tiny_builder(2)), TINY) for r in study.of("a"))
    assert not list(tmp_path.glob(".*.tmp"))

    def no_training(*args, **kwargs):
        raise AssertionError("a finished run was trained again")

    monkeypatch.setattr(study_module, "train", no_training)
    run_study(setups(a=2, b=3), [1, 2], TINY, path, data=tiny_data(), cluster=engine)


def test_the_study_trains_as_the_pages_do(tmp_path, engine):
    """The same seed gives the same run through `train` and through a page's visible calls."""
    (train, test) = tiny_data()
    study = run_study(
        setups(a=2), [7], TINY, tmp_path / "s.json", data=(train, test), cluster=engine
    )
    keras.utils.set_random_seed(7)
    model = tiny_builder(2)(TINY.num_words, TINY.maxlen)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(*train, batch_size=8, epochs=1, validation_split=0.25, verbose=0)
    loss, accuracy = model.evaluate(*test, batch_size=256, verbose=0)
    run = study.run("a", 7)
    assert run.history["val_loss"] == history.history["val_loss"]
    assert (run.test_loss, run.test_accuracy) == (loss, accuracy)


def test_changed_definition_is_retrained(tmp_path, engine):
    path = tmp_path / "study.json"
    run_study(setups(a=2), [1], TINY, path, data=tiny_data(), cluster=engine)
    old = load_study(path).run("a", 1).key
    study = run_study(setups(a=4), [1], TINY, path, data=tiny_data(), cluster=engine)
    (run,) = study.runs
    assert run.key != old and run.params == 30 * 4 + (4 * 4 + 4 * 4 + 4) + 5


def test_study_refuses_another_profiles_file_and_no_seeds(tmp_path, engine):
    path = tmp_path / "study.json"
    run_study(setups(a=2), [1], TINY, path, data=tiny_data(), cluster=engine)
    with pytest.raises(ValueError, match="holds a study of profile 'tiny', not 'smoke'"):
        run_study(setups(a=2), [1], get_profile("smoke"), path, data=tiny_data(), cluster=engine)
    with pytest.raises(ValueError, match="needs at least one setup and one seed"):
        run_study(setups(a=2), [], TINY, path, data=tiny_data(), cluster=engine)


def test_load_study_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no study results at .*: run `make study`"):
        load_study(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    for text in ("not json", '{"format": 1, "entries": []}', '{"format": 2, "runs": [{}]}'):
        bad.write_text(text)
        with pytest.raises(ValueError, match="is not a study file .*: run `make study` again"):
            load_study(bad)


def test_each_setup_trains_its_own_seeds(tmp_path, engine):
    path = tmp_path / "study.json"
    chosen = {"a": Setup(tiny_builder(2), seeds=(1, 2)), "b": Setup(tiny_builder(3), seeds=(3,))}
    study = run_study(chosen, None, TINY, path, data=tiny_data(), cluster=engine)
    assert sorted((r.name, r.seed) for r in study.runs) == [("a", 1), ("a", 2), ("b", 3)]


def test_tfidf_setup_trains_on_sparse_tfidf_batches_as_the_page_does(tmp_path, engine):
    """The study's TF-IDF run is the baseline page's visible calls, with the same seed."""
    setup = Setup(models.tfidf_logistic, early_stopping=1, features="tfidf", seeds=(3,))
    study = run_study(
        {"tfidf": setup}, None, TINY, tmp_path / "s.json", data=tiny_data(), cluster=engine
    )
    (run,) = study.runs
    assert run.params == models.TFIDF_FEATURES + 1 and run.epochs_run == 1

    (x_train, y_train), (x_test, y_test) = tiny_data()
    split = int(len(x_train) * (1 - 0.25))
    f_train, f_test = tfidf(x_train[:split], x_train, x_test, max_tokens=models.TFIDF_FEATURES)
    keras.utils.set_random_seed(3)
    model = models.tfidf_logistic()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    log = TrainingLog(seed=3, printer=lambda line: None)
    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=1, restore_best_weights=True
    )
    train = SparseBatches(f_train[:split], y_train[:split], 8, shuffle=True, seed=3)
    validation = SparseBatches(f_train[split:], y_train[split:], 256)
    model.fit(
        train, validation_data=validation, epochs=1, callbacks=[log, early_stopping], verbose=0
    )
    model.evaluate(SparseBatches(f_test, y_test, 256), callbacks=[log], verbose=0)
    assert log.run.history == run.history
    assert (log.run.test_loss, log.run.test_accuracy) == (run.test_loss, run.test_accuracy)


def test_levers_pretrain_and_keep_predictions(tmp_path, engine):
    """word2vec and language-model pretraining run before fit, are timed, and change the run."""
    data = tiny_data()
    chosen = {
        "plain": Setup(models.lstm, seeds=(1,)),
        "word2vec": Setup(models.lstm, embedding="word2vec", seeds=(1,), keep_predictions=True),
        "lm": Setup(models.lstm, pretraining="language model", seeds=(1,)),
        "nb": Setup(models.nb_logistic, features="nb", seeds=(1,), keep_predictions=True),
    }
    study = run_study(chosen, None, TINY, tmp_path / "s.json", data=data, cluster=engine)
    plain, word2vec, lm, nb = (study.run(name, 1) for name in chosen)
    assert plain.pretraining_seconds is None and plain.predictions is None
    assert word2vec.pretraining_seconds > 0 and lm.pretraining_seconds > 0
    assert word2vec.history["loss"] != plain.history["loss"] != lm.history["loss"]
    assert len({plain.key, word2vec.key, lm.key}) == 3
    (x_train, _), (x_test, _) = data
    for run in (word2vec, nb):
        validation = decode_predictions(run.predictions["validation"])
        test = decode_predictions(run.predictions["test"])
        assert len(validation) == len(x_train) - int(len(x_train) * 0.75)
        assert len(test) == len(x_test)
    on_disk = json.loads((tmp_path / "s.json").read_text())["runs"]
    assert "predictions" not in next(r for r in on_disk if r["name"] == "plain")
    assert load_study(tmp_path / "s.json") == study


def test_study_reads_runs_summaries_and_gaps(tmp_path, engine):
    study = run_study(
        setups(a=2, b=3), [1, 2, 3], TINY, tmp_path / "s.json", data=tiny_data(), cluster=engine
    )
    assert [r.seed for r in study.of("a")] == [1, 2, 3]
    assert study.run("b", 2).name == "b"
    summary = study.summary(["b", "a"])
    assert list(summary) == ["b", "a"] and summary["a"].n == 3
    gap = study.compare("a", "b")
    assert gap.gap == pytest.approx(100 * (summary["a"].mean - summary["b"].mean))
    with pytest.raises(KeyError, match="the study has no run of 'a' with seed 9"):
        study.run("a", 9)
    with pytest.raises(KeyError, match="the study has no runs of 'c': run `make study`"):
        study.of("c")


def test_committed_study_matches_the_current_setups():
    """Fails when a setup changes without `make study` being rerun."""
    study = load_study(default_study_path("full"))
    profile = get_profile("full")
    assert study.profile == profile
    keys = {name: setup_key(setup, profile) for name, setup in STUDY_MODELS.items()}
    for run in study.runs:
        assert run.name in keys, f"{run.name} is not a setup of rnnbook.setups"
        assert run.key == keys[run.name], f"{run.name} changed since the study: run `make study`"
    for name, setup in STUDY_MODELS.items():
        seeds = {r.seed for r in study.runs if r.name == name}
        assert seeds >= set(setup.seeds), f"{name} lacks seeds {set(setup.seeds) - seeds}"
    for name, setup in group("comparison").items():
        assert len(setup.seeds) >= 5, f"{name}: the comparison needs at least 5 seeds"


def test_committed_study_says_how_its_timings_were_measured():
    for run in load_study().runs:
        assert run.environment["concurrent"] in (1, 2) and run.environment["machine"]


def test_study_dataclass_round_trips(tmp_path, engine):
    study = run_study(setups(a=2), [1], TINY, tmp_path / "s.json", data=tiny_data(), cluster=engine)
    assert Study(study.profile, list(study.runs)).to_dict() == study.to_dict()


def test_command_line_refuses_unknown_setups_and_groups(capsys):
    with pytest.raises(SystemExit):
        study_module.main(["--models", "No such model"])
    assert "unknown setups ['No such model']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        study_module.main(["--group", "other"])
    assert "unknown study group 'other'" in capsys.readouterr().err


def test_command_line_refuses_an_unreachable_cluster_before_training(tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")

    def no_training(*args, **kwargs):
        raise AssertionError("trained without a cluster")

    monkeypatch.setattr(study_module, "train", no_training)
    monkeypatch.setenv("RNNBOOK_CLUSTER", "nosuch://127.0.0.1:1")
    output = tmp_path / "study.json"
    with pytest.raises(SystemExit):
        study_module.main(["--models", "Basic RNN", "--profile", "smoke", "--output", str(output)])
    (line,) = capsys.readouterr().err.strip().splitlines()[-1:]
    assert "no Dask scheduler answers at 'nosuch://127.0.0.1:1'" in line
    assert "unset RNNBOOK_CLUSTER" in line and not output.exists()


class DriverKilled(Exception):
    pass


def test_a_killed_driver_resumes_where_it_stopped(tmp_path, monkeypatch, engine):
    """The driver dies after writing its first run; run again, it trains only the others."""
    path = tmp_path / "study.json"
    write = study_module._write

    def write_then_die(path, study):
        write(path, study)
        raise DriverKilled

    monkeypatch.setattr(study_module, "_write", write_then_die)
    with pytest.raises(DriverKilled):
        run_study(setups(a=2, b=3), [1, 2], TINY, path, data=tiny_data(), cluster=engine)
    (first,) = load_study(path).runs
    monkeypatch.setattr(study_module, "_write", write)
    study = run_study(setups(a=2, b=3), [1, 2], TINY, path, data=tiny_data(), cluster=engine)
    landed = [(r.name, r.seed) for r in load_study(path).runs]
    assert sorted(landed) == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    # the first run's record, with its timings and finishing time, is the one written before
    assert study.run(first.name, first.seed) == first
    assert not list(tmp_path.glob(".*.tmp"))


def fails_on_a_worker(num_words, maxlen):
    """A builder that works for the driver (the run key) and fails where the run trains."""
    import distributed

    try:
        distributed.get_worker()
    except ValueError:
        return tiny_builder(2)(num_words, maxlen)
    raise ValueError("broken setup")


def test_a_failed_run_is_reported_after_the_others_are_written(tmp_path, engine):
    path = tmp_path / "study.json"
    chosen = {"bad": Setup(fails_on_a_worker), **setups(a=2)}
    with pytest.raises(
        RuntimeError, match=r"1 runs failed: bad, seed 1: ValueError\('broken setup'\)"
    ):
        run_study(chosen, [1], TINY, path, data=tiny_data(), cluster=engine)
    assert [(r.name, r.seed) for r in load_study(path).runs] == [("a", 1)]


class Gated:
    """A setup's builder that, on a worker, says that its run started and waits to be let go.

    The driver builds the model too (for the run key) and does not wait.
    """

    def __init__(self, build):
        self.build = build

    def __call__(self, num_words, maxlen):
        import distributed

        try:
            worker = distributed.get_worker()
        except ValueError:  # the driver
            return self.build(num_words, maxlen)
        distributed.Variable("running").set({"pid": os.getpid(), "address": worker.address})
        distributed.Event("started").set()
        if not distributed.Event("go").wait(timeout=300):
            raise TimeoutError("the test never let the run go")
        return self.build(num_words, maxlen)


def wait_until(condition, what, timeout=300.0):
    """Poll a condition until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def test_a_killed_worker_loses_no_run(tmp_path, monkeypatch):
    """Kill a worker in the middle of a run: every run lands once, and the file stays whole.

    Smoke profile, the smallest setup (the basic RNN), two worker processes
    on the loopback address. One run is held on its worker until that worker
    is killed; the other run lands meanwhile.
    """
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    profile = get_profile("smoke")
    rng = np.random.default_rng(0)
    n_train, n_test = profile.train_size, profile.test_size
    x = rng.integers(1, profile.num_words, size=(n_train + n_test, profile.maxlen), dtype="int32")
    y = rng.integers(0, 2, size=n_train + n_test)
    data = (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
    chosen = {
        "Basic RNN": Setup(models.basic_rnn),
        "Basic RNN, held": Setup(Gated(models.basic_rnn)),
    }
    path = tmp_path / "study.json"
    # One task at a time per worker, so the held run never blocks the other.
    with (
        dask.config.set({"distributed.scheduler.worker-saturation": 1.0}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            memory_limit=0,
            # rnnbook's switch that spares a JAX process TensorFlow's import (the
            # book's build sets it too): seconds of CPU per worker, same weights
            env={"RNNBOOK_LAZY_TENSORFLOW": "1"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(2, timeout=300)
        monkeypatch.setenv("RNNBOOK_CLUSTER", cluster.scheduler_address)
        outcome = {}

        def driver():
            try:
                outcome["study"] = run_study(chosen, [1], profile, path, data=data)
            except BaseException as error:  # pragma: no cover - reported below
                outcome["error"] = error

        thread = threading.Thread(target=driver)
        thread.start()
        try:
            assert distributed.Event("started", client=client).wait(timeout=300)
            wait_until(lambda: path.exists(), "the other run is written")
            before = json.loads(path.read_text())
            assert [r["name"] for r in before["runs"]] == ["Basic RNN"]
            running = distributed.Variable("running", client=client).get(timeout=10)
            os.kill(running["pid"], signal.SIGKILL)
            wait_until(
                lambda: running["address"] not in client.scheduler_info()["workers"],
                "the scheduler notices the lost worker",
            )
        finally:
            distributed.Event("go", client=client).set()
            thread.join(timeout=600)
        assert not thread.is_alive() and "error" not in outcome, outcome.get("error")
    after = json.loads(path.read_text())  # valid JSON
    assert sorted((r["name"], r["seed"]) for r in after["runs"]) == [
        ("Basic RNN", 1),
        ("Basic RNN, held", 1),
    ]
    assert after["runs"][0] == before["runs"][0]  # nothing already written is lost
    assert load_study(path) == outcome["study"]
