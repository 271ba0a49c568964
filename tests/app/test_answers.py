"""Translations shared across sessions: computed once however many ask at once, bounded, web answers expiring."""

import threading
import time

import pytest

from app.answers import SharedAnswers


def test_ten_sessions_asking_at_once_compute_it_once_and_read_the_same_answer():
    shared, calls = SharedAnswers(), []

    def compute():
        calls.append(1)
        time.sleep(0.3)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(shared.get(("chien", "bing", 8, ""), compute, 600)))
               for _ in range(10)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(calls) == 1 and len(got) == 10 and all(g is got[0] for g in got)


def test_the_least_recently_used_answer_goes_first():
    shared = SharedAnswers(size=3)
    for k in "abc":
        shared.get(k, lambda k=k: k.upper())
    shared.get("a", lambda: "never")  # a used again: b is now the oldest
    shared.get("d", lambda: "D")
    assert len(shared) == 3 and shared.get("b", lambda: "again") == "again"
    assert shared.get("a", lambda: "never") == "A"


def test_a_web_answer_expires_and_an_offline_one_stays():
    now = [0.0]
    shared = SharedAnswers(clock=lambda: now[0])
    assert shared.get("web", lambda: 1, ttl=600) == 1 and shared.get("offline", lambda: 1) == 1
    now[0] = 599
    assert shared.get("web", lambda: 2, ttl=600) == 1
    now[0] = 601
    assert shared.get("web", lambda: 2, ttl=600) == 2 and shared.get("offline", lambda: 2) == 1


def test_an_error_is_not_kept_and_waiting_sessions_try_again():
    shared = SharedAnswers()
    started, release = threading.Event(), threading.Event()

    def fail():
        started.set()
        release.wait(5)
        raise ValueError("the engine said no")

    errors = []

    def first():
        try:
            shared.get("w", fail)
        except ValueError as exc:
            errors.append(exc)

    t = threading.Thread(target=first)
    t.start()
    started.wait(5)
    waiter = []
    w = threading.Thread(target=lambda: waiter.append(shared.get("w", lambda: "second try")))
    w.start()
    release.set()
    t.join(5)
    w.join(5)
    assert errors and waiter == ["second try"] and shared.computed == 1
    with pytest.raises(ValueError):
        shared.get("v", fail)  # not kept either: computed (and failing) again


def test_two_sessions_opening_one_shared_link_embed_its_pictures_once(app_test, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import REPO
    from tests.app.test_pages import no_exceptions, texts
    from visemb.translator import Translator

    calls = []
    real = Translator.fetched
    monkeypatch.setattr(Translator, "fetched", lambda *a, **k: calls.append(1) or real(*a, **k))
    sessions = [app_test, AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)]
    for at in sessions:
        at.query_params.update(q="Goldfisch", source="offline", k="3")
        at.run()
        no_exceptions(at)
        assert "Goldfisch → **goldfish**" in texts(at)
    assert calls == [1]
