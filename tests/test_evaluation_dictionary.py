"""evaluation/dictionary.py and evaluation/grown.py: the scores of dictionary answers and grown answers."""

import pytest

from evaluation.dictionary import calibration_bins, omw_labels, summary
from evaluation.grown import fit_calibration
from evaluation.grown import summary as grown_summary


def rows(*spec):
    return [{"lang": lang, "basis": basis, "share": share, "probability": p, "right": right, "exact": right}
            for lang, basis, share, p, right in spec]


def test_bins_count_dictionary_answers_by_share_and_leave_empty_bins_out():
    got = calibration_bins(rows(("fr", "dictionary", 0.2, 0.2, False), ("fr", "dictionary", 0.3, 0.3, True),
                                ("it", "dictionary", 1.0, 1.0, True), ("it", "pictures", None, 0.9, False)))
    assert got == [[0.0, 0.5, 2], [0.99, 1.0, 1]]


def test_summary_right_exact_answered_and_calibration():
    s = summary(rows(("fr", "dictionary", 1.0, 0.95, True), ("it", "error", None, 0.0, False),
                     ("el", "pictures", None, 0.9, True)))
    assert (s["words"], s["languages"], s["right"], s["answered"], s["by_dictionary"], s["by_pictures"]) == (
        3, 3, pytest.approx(2 / 3, abs=1e-3), pytest.approx(2 / 3, abs=1e-3), 1, 1)
    assert s["high_words"] == 2 and s["high_right"] == 1.0 and 0 <= s["ece"] <= 1


def test_omw_words_are_single_lower_case_noun_lemmas(tmp_path):
    tab = tmp_path / "multilingual" / "omw" / "fra" / "wn-data-fra.tab"
    tab.parent.mkdir(parents=True)
    tab.write_text("# header\n02439033-n\tfra:lemma\tgirafe\n02439033-n\tfra:lemma\tGiraffe Afrique\n"
                   "13104059-n\tlemma\tarbre\n01234567-v\tfra:lemma\tcourir\n", encoding="utf-8")
    labels, first = omw_labels(tmp_path)
    assert labels == {("fr", "girafe"): {"n02439033"}, ("fr", "arbre"): {"n13104059"}}
    assert first[("fr", "n02439033")] == "girafe"


def test_grown_calibration_and_its_scores():
    grown = [{"grown": True, "margin": m, "exact": e, "within_two": e, "truth_is_candidate": True, "noun": str(i)}
             for i, (m, e) in enumerate([(0.01, False), (0.02, False), (0.2, True), (0.3, True)])]
    cal = fit_calibration(grown)
    assert cal["slope"] > 0 and cal["n"] == 4
    s = grown_summary(grown, cal)
    assert s["exact"] == 0.5 and s["grown_answers"] == 4 and 0 <= s["ece_grown"] <= 1
