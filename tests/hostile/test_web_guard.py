"""The web source against hostile result pages: SSRF to other local services, redirects, oversized bodies."""

import pytest

from tests.fakesearch import FakeSearch
from visemb.errors import NoImagesError
from visemb.sources.guard import BlockedURLError, check_url
from visemb.sources.web import WebSource


def test_urls_are_checked_for_scheme_and_address():
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1/", "http://127.0.0.1:8080/",
                "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://0.0.0.0/"):
        with pytest.raises(BlockedURLError):
            check_url(url)
    check_url("http://127.0.0.1:8080/x", frozenset({("127.0.0.1", 8080)}))  # the configured engine only


@pytest.mark.parametrize("word,path", [("cat", "/images/async"), ("redirected", "/redir/")])
def test_another_local_service_is_never_requested(tmp_path, word, path):
    """The results page names images on another local service (``cat``), or images that redirect there."""
    with FakeSearch() as internal, FakeSearch(image_base=internal.url) as engine:
        src = WebSource("bing", base_url=engine.url, timeout=2, deadline=20)
        with pytest.raises(NoImagesError):
            src.fetch(word, 4, dest=tmp_path)
        assert any(r.startswith(path) for r in engine.requests)
        assert internal.requests == []  # the results page named it; the guard refused it


@pytest.mark.parametrize("word", ["huge", "liar"])
def test_oversized_bodies_are_refused_before_they_are_held(word):
    import requests

    from visemb.sources.guard import guarded_session_class

    with FakeSearch(n_images=1, huge_bytes=64 * 1024 * 1024) as engine:
        session = guarded_session_class(requests.Session)()
        session.allowed = frozenset({("127.0.0.1", engine.port)})
        with pytest.raises(BlockedURLError, match="limit"):
            session.get(f"{engine.url}/img/{word}/0.jpg", timeout=10)
        assert len(session.get(f"{engine.url}/img/cat/0.jpg", timeout=10).content) > 100  # ordinary images pass


def test_decompression_bombs_from_the_web_are_refused_without_a_thread_traceback(tmp_path, capfd):
    import threading

    crashed = []
    previous = threading.excepthook
    threading.excepthook = lambda args: crashed.append(args.exc_type.__name__)
    try:
        with FakeSearch(n_images=3) as engine:
            with pytest.raises(NoImagesError):
                WebSource("bing", base_url=engine.url, timeout=2, deadline=20).fetch("bombword", 3, dest=tmp_path)
    finally:
        threading.excepthook = previous
    assert not crashed
    assert "DecompressionBomb" not in capfd.readouterr().err
