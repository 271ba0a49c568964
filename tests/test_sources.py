"""visemb/sources: registry, folder, labelled (senses, foreign words), web engines against a loopback server."""

import time

import pytest
from tests.helpers import needs_shared
from tests.fakesearch import FakeSearch, dead_url

from visemb.errors import BadQueryError, NoImagesError, SourceUnavailableError
from visemb.sources import SOURCE_NAMES, clean_query, fold, get_source
from visemb.translate import with_known_senses


def test_unknown_source_lists_names():
    with pytest.raises(ValueError, match="Unknown image source 'altavista'"):
        get_source("altavista")
    assert {"bing", "folder", "labelled", "offline"} <= set(SOURCE_NAMES)


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", "x" * 500])
def test_bad_queries(bad):
    with pytest.raises(BadQueryError):
        clean_query(bad)


def test_any_script_is_a_query():
    for word in ("כלב", "собака", "狗", "🐶", "Goldfisch"):
        assert clean_query(f"  {word} ") == word
    assert fold("Чéрный кот") == fold("чeрный  кот".replace("  ", " "))


def test_folder_source(image_folder):
    src = get_source("folder", root=image_folder)
    res = src.fetch("Apple", k=10)
    assert [p.name for p in res.paths] == ["0.jpg", "1.jpg", "2.jpg"]  # the broken file is never served
    with pytest.raises(NoImagesError, match="no folder"):
        src.fetch("pear")
    with pytest.raises(NoImagesError):
        src.fetch("../apple")  # user text never becomes a path
    with pytest.raises(SourceUnavailableError):
        get_source("folder", root=image_folder / "missing").fetch("apple")


@pytest.mark.parametrize("engine", ["bing", "google"])
def test_web_engine_against_loopback(engine, tmp_path):
    with FakeSearch(n_images=5) as fs:
        src = get_source(engine, base_url=fs.url, timeout=3)
        res = src.fetch("chien", k=3, dest=tmp_path)
        assert 1 <= len(res.paths) <= 3 and all(p.is_file() for p in res.paths)
        assert all(str(tmp_path) in str(p) for p in res.paths)
        again = src.fetch("chien", k=3, dest=tmp_path)
        assert again.paths[0].parent != res.paths[0].parent  # a fresh folder per query
        assert all(url.startswith(fs.url) for url in res.origins.values())
        # a known label: its senses travel with web pictures too (a bare web fetch knows none of its own)
        assert res.senses == []
        assert with_known_senses(src.fetch("chien", 2, dest=tmp_path), src).senses[0] == "dog.n.01"
        assert with_known_senses(src.fetch("qwzx", 1, dest=tmp_path), src).senses == []


def test_web_non_ascii_word_is_quoted(tmp_path):
    with FakeSearch() as fs:
        res = get_source("bing", base_url=fs.url).fetch("собака", k=2, dest=tmp_path)
        assert res.paths
        page = [r for r in fs.requests if r.startswith("/images/async")][0]
        assert "%D1%81%D0%BE" in page and page.isascii()


def test_web_no_results_and_broken_images(tmp_path):
    with FakeSearch() as fs:
        src = get_source("bing", base_url=fs.url, timeout=3)
        with pytest.raises(NoImagesError, match="no usable image"):
            src.fetch("empty", k=3, dest=tmp_path)
        with pytest.raises(NoImagesError, match="broken"):
            src.fetch("brokenthing", k=3, dest=tmp_path)


def test_web_pictures_are_the_first_results_in_rank_order_whatever_finishes_first(tmp_path):
    """The engine's first results, in its order: not the downloads that happened to end first (the first rank is
    the slowest here), so two searches of one word keep the same pictures."""
    with FakeSearch(n_images=8) as fs:
        src = get_source("bing", base_url=fs.url, timeout=5, threads=4)
        runs = [src.fetch("slowword", k=3, dest=tmp_path / str(i)) for i in range(2)]
    for res in runs:
        assert [res.origins[str(p)].rsplit("/", 1)[-1] for p in res.paths] == ["0.jpg", "1.jpg", "2.jpg"]
    assert [p.read_bytes() for p in runs[0].paths] == [p.read_bytes() for p in runs[1].paths]


def test_web_pictures_with_the_same_bytes_count_once(tmp_path):
    with FakeSearch(n_images=8) as fs:
        res = get_source("bing", base_url=fs.url, timeout=5, threads=4).fetch("twinword", k=3, dest=tmp_path)
    assert len({p.read_bytes() for p in res.paths}) == len(res.paths) == 3
    assert [res.origins[str(p)].rsplit("/", 1)[-1] for p in res.paths] == ["0.jpg", "2.jpg", "4.jpg"]
    assert any("repeated" in n for n in res.notes)


def test_web_dead_server_fails_fast(tmp_path):
    t0 = time.monotonic()
    with pytest.raises(SourceUnavailableError, match="Cannot reach bing"):
        get_source("bing", base_url=dead_url()).fetch("dog", dest=tmp_path)
    assert time.monotonic() - t0 < 10


def test_flickr_needs_key(monkeypatch):
    monkeypatch.delenv("FLICKR_API_KEY", raising=False)
    with pytest.raises(SourceUnavailableError, match="FLICKR_API_KEY"):
        get_source("flickr").fetch("dog")


@needs_shared
class TestLabelled:
    @pytest.fixture(scope="class")
    def source(self, shared):
        import csv

        from visemb.lexicon.foreign_labels import ForeignLabels

        with open(shared / "photos" / "labels.csv") as f:
            wnids = sorted({r["wnid"] for r in csv.DictReader(f)})
        foreign = ForeignLabels.from_babel_imagenet(
            shared / "multilingual" / "babel-imagenet" / "babel_imagenet.json", wnids)
        ForeignLabels.from_omw(sorted((shared / "multilingual" / "omw").glob("*/*.tab")), into=foreign)
        return get_source("labelled", labels_csv=shared / "photos" / "labels.csv", foreign=foreign)

    def test_chien_draws_mostly_dogs_from_breeds(self, source):
        senses = source.senses("chien")
        assert senses[0][0] == "n02084071"  # dog.n.01 ranks first
        res = source.fetch("chien", k=8)
        dog_photos = [p for p in res.paths if res.origins[str(p)] == "dog.n.01"]
        assert len(dog_photos) >= 6
        assert len({p.name.split("_")[0] for p in dog_photos}) > 1  # several breeds, not one class

    def test_goldfisch_and_english(self, source):
        assert source.fetch("Goldfisch", k=2).origins
        assert set(source.fetch("goldfish", k=3).origins.values()) == {"goldfish.n.01"}

    def test_a_known_label_reports_the_senses_it_names(self, source):
        assert source.fetch("Goldfisch", k=2).senses == ["goldfish.n.01"]
        assert source.fetch("chien", k=2).senses[0] == "dog.n.01"
        assert source.fetch("Katze", k=2).senses == []  # photos of compounds ending in it: no sense is named

    def test_the_senses_more_lexicons_agree_on_win(self, shared):
        """FreeDict gives *Bär* as bear and as monkey (a pile driver's ram); CLDR as bear: bear alone stays. With
        FreeDict alone, both stay, the commoner (monkey) first."""
        from visemb.lexicon.foreign_labels import ForeignLabels

        bear, monkey = "n02131653", "n02484322"
        both = ForeignLabels()
        for wnid, origin in ((monkey, "freedict"), (bear, "freedict"), (bear, "cldr")):
            both.add("Bär", wnid, "de", origin)
        agreed = get_source("labelled", labels_csv=shared / "photos" / "labels.csv", foreign=both)
        assert [w for w, _, _ in agreed.senses("Bär", "de")] == [bear]
        assert set(agreed.fetch("Bär", k=6, lang="de").origins.values()) == {"bear.n.01"}
        one = ForeignLabels()
        for wnid in (monkey, bear):
            one.add("Bär", wnid, "de", "freedict")
        alone = get_source("labelled", labels_csv=shared / "photos" / "labels.csv", foreign=one)
        assert [w for w, _, _ in alone.senses("Bär", "de")] == [monkey, bear]

    def test_crane_keeps_senses(self, source):
        res = source.fetch("crane", k=6)
        assert {"crane.n.04", "crane.n.05"} <= set(res.origins.values())

    def test_unknown_word(self, source):
        with pytest.raises(NoImagesError, match="No source knows 'qwzx'"):
            source.fetch("qwzx")

    def test_a_word_with_no_label_draws_the_photos_of_labels_ending_in_it_and_says_so(self, source):
        """German has no label 'Katze', but 'Perserkatze' and 'Siamkatze' (kinds of Katze) are labels."""
        assert not source.foreign.lookup("Katze") and not source.lexicon.english_senses("Katze")
        res = source.fetch("Katze", k=8)
        assert {"persian_cat.n.01", "siamese_cat.n.01"} <= set(res.origins.values())
        assert "not a known label" in res.notes[0] and any("perserkatze" in n for n in res.notes)
        assert "compound" not in " ".join(source.fetch("Perserkatze", k=2).notes)  # a known label: as before

    def test_exclude_and_sets(self, shared):
        src = get_source("labelled", labels_csv=shared / "photos" / "labels.csv", sets=("imagenet-samples",))
        assert all("imagenet-samples" in str(p) for p in src.fetch("dog", k=20).paths)

    def test_a_restricted_copy_serves_only_its_classes(self, source):
        first, *rest = sorted(source.photos)
        assert source.photos_under(first)  # now in the full source's cache
        part = source.restricted(lambda w: w != first)
        assert part.photos_under(first) == [] and first not in part.photos
        assert part.photos_under(rest[0]) == source.photos_under(rest[0])
        assert source.photos_under(first) and first in source.photos  # the full source is as it was


def test_heads_only_in_languages_that_name_kinds_that_way():
    from visemb.lexicon.foreign_labels import ForeignLabels

    labels = ForeignLabels()
    for word, wnid, lang in (("Perserkatze", "n1", "de"), ("Siamkatze", "n2", "de"), ("Katze", "n3", "de"),
                             ("xkatzeplus", "n4", "de"), ("hauskatze", "n5", "fr"), ("zwartekatze", "n6", "nld")):
        labels.add(word, wnid, lang, "test")
    assert [r[0] for r in labels.lookup_as_head("KATZE")] == ["n1", "n2", "n6"]  # sorted by label
    assert labels.lookup_as_head("perserkatze") == []  # a label is not a compound of itself
    assert labels.lookup_as_head("tze") == []  # too short a head (3 letters) would match half the lexicon
    for phrase, wnid, lang in (("спортивный автомобиль", "n7", "ru"), ("пожарный автомобиль", "n8", "ru"),
                               ("chat persan", "n9", "fr"), ("grand chat", "n10", "fr")):
        labels.add(phrase, wnid, lang, "test")
    assert [r[0] for r in labels.lookup_as_head("Автомобиль")] == ["n8", "n7"]  # the phrase's last word
    assert labels.lookup_as_head("persan") == [] and labels.lookup_as_head("chat") == []  # French: head first
    assert [r[0] for r in labels.lookup_as_head("hund")] == []  # nothing ends in it
    assert labels.lookup_as_head("ze") == [] and labels.lookup_as_head("") == []


def test_the_labels_table_reads_back_what_was_saved(tmp_path):
    from visemb.lexicon.foreign_labels import ForeignLabels

    labels = ForeignLabels()
    for word, wnid, lang, origin in (("Hund", "n1", "deu", "omw"), ('chien "fou"', "n1", "fr", "cldr"),
                                     ("perro\tcaliente", "n2", "spa", "freedict"), ("Ñandú", "n3", "es", "omw")):
        labels.add(word, wnid, lang, origin)
    for name in ("labels.tsv", "labels.tsv.gz"):
        labels.save_tsv(tmp_path / name)
        assert ForeignLabels.from_tsv(tmp_path / name).by_word == labels.by_word  # quotes and tabs survive
    (tmp_path / "short.tsv").write_text("word\twnid\tlang\torigin\tform\nhund\tn1\tde\nkatze\tn4\tdeu\tomw\t\n")
    assert dict(ForeignLabels.from_tsv(tmp_path / "short.tsv").by_word) == {"katze": [("n4", "de", "omw", "katze")]}
    (tmp_path / "headless.tsv").write_text("hund\tn1\tde\tomw\n")
    with pytest.raises(ValueError, match="not a labels table"):
        ForeignLabels.from_tsv(tmp_path / "headless.tsv")


def test_senses_fewer_lexicons_give_go_in_each_language_and_senses_found_otherwise_stay():
    from visemb.lexicon.senses import best_agreed

    found = {"bear": [("de", "FreeDict"), ("de", "CLDR")], "monkey": [("de", "FreeDict")],
             "berry": [("sv", "OMW"), ("sv", "FreeDict")], "persian_cat": []}
    assert best_agreed(found, ["bear", "monkey", "berry", "persian_cat"]) == {"bear", "berry", "persian_cat"}
    assert best_agreed({"bird": [("en", "WordNet")], "machine": [("en", "WordNet")]}, ["bird", "machine"]) == \
        {"bird", "machine"}  # one lexicon each: every sense stays


def test_foreign_labels_moved_to_the_lexicon_and_the_old_name_warns():
    import importlib
    import sys

    sys.modules.pop("visemb.sources.foreign_labels", None)
    with pytest.warns(DeprecationWarning, match="visemb.lexicon.foreign_labels"):
        old = importlib.import_module("visemb.sources.foreign_labels")
    from visemb.lexicon.foreign_labels import ForeignLabels

    assert old.ForeignLabels is ForeignLabels
