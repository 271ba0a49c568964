"""Every picture the translate page shows says where it is from: a licensed source's author, licence and page, or
that a shipped photo is ImageNet's, for research use."""

from tests.app.test_hostile_pages import inert
from tests.app.test_pages import no_exceptions, texts
from tests.fakeapis import FakeApis


def test_a_commons_translation_credits_each_picture(app_test, web_source_at):
    with FakeApis() as api:
        web_source_at("commons", api.url)
        at = app_test.run()
        at.selectbox(key="source").set_value("commons").run()
        at.slider(key="k").set_value(2).run()
        at.text_input(key="q").set_value("dog").run()
        no_exceptions(at)
        assert "dog →" in texts(at)
        credits = [c.value for c in at.caption if "·" in c.value and "commons.wikimedia.org" in c.value]
        assert len(credits) == 2 and "Ann Example" in credits[0] and "CC BY\\-SA 4\\.0" in credits[0]
        assert "[Wikimedia Commons](https://commons.wikimedia.org/wiki/File:dog_0)" in credits[0]
        assert all(inert(c.replace("](https://commons", "")) for c in credits)


def test_an_offline_photo_says_it_is_imagenets_for_research(app_test):
    from app.helpers import OFFLINE_CREDIT

    app_test.query_params.update(q="chien", source="offline", k="2")
    at = app_test.run()
    no_exceptions(at)
    assert [c.value for c in at.caption].count(OFFLINE_CREDIT) == 2


def test_the_web_option_tries_the_sources_in_order_and_says_which_failed(app_test, web_source_at):
    from tests.fakesearch import dead_url

    with FakeApis() as api:
        web_source_at("commons", dead_url())
        web_source_at("openverse", api.url)
        app_test.query_params.update(q="dog", source="web", k="2", order="commons,openverse")
        at = app_test.run()
        no_exceptions(at)
        warning = " ".join(w.value for w in at.warning)
        assert "Wikimedia Commons (licensed, credited) could not be reached" in warning
        assert "Openverse (licensed, credited) answered instead" in warning
        assert at.multiselect(key="order").value == ["commons", "openverse"]
        assert any("example.org/dog" in c.value for c in at.caption)  # the answer's pictures, credited
