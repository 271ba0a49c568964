"""precompute/vocabulary_stage.py: written once, refreshed when its record format is older."""

import json

import pytest

from precompute.config import PipelineConfig
from precompute.errors import PipelineError
from precompute.vocabulary_stage import VOCAB_FORMAT, vocabulary_stage
from tests.helpers import needs_wordnet

WORDS = ("zzqa", "zzqb", "zzqc")  # words WordNet does not know: bare records, no WordNet needed


def test_written_once_then_read_back(tmp_path):
    cfg = PipelineConfig(words=WORDS, source="folder")
    first = vocabulary_stage(tmp_path, cfg)
    assert first["format"] == VOCAB_FORMAT and [u["query"] for u in first["units"]] == list(WORDS)
    saved = json.loads((tmp_path / "vocab.json").read_text())
    saved["entries"][0]["gloss"] = "kept: a current file is never rebuilt"
    (tmp_path / "vocab.json").write_text(json.dumps(saved))
    assert vocabulary_stage(tmp_path, cfg)["entries"][0]["gloss"] == "kept: a current file is never rebuilt"


def test_older_records_are_refreshed_when_the_units_match(tmp_path):
    cfg = PipelineConfig(words=WORDS, source="folder")
    old = vocabulary_stage(tmp_path, cfg)
    del old["format"]
    old["entries"][0]["gloss"] = "stale"
    (tmp_path / "vocab.json").write_text(json.dumps(old))
    fresh = vocabulary_stage(tmp_path, cfg)
    assert fresh["format"] == VOCAB_FORMAT and fresh["entries"][0]["gloss"] != "stale"
    assert json.loads((tmp_path / "vocab.json").read_text())["format"] == VOCAB_FORMAT


def test_older_file_with_other_units_asks_for_a_fresh_folder(tmp_path):
    cfg = PipelineConfig(words=WORDS, source="folder")
    old = vocabulary_stage(tmp_path, cfg)
    del old["format"]
    old["units"] = old["units"][:2]
    (tmp_path / "vocab.json").write_text(json.dumps(old))
    with pytest.raises(PipelineError, match="fresh --work folder"):
        vocabulary_stage(tmp_path, cfg)


@needs_wordnet
def test_an_imagenet_store_without_given_nouns_leaves_them_and_only_them_out(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("path,wnid,set\na.jpg,n02084071,s\nb.jpg,n02121808,s\nc.jpg,n01503061,s\n")
    cfg = PipelineConfig(vocabulary="imagenet", labels_csv=str(labels), ancestors=False,
                         without=("n02121808", "bird.n.01"))
    vocab = vocabulary_stage(tmp_path / "work", cfg)
    assert [u["synset"] for u in vocab["units"]] == ["dog.n.01"]
    assert PipelineConfig.from_dict(cfg.to_dict()) == cfg  # the work folder's record keeps the list
