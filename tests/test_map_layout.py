"""The map's pictures never overlap and regions are named by the most specific noun most of their points share."""

import numpy as np

from tests.helpers import needs_wordnet
from visemb.map_layout import TOP_CATEGORY, region_names, spread_rows


def test_pictures_do_not_overlap_and_fill_the_map():
    rng = np.random.default_rng(0)
    xy = np.concatenate([rng.normal(0, 1, (3000, 2)), rng.normal(8, 0.3, (500, 2))])
    spread = spread_rows(xy, range(len(xy)), least=40, most=80)
    assert 40 <= len(spread.rows) <= 80 and spread.width > 0 and spread.height > 0
    pts = xy[spread.rows]
    for i in range(len(pts)):  # no two pictures share any area
        dx = np.abs(pts[i, 0] - pts[i + 1:, 0]) < spread.width
        dy = np.abs(pts[i, 1] - pts[i + 1:, 1]) < spread.height
        assert not np.any(dx & dy)
    assert np.any(pts[:, 0] > 6) and np.any(pts[:, 0] < 2)  # both regions get pictures
    assert spread_rows(xy, []).rows == []


def test_regions_take_the_most_specific_shared_noun_and_never_a_top_level_one():
    # rows: 0 entity (top), 1 animal (top), 2 dog, 3 cat, 4 vehicle; then 40 dogs, 40 cats, 40 cars
    names = ["entity", "animal", "dog", "cat", "vehicle"]
    parents = {0: set(), 1: {0}, 2: {0, 1}, 3: {0, 1}, 4: {0}}
    depth = [0, 1, 2, 2, 1]
    categories = [TOP_CATEGORY, TOP_CATEGORY, "noun.animal", "noun.animal", "noun.artifact"]
    rng = np.random.default_rng(1)
    xy = [rng.normal(0, 0.1, 2) for _ in names]
    for kind, centre in ((2, (0, 0)), (3, (5, 0)), (4, (0, 5))):
        for _ in range(40):
            parents[len(xy)] = parents[kind] | {kind}
            depth.append(depth[kind] + 1)
            categories.append(categories[kind])
            names.append(f"{names[kind]} kind")
            xy.append(np.array(centre) + rng.normal(0, 0.2, 2))
    found = region_names(np.array(xy), range(5, len(xy)), lambda r: parents[r], np.array(depth), categories,
                         clusters=(3,))
    assert sorted(names[r.row] for r in found) == ["cat", "dog", "vehicle"]
    assert all(r.share == 1.0 and r.members == 40 for r in found)
    # one cluster over everything: only "entity" and "animal"-level nouns cover most of it, and those are top level
    assert region_names(np.array(xy), range(5, len(xy)), lambda r: parents[r], np.array(depth), categories,
                        clusters=(1,)) == []


def test_regions_take_the_fewest_clusters_that_name_enough_of_them():
    # rows: 0 animal (top), 1 vehicle; 2-4 dog, cat, bird; 5-7 car, boat, bus; then 20 of each kind, the animals
    # at the bottom left, the vehicles at the top right: two clusters name one region (vehicle), six name six
    names = ["animal", "vehicle", "dog", "cat", "bird", "car", "boat", "bus"]
    parents = {0: set(), 1: set(), 2: {0}, 3: {0}, 4: {0}, 5: {1}, 6: {1}, 7: {1}}
    depth = [1, 1, 2, 2, 2, 2, 2, 2]
    categories = [TOP_CATEGORY, "noun.artifact"] + ["noun.animal"] * 3 + ["noun.artifact"] * 3
    rng = np.random.default_rng(2)
    xy = [rng.normal(0, 0.1, 2) for _ in names]
    for kind, centre in zip(range(2, 8), ((0, 0), (3, 2), (6, 0), (20, 20), (23, 22), (26, 20))):
        for _ in range(20):
            parents[len(xy)] = parents[kind] | {kind}
            depth.append(depth[kind] + 1)
            categories.append(categories[kind])
            xy.append(np.array(centre) + rng.normal(0, 0.1, 2))

    def named(**kw) -> list[str]:
        found = region_names(np.array(xy), range(8, len(xy)), lambda r: parents[r], np.array(depth), categories, **kw)
        return sorted(names[r.row] for r in found)

    assert named(clusters=(2,)) == ["vehicle"]
    assert named(clusters=(2, 6), enough=5) == ["bird", "boat", "bus", "car", "cat", "dog"]
    assert named(clusters=(2, 6), enough=1) == ["vehicle"]  # enough at two: the broader regions stay


@needs_wordnet
def test_a_store_saves_its_full_view_and_the_map_reads_it(tmp_path, caplog):
    import json
    import logging

    from tests.helpers import relist
    from visemb.map_layout import overview, views
    from visemb.store import Store
    from visemb.store_parts import StoreParts

    shipped = Store.load("data/default/store")
    assert shipped.map_overview and set(shipped.map_overview) == set(shipped.coords)
    for proj, view in shipped.map_overview.items():
        assert view == json.loads(json.dumps(overview(shipped, proj)))  # what the map would compute, saved
        assert len(view["pictures"]["rows"]) >= 30 and view["regions"]
    rng = np.random.default_rng(0)
    entries = [{"key": f"k{i}", "synsets": [f"k{i}.n.01"], "category": "noun.artifact"} for i in range(60)]
    store = Store(rng.normal(size=(60, 8)).astype(np.float32), entries,
                  parts=StoreParts(coords={"pca": rng.normal(size=(60, 2))}, thumbnails=[b"\xff\xd8jpeg"] * 60))
    store.save(tmp_path / "s")
    assert Store.load(tmp_path / "s").map_overview == {}  # a save writes the views a build computed, no more
    store.with_parts(map_overview=views(store)).save(tmp_path / "s")
    assert Store.load(tmp_path / "s").map_overview["pca"]["pictures"]["rows"]
    f = tmp_path / "s" / "map_layout.json"  # crafted: a picture past the rows, listed with its checksum
    view = json.loads(f.read_text())
    view["pca"]["pictures"]["rows"][0] = 10_000
    f.write_text(json.dumps(view))
    relist(tmp_path / "s", "map_layout.json")
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        loaded = Store.load(tmp_path / "s")
    assert loaded.map_overview == {} and "computed when first shown" in caplog.text


def test_a_store_is_saved_even_when_its_full_view_cannot_be_computed(tmp_path, monkeypatch, caplog):
    import logging

    import visemb.map_layout
    from visemb.store import Store
    from visemb.store_parts import StoreParts

    def broken(store, proj):
        raise ValueError("no clusters")

    monkeypatch.setattr(visemb.map_layout, "overview", broken)
    entries = [{"key": f"k{i}", "synsets": [f"k{i}.n.01"]} for i in range(20)]
    store = Store(np.ones((20, 4), np.float32), entries, parts=StoreParts(coords={"pca": np.zeros((20, 2))}))
    with caplog.at_level(logging.WARNING, logger="visemb.map_layout"):
        store = store.with_parts(map_overview=visemb.map_layout.views(store))
        store.save(tmp_path / "s")
    assert "not computed (ValueError: no clusters)" in caplog.text
    loaded = Store.load(tmp_path / "s")
    assert loaded.map_overview == {} and set(loaded.coords) == {"pca"}


def test_an_uncounted_name_gives_way_to_a_commoner_noun_that_covers_nearly_as_much():
    # rows: 0 animal (top), 1 mammal, 2 placental (under mammal), 3 part, 4 material (under part); then a cluster of
    # 18 placentals and 2 other mammals, and a cluster of 20 materials
    names = ["animal", "mammal", "placental", "part", "material"]
    parents = {0: set(), 1: {0}, 2: {0, 1}, 3: set(), 4: {3}}
    depth = [1, 2, 3, 1, 2]
    categories = [TOP_CATEGORY, "noun.animal", "noun.animal", "noun.relation", "noun.substance"]
    familiar = [50, 7, 0, 154, 78]
    rng = np.random.default_rng(3)
    xy = [rng.normal(0, 0.1, 2) for _ in names]
    for kind, n, centre in ((2, 18, (0, 0)), (1, 2, (0, 0)), (4, 20, (9, 9))):
        for _ in range(n):
            parents[len(xy)] = parents[kind] | {kind}
            depth.append(depth[kind] + 1)
            categories.append(categories[kind])
            xy.append(np.array(centre) + rng.normal(0, 0.2, 2))

    def named(**kw) -> list[str]:
        found = region_names(np.array(xy), range(5, len(xy)), lambda r: parents[r], np.array(depth), categories,
                             clusters=(2,), **kw)
        return sorted(names[r.row] for r in found)

    assert named() == ["material", "placental"]  # the most specific, without counts
    assert named(familiar=familiar) == ["mammal", "material"]  # not "part": material is a counted noun
    assert named(familiar=familiar, slack=0.05) == ["material", "placental"]  # mammal covers a tenth more
