"""``python -m precompute lexicons`` given bad files: lines that are not UTF-8 or not dictd's base 64 are left out,
a file that is not gzip or inflates past any dictionary's size is refused in one line naming it, a CLDR language
whose file is not CLDR's JSON (or is too big, or sits in a folder that is no language code) is left out."""

import gzip
import io
import json
import logging
import tarfile

import pytest

from precompute import dictd
from precompute.dictd import read_entries
from precompute.errors import LexiconInputError
from precompute.lexicons import read_cldr, write_lexicons
from tests.precompute.test_dictd import write_dictd


def test_index_lines_that_are_not_utf8_or_base64_are_left_out(tmp_path, caplog):
    write_dictd(tmp_path, "deu-eng", [(["hund"], "Hund <masc, n>\ndog\n"), (["katze"], "Katze <fem, n>\ncat\n")])
    index = tmp_path / "freedict-deu-eng.index"
    index.write_bytes(index.read_bytes() + b"h\xffnd\tA\tB\n" + "tisch\tA!\tB\n".encode() + b"baum\tA\tzzzzzzzzzzzz\n")
    with caplog.at_level(logging.WARNING):
        entries = read_entries(tmp_path, "deu-eng")
    assert sorted(e.headwords[0] for e in entries) == ["Hund", "Katze"]
    assert "3 line(s) left out" in caplog.text


def test_a_dictionary_that_is_not_gzip_is_named(tmp_path):
    write_dictd(tmp_path, "deu-eng", [(["hund"], "Hund <masc, n>\ndog\n")])
    (tmp_path / "freedict-deu-eng.dict.dz").write_bytes(b"plain text, not dictzip")
    with pytest.raises(LexiconInputError, match="freedict-deu-eng.dict.dz: not a dictzip"):
        read_entries(tmp_path, "deu-eng")


def test_a_dictionary_that_inflates_past_the_bound_is_refused_in_steps(tmp_path, monkeypatch):
    write_dictd(tmp_path, "deu-eng", [(["hund"], "Hund <masc, n>\ndog\n")])
    (tmp_path / "freedict-deu-eng.dict.dz").write_bytes(gzip.compress(b"\0" * (8 * 2**20)))
    monkeypatch.setattr(dictd, "MAX_DICT_BYTES", 2 * 2**20)
    with pytest.raises(LexiconInputError, match="inflates past 2 MB"):
        read_entries(tmp_path, "deu-eng")


def cldr_tarball(path, files: dict[str, bytes], sizes: dict[str, int] | None = None):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/annotations/{name}/annotations.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def annotations(names: dict[str, str]) -> bytes:
    return json.dumps({"annotations": {"annotations": {e: {"tts": [n]} for e, n in names.items()}}}).encode()


def test_cldr_languages_whose_files_are_not_cldrs_json_are_left_out(tmp_path, caplog):
    good = annotations({"🐕": "Hund"})
    files = {"en": annotations({"🐕": "dog"}), "de": good, "fr": b'{"annotations": []}', "it": b"\xff\xfe{",
             "es": b"[" * 200_000 + b"]" * 200_000, "pl": json.dumps({"annotations": {"annotations": {
                 "🐕": {"tts": "pies"}, "🐈": {"tts": ["kot"]}}}}).encode(), "..": good, "de-CH": good}
    with caplog.at_level(logging.WARNING):
        out = read_cldr(cldr_tarball(tmp_path / "cldr.tgz", files))
    assert sorted(out) == ["de", "en", "pl"] and out["pl"] == {"🐈": ["kot"]}
    assert all(f"{lang}'s annotations are not CLDR's" in caplog.text for lang in ("fr", "it", "es"))


def test_a_cldr_member_bigger_than_any_languages_is_never_read(tmp_path, caplog, monkeypatch):
    from precompute import lexicons

    monkeypatch.setattr(lexicons, "MAX_CLDR_BYTES", 2**20)
    files = {"en": annotations({"🐕": "dog"}), "de": b" " * (4 * 2**20)}
    with caplog.at_level(logging.WARNING):
        out = read_cldr(cldr_tarball(tmp_path / "cldr.tgz", files))
    assert sorted(out) == ["en"] and "de's annotations are over 1 MB" in caplog.text


def test_an_archive_that_is_not_a_tarball_and_a_cedict_that_is_not_gzip_are_named(tmp_path):
    bad = tmp_path / "cldr.tgz"
    bad.write_bytes(b"not a tarball")
    with pytest.raises(LexiconInputError, match="cldr.tgz: not the cldr-annotations-full npm tarball"):
        read_cldr(bad)
    cedict = tmp_path / "cedict.txt.gz"
    cedict.write_bytes(b"not gzip")
    with pytest.raises(LexiconInputError, match="cedict.txt.gz: cannot be read"):
        write_lexicons(tmp_path / "out", set(), None, None, cedict_path=cedict)
    cedict = tmp_path / "cedict.txt"
    cedict.write_bytes("狗 狗 [gou3] /dog/\n".encode() + b"\xff\xfe bad\n")
    with pytest.raises(LexiconInputError, match="cedict.txt: cannot be read .*UnicodeDecodeError"):
        write_lexicons(tmp_path / "out", set(), None, None, cedict_path=cedict)
