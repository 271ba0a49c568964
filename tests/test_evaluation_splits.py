"""evaluation/: the three photo sets never overlap, and the answer metrics score known cases."""

import numpy as np
import pytest

from evaluation.answer_metrics import expected_calibration_error, reliability
from evaluation.splits import is_selection_class, labelled_rows, part_of


def test_store_selection_and_held_out_photos_never_overlap(shared):
    rows = labelled_rows(shared)
    parts = {}
    for r in rows:
        parts.setdefault(part_of(r), set()).add(r["path"])
    assert set(parts) == {"store", "selection", "held-out"}
    assert not (parts["store"] & parts["selection"]) and not (parts["selection"] & parts["held-out"])
    held_classes = {r["wnid"] for r in rows if part_of(r) == "held-out"}
    val_selection = {r["wnid"] for r in rows if r["set"] == "ilsvrc2012-val" and part_of(r) == "selection"}
    assert held_classes and val_selection and not held_classes & val_selection
    assert 0.4 < len(val_selection) / (len(val_selection) + len(held_classes)) < 0.6


def test_the_split_is_a_fixed_function_of_the_class():
    assert [is_selection_class(w) for w in ("n01440764", "n02084071")] == \
        [is_selection_class(w) for w in ("n01440764", "n02084071")]


def test_calibration_error_and_reliability():
    conf = np.array([0.9, 0.9, 0.9, 0.9, 0.2, 0.2])
    right = np.array([1, 1, 1, 0, 0, 0])
    assert expected_calibration_error(conf, right) == pytest.approx(4 / 6 * 0.15 + 2 / 6 * 0.2)
    rows = reliability(conf, right)
    assert [(n, round(a, 2)) for _, n, _, a in rows] == [(2, 0.0), (4, 0.75)]


def test_judge_scores_exact_near_and_hierarchical_f1():
    from evaluation.answer_metrics import Judge
    from visemb.store import Store

    paths = {"entity": ["entity.n.01"], "animal": ["entity.n.01", "animal.n.01"],
             "dog": ["entity.n.01", "animal.n.01", "dog.n.01"],
             "beagle": ["entity.n.01", "animal.n.01", "dog.n.01", "beagle.n.01"],
             "cat": ["entity.n.01", "animal.n.01", "cat.n.01"]}
    pooled = {"entity": 2, "animal": 2, "dog": 1}
    entries = [{"key": k, "synsets": [p[-1]], "hypernyms": p, "ancestors": p[:-1], "n_classes": pooled.get(k, 1)}
               for k, p in paths.items()]
    entries[2]["same_photos_as"] = "beagle"  # dog repeats beagle's photos: skipped when counting the parents
    store = Store(np.eye(len(entries), dtype=np.float32), entries)
    j = Judge(store)
    row = {k: i for i, k in enumerate(paths)}
    exact = j.judge(row["beagle"], [row["beagle"]], row["beagle"], 0.9, "medium")
    assert exact.exact and exact.near and exact.h_f1 == 1.0 and exact.correct
    up = j.judge(row["animal"], [row["animal"]], row["beagle"], 0.9, "medium")
    assert up.correct and up.near and not up.exact and up.h_precision == 1.0 and up.h_recall == pytest.approx(1 / 3)
    wrong = j.judge(row["cat"], [row["cat"]], row["beagle"], 0.9, "medium")
    assert not wrong.correct and wrong.info_gain == 0.0 and wrong.h_f1 == pytest.approx(0.4)
