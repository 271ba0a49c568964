"""EDICT's lines: the first sense of a noun, kanji and kana forms."""

from precompute.edict import first_sense, noun_pairs


def test_first_sense_glosses_without_tags_or_remarks():
    assert first_sense("(n) (1) (uk) giraffe (Giraffa camelopardalis)/(n) (2) qilin (Chinese unicorn)/") == (
        ["n"], ["giraffe"])
    assert first_sense("(n) (1) dog (Canis (lupus) familiaris)/(n) (2) spy/") == (["n"], ["dog"])
    assert first_sense("(n) ditto mark/EntL123X/") == (["n"], ["ditto mark"])
    assert first_sense("(v5r,vi) to run/")[0] == ["v5r", "vi"]


def test_noun_entries_give_both_forms_and_other_parts_of_speech_none(tmp_path):
    path = tmp_path / "edict"
    lines = ["\u3000？？？ /EDICT header/", "麒麟 [きりん] /(n) (1) giraffe/(n) (2) qilin/",
             "キリン /(n) (uk) giraffe/", "走る [はしる] /(v5r,vi) to run/", "broken line"]
    path.write_bytes("\n".join(lines).encode("euc_jp"))
    assert sorted(noun_pairs(path)) == [("きりん", "giraffe"), ("キリン", "giraffe"), ("麒麟", "giraffe")]
