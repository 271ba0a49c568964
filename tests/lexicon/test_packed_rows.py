"""Strings by key in two blobs: found by bisection, joined in the order given."""

from visemb.lexicon.packed_rows import PackedRows


def test_lookup_any_script_and_misses():
    rows = PackedRows({"perro": "dog", "犬": "dog", "🦋": "butterfly", "árbol": "tree", "a": "x"})
    assert [rows.get(k) for k in ("perro", "犬", "🦋", "árbol", "a")] == ["dog", "dog", "butterfly", "tree", "x"]
    assert rows.get("arbol") is None and rows.get("") is None and rows.get("zzz") is None and "perr" not in rows
    assert len(rows) == 5 and sorted(rows.keys()) == sorted(["perro", "犬", "🦋", "árbol", "a"])
    assert PackedRows().get("x") is None and len(PackedRows()) == 0


def test_joined_keeps_the_parts_order_for_a_key_in_several():
    first = PackedRows({"katze": "cat-cldr", "hund": "dog-cldr"})
    later = [(b"katze", b"cat-freedict"), (b"maus", b"mouse")]
    rows = PackedRows.joined([first, later], "|")
    assert rows.get("katze") == "cat-cldr|cat-freedict" and rows.get("maus") == "mouse"
    assert dict(rows.items()) == {"hund": "dog-cldr", "katze": "cat-cldr|cat-freedict", "maus": "mouse"}
