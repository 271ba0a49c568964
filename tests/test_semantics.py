"""The article's claim on real photos: a cat photo's neighbours are cats; car-like nearer truck-like than dog-like."""

from tests.helpers import needs_shared

pytestmark = needs_shared

def pooled(enc, shared, wnids):
    import csv

    from visemb.search import l2_normalize

    with open(shared / "photos" / "labels.csv") as f:
        paths = [shared / "photos" / r["path"] for r in csv.DictReader(f)
                 if r["wnid"] in wnids and r["set"] != "tiny-imagenet-val"]
    return l2_normalize(l2_normalize(enc.embed(paths).vectors).mean(axis=0))


def test_cat_photo_neighbours_are_cats(shared):
    """Held-out cat photos (never in the store): the nearest noun is a feline, and 4 of 5 are cats or a cat's
    ancestors (domestic cat, carnivore)."""
    import csv

    from visemb.defaults import DEFAULT_STORE
    from visemb.encoder import load_encoder
    from visemb.store import Store

    store = Store.load(DEFAULT_STORE)
    enc = load_encoder("resnet50-keras-onnx")
    cat_classes = {"n02123045", "n02123159", "n02123394", "n02123597", "n02124075"}
    with open(shared / "photos" / "labels.csv") as f:
        photos = [shared / "photos" / r["path"] for r in csv.DictReader(f)
                  if r["wnid"] in cat_classes and r["set"] == "ilsvrc2012-val"]
    assert len(photos) >= 5
    cat_path = set(store.entry("tabby")["hypernyms"])  # what a cat also is: carnivore, mammal, …
    for vec in enc.embed(photos).vectors:
        near = [store.entries[r] for r, _ in store.nearest(vec, 5)]
        assert "feline.n.01" in near[0]["hypernyms"], near[0]["key"]
        catlike = [e["key"] for e in near if "feline.n.01" in e["hypernyms"] or e["synsets"][0] in cat_path]
        assert len(catlike) >= 4, [e["key"] for e in near]


def test_car_truck_closer_than_car_dog(shared):
    from visemb.encoder import load_encoder

    enc = load_encoder("resnet50-keras-onnx")
    cars = pooled(enc, shared, {"n02814533", "n03100240", "n04285008", "n03770679"})  # beach wagon, convertible…
    trucks = pooled(enc, shared, {"n03345487", "n03417042", "n04467665", "n03796401"})  # fire/garbage/trailer/moving
    dogs = pooled(enc, shared, {"n02088364", "n02099601", "n02106662", "n02110958"})  # beagle, retriever, …
    assert float(cars @ trucks) > float(cars @ dogs) + 0.1
