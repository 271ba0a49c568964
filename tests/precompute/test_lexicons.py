"""The open lexicons: FreeDict read both ways and through pivot languages, CLDR emoji names through English."""

import json

from precompute.lexicons import (cedict_labels, cldr_labels, ecdict_labels, english_nouns, freedict_labels,
                                 is_noun_gloss)
from tests.helpers import needs_wordnet
from tests.precompute.test_dictd import write_dictd

DOG, FOOD, BUTTERFLY, CAT = "n02084071", "n00021265", "n02274259", "n02121620"
KEEP = {DOG, FOOD, BUTTERFLY, CAT}
BEAR, MONKEY = "n02131653", "n02484322"
CAR, WAGON = "n02958343", "n04543158"


@needs_wordnet
def test_an_english_word_maps_to_the_senses_it_is_used_in():
    assert english_nouns("dog") == (DOG,)  # not frump, cad or hotdog
    assert english_nouns("a butterfly") == (BUTTERFLY,)
    assert english_nouns("dogs") == (DOG,) and english_nouns("chien") == ()


@needs_wordnet
def test_freedict_both_directions_and_russian_through_two_pivots(tmp_path):
    write_dictd(tmp_path, "spa-eng", [(["perro"], "perro /pero/\ndog\n"), (["correr"], "correr /k/ <v>\nrun\n")])
    write_dictd(tmp_path, "eng-rus", [(["dog"], "dog /dɔg/\nсобака\n")])
    write_dictd(tmp_path, "deu-eng", [(["essen"], "Essen /e/ <n, neut>\nfood <n>\n"),
                                      (["katze"], "Katze /k/ <fem, n, sg>\ncat <n>\n")])
    write_dictd(tmp_path, "fra-eng", [(["nourriture"], "nourriture /n/ <n, fem>\nfood\n")])
    write_dictd(tmp_path, "deu-rus", [(["essen"], "Essen /e/ <n, neut>\n1. еда 2.\n"),
                                      (["katze"], "Katze /k/ <n, fem>\nкошка\n")])
    write_dictd(tmp_path, "fra-rus", [(["nourriture"], "nourriture /n/ <n, fem>\nеда, Nahrung\n")])
    labels = freedict_labels(tmp_path, KEEP, languages=("es", "ru"))
    assert labels.lookup("perro", "es") == [(DOG, "es", "freedict")]
    assert labels.lookup("собака", "ru") == [(DOG, "ru", "freedict")]
    assert labels.lookup("еда", "ru") == [(FOOD, "ru", "freedict")]  # German and French agree
    assert labels.lookup("кошка", "ru") == []  # German alone is not enough
    assert labels.lookup("correr") == [] and labels.lookup("Essen") == []  # a verb; German was not asked for
    held_out = freedict_labels(tmp_path, KEEP, languages=("es", "ru"), skip=("fra-rus",))
    assert held_out.lookup("еда", "ru") == []


@needs_wordnet
def test_cldr_names_map_through_the_english_name(tmp_path):
    for lang, names in {"en": {"🐕": "dog", "🍲": "pot of food", "🦋": "butterfly"},
                        "de": {"🐕": "Hund", "🍲": "Topf mit Essen", "🦋": "Schmetterling"},
                        "de-CH": {"🐕": "Hundli"}}.items():
        folder = tmp_path / "annotations" / lang
        folder.mkdir(parents=True)
        data = {"annotations": {"annotations": {e: {"default": [n], "tts": [n]} for e, n in names.items()}}}
        (folder / "annotations.json").write_text(json.dumps(data), encoding="utf-8")
    labels = cldr_labels(tmp_path, KEEP)
    assert labels.lookup("Hund", "de") == [(DOG, "de", "cldr")]
    assert labels.lookup("Schmetterling") == [(BUTTERFLY, "de", "cldr")]
    assert labels.lookup("Topf mit Essen") == [] and labels.lookup("Hundli") == []


def test_no_dictionary_installed_names_the_packages(tmp_path):
    import pytest

    with pytest.raises(FileNotFoundError, match="dict-freedict-spa-eng"):
        freedict_labels(tmp_path, KEEP, languages=("es",))


@needs_wordnet
def test_japanese_through_dictionaries_that_start_from_it(tmp_path):
    """jpn-deu and jpn-fra go from Japanese to the pivot: read backwards; two pivots must agree."""
    write_dictd(tmp_path, "deu-eng", [(["hund"], "Hund /h/ <n, masc>\ndog <n>\n"),
                                      (["katze"], "Katze /k/ <n, fem>\ncat <n>\n")])
    write_dictd(tmp_path, "fra-eng", [(["chien"], "chien /ʃ/ <n, masc>\ndog\n")])
    write_dictd(tmp_path, "jpn-deu", [(["犬"], "犬 /いぬ/\nHund\n"), (["猫"], "猫 /ねこ/\nKatze\n")])
    write_dictd(tmp_path, "jpn-fra", [(["犬"], "犬 /いぬ/\nchien\n"), (["dog"], "dog\nchien\n")])
    labels = freedict_labels(tmp_path, KEEP, languages=("ja",))
    assert labels.lookup("犬", "ja") == [(DOG, "ja", "freedict")]  # German and French agree
    assert labels.lookup("猫", "ja") == []  # German alone is not enough
    assert labels.lookup("dog", "ja") == []  # not Japanese script


@needs_wordnet
def test_a_word_keeps_the_senses_most_dictionaries_agree_on(tmp_path):
    """eng-deu alone lists Bär under *monkey* (a pile driver's ram); deu-eng and eng-deu both give *bear*."""
    write_dictd(tmp_path, "deu-eng", [(["bär"], "Bär /b/ <n, masc>\nbear <n>\n"),
                                      (["katze"], "Katze /k/ <n, fem>\ncat <n>\n")])
    write_dictd(tmp_path, "eng-deu", [(["bear"], "bear /b/ <n>\nBär\n"), (["monkey"], "monkey /m/ <n>\nAffe, Bär\n")])
    keep = KEEP | {BEAR, MONKEY}
    labels = freedict_labels(tmp_path, keep, languages=("de",))
    assert labels.lookup("Bär", "de") == [(BEAR, "de", "freedict")]
    assert labels.lookup("Katze", "de") == [(CAT, "de", "freedict")]  # one dictionary is enough when alone
    assert freedict_labels(tmp_path, keep, languages=("de",), rule="sources").lookup("Bär", "de") == \
        [(BEAR, "de", "freedict")]
    every = freedict_labels(tmp_path, keep, languages=("de",), rule="all")
    assert sorted(w for w, _, _ in every.lookup("Bär", "de")) == sorted([BEAR, MONKEY])


@needs_wordnet
def test_each_english_word_a_dictionary_gives_is_one_piece_of_evidence(tmp_path):
    """Both dictionaries give *Wagen* as *car* and *wagon*; deu-eng also as *automobile*: *car* has more evidence
    under the glosses rule, a tie under the sources rule."""
    write_dictd(tmp_path, "deu-eng", [(["wagen"], "Wagen /v/ <n, masc>\ncar, automobile, wagon\n")])
    write_dictd(tmp_path, "eng-deu", [(["car"], "car /k/ <n>\nWagen\n"), (["wagon"], "wagon /w/ <n>\nWagen\n")])
    keep = KEEP | {CAR, WAGON}
    assert freedict_labels(tmp_path, keep, languages=("de",)).lookup("Wagen", "de") == [(CAR, "de", "freedict")]
    tie = freedict_labels(tmp_path, keep, languages=("de",), rule="sources").lookup("Wagen", "de")
    assert sorted(w for w, _, _ in tie) == sorted([CAR, WAGON])


@needs_wordnet
def test_an_english_gloss_in_an_english_to_japanese_entry_is_not_a_japanese_word(tmp_path):
    write_dictd(tmp_path, "eng-jpn", [(["dog"], "dog /dɔg/ <n>\n犬, animal\n")])
    labels = freedict_labels(tmp_path, KEEP, languages=("ja",))
    assert labels.lookup("犬", "ja") == [(DOG, "ja", "freedict")]
    assert labels.lookup("animal") == []


@needs_wordnet
def test_chinese_nouns_from_cc_cedict(tmp_path):
    path = tmp_path / "cedict_ts.u8"
    path.write_text("狗 狗 [gou3] /dog/CL:隻|只[zhi1]/\n蝴蝶 蝴蝶 [hu2 die2] /butterfly/CL:隻|只[zhi1]/\n"
                    "紅 红 [hong2] /red/popular/\n", encoding="utf-8")
    labels = cedict_labels(path, KEEP)
    assert labels.lookup("狗", "zh") == [(DOG, "zh", "cc-cedict")]
    assert labels.lookup("蝴蝶", "zh") == [(BUTTERFLY, "zh", "cc-cedict")]
    assert labels.lookup("红") == []


@needs_wordnet
def test_a_gloss_counts_as_a_noun_by_how_wordnet_uses_it():
    assert is_noun_gloss("butterfly") and is_noun_gloss("train") and is_noun_gloss("golden retriever")
    assert not is_noun_gloss("red") and not is_noun_gloss("popular") and not is_noun_gloss("quickly")


@needs_wordnet
def test_ecdict_read_in_reverse_keeps_the_sense_most_headwords_agree_on(tmp_path):
    apple, man, computer = "n07739125", "n09908025", "n03082979"
    path = tmp_path / "ecdict.csv"
    path.write_text("word,phonetic,definition,translation,pos\n"
                    'apple,,,"n. 苹果, 家伙",\nbloke,,,n. 家伙,\nchap,,,"n. 家伙, 小伙子",\n'
                    'dog,,,"n. 狗, 坏蛋",\ncomputer,,,"n. 电脑, 计算机",\n', encoding="utf-8")
    keep = {apple, man, computer, DOG}
    labels = ecdict_labels(path, keep)
    assert labels.lookup("家伙", "zh") == [(man, "zh", "ecdict")]  # bloke and chap outweigh apple's slang
    assert labels.lookup("苹果", "zh") == [(apple, "zh", "ecdict")]
    assert labels.lookup("電腦", "zh") == [(computer, "zh", "ecdict")]  # the traditional spelling answers too
    assert sorted(w for w, _, _ in ecdict_labels(path, keep, rule="all").lookup("家伙", "zh")) == sorted([apple, man])
