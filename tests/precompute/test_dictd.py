"""FreeDict dictd files: offsets, entries in each dictionary's style, the parts of speech they mark."""

import gzip

import pytest

from precompute.dictd import B64, b64_number, clean_item, parse_body, read_entries


def b64(n: int) -> str:
    out = ""
    while True:
        out = B64[n % 64] + out
        n //= 64
        if n == 0:
            return out


def write_dictd(folder, name: str, entries: list[tuple[list[str], str]]) -> None:
    """A dictd pair: ``entries`` are (index headwords, entry text)."""
    data, index = b"", []
    for heads, text in entries:
        raw = text.encode()
        index += [f"{h}\t{b64(len(data))}\t{b64(len(raw))}" for h in heads]
        data += raw
    index.append(f"00databaseinfo\t{b64(0)}\t{b64(3)}")
    (folder / f"freedict-{name}.index").write_text("\n".join(sorted(index)) + "\n", encoding="utf-8")
    (folder / f"freedict-{name}.dict.dz").write_bytes(gzip.compress(data))


def test_offsets_are_dictd_base64():
    assert b64_number("A") == 0 and b64_number("B") == 1 and b64_number("BA") == 64
    assert all(b64_number(b64(n)) == n for n in (0, 63, 64, 4095, 123456))


def test_a_tagged_header_and_tagged_items_are_nouns_and_other_tags_are_not():
    pos, items = parse_body("Hund /hʊnt/ <masc, n, sg>\n [zool.] dog <n>, dawg <n>\n   Synonyms: {Köter}\n")
    assert pos == "n" and items == [("dog", "n"), ("dawg", "n")]
    pos, items = parse_body("laufen /l/ <v>\nrun <v>, jog\n")
    assert pos == "x" and [p for _, p in items] == ["x", "x"]


def test_sections_numbering_and_nested_brackets():
    body = "dog /dɒg/\nI.  <N> 1.  [gatunek]  pies\n 2.  [samiec]  pies\nII.  <V> 1.  prześladować\n"
    assert parse_body(body)[1] == [("pies", "n"), ("pies", "n"), ("prześladować", "x")]
    jmdict = "犬 /x/, いぬ /inɯ/\n1. (noun (common) (futsuumeishi))\ndog (Canis (lupus) familiaris)\n" \
             "2. (adjectival nouns or quasi-adjectives (keiyodoshi))\nuseless\n"
    assert parse_body(jmdict)[1] == [("dog", "n"), ("useless", "x")]
    assert parse_body("Essen /ˈɛsn̩/ <n, neut>\n1. еда 2.\n")[1] == [("еда", "n")]


def test_an_item_that_is_a_sentence_or_a_number_is_dropped():
    assert clean_item("eine zubereitete Speise, die man isst") == ""
    assert clean_item("B52") == "" and clean_item(" ... ") == ""
    assert clean_item("hot dog.") == "hot dog"


def test_entries_come_back_with_their_written_headwords(tmp_path):
    write_dictd(tmp_path, "deu-eng", [(["hund"], "Hund /hʊnt/ <masc, n, sg>\ndog <n>\n"),
                                      (["katze", "mieze"], "Katze /k/ <fem, n, sg>\ncat <n>\n")])
    entries = read_entries(tmp_path, "deu-eng")
    assert [e.headwords for e in entries] == [("Hund",), ("Katze", "mieze")]
    assert entries[0].items == (("dog", "n"),)


def test_a_missing_dictionary_names_the_package(tmp_path):
    with pytest.raises(FileNotFoundError, match="dict-freedict-spa-eng"):
        read_entries(tmp_path, "spa-eng")
