"""The cycle collector is paused for a block and left as it was found."""

import gc

import pytest

from visemb.collector import collector_paused


@pytest.mark.parametrize("was_on", [True, False])
def test_the_collector_is_off_inside_and_as_found_after(was_on):
    (gc.enable if was_on else gc.disable)()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == was_on
        with pytest.raises(KeyError), collector_paused():
            raise KeyError("x")
        assert gc.isenabled() == was_on  # also after an error inside
    finally:
        gc.enable()
