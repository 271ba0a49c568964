"""The loopback search engine, and the web source's handling of throttling and errors it produces."""

import pytest
from tests.helpers import SHARED, needs_shared

from precompute.config import PipelineConfig
from precompute.fetch_stage import FetchPolicy, fetch_unit
from precompute.loopback import Faults, LoopbackEngine, PhotoIndex
from visemb.errors import SourceUnavailableError
from visemb.sources.web import WebSource

pytestmark = needs_shared


@pytest.fixture(scope="module")
def photos():
    return PhotoIndex(SHARED / "photos")


def test_queries_get_photos_of_their_nearest_photographed_relative(photos):
    assert photos.classes_for("golden retriever") == ["n02099601"]
    dog_classes = set(photos.classes_for("dog"))
    assert len(dog_classes) > 50 and "n02099601" in dog_classes  # a noun above classes: the classes under it
    assert photos.photos_for("violin", 3) == photos.photos_for("violin", 3)  # the same on every run
    assert all(p.split("/")[-1].startswith("n04536866") or "n04536866" in p for p in photos.photos_for("violin", 3))


def test_throttled_search_is_unavailable_with_the_wait_asked_for(photos, tmp_path):
    with LoopbackEngine(photos, Faults(throttle_rate=1.0)) as engine:
        src = WebSource("bing", base_url=engine.url, timeout=2)
        with pytest.raises(SourceUnavailableError, match="429.*throttling") as err:
            src.fetch("violin", 3, dest=tmp_path)
        assert err.value.retry_after == 1.0
        record = fetch_unit(src, PipelineConfig(images_per_noun=3), {"query": "violin"}, 0, tmp_path,
                            FetchPolicy(tries=2, backoff_s=0.01, max_backoff_s=0.01))
        assert record["status"] == "unavailable" and record["tries"] == 2
        assert engine.counts["throttled"] == 3


def test_server_errors_then_recovery_and_broken_images(photos, tmp_path):
    with LoopbackEngine(photos, Faults(error_rate=1.0)) as engine:
        with pytest.raises(SourceUnavailableError, match="500"):
            WebSource("bing", base_url=engine.url, timeout=2).fetch("violin", 3, dest=tmp_path)
        engine.faults = Faults(broken_rate=0.5)
        got = WebSource("bing", base_url=engine.url, timeout=2).fetch("violin", 4, dest=tmp_path)
        assert 1 <= len(got.paths) <= 4 and engine.counts["broken"] >= 1
