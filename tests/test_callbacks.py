"""The callback-data codec: every button round-trips, anything else is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db.subscriptions import DeliveryChoice
from bot.handlers import callbacks
from bot.handlers.callbacks import (
    CALLBACK_DATA_LIMIT,
    MAX_ID,
    ImportAction,
    ImportButton,
    LanguageButton,
    MediaButton,
    MissedPageButton,
    PushAction,
    PushButton,
    QuietHoursButton,
    SettingsButton,
    TickerPageButton,
)

BUTTONS = st.one_of(
    st.builds(
        TickerPageButton,
        st.integers(1, MAX_ID),
        st.integers(0, callbacks.MAX_OFFSET),
        st.integers(1, callbacks.MAX_PAGE),
    ),
    st.builds(SettingsButton, st.integers(1, MAX_ID), st.sampled_from(DeliveryChoice)),
    st.builds(
        MissedPageButton,
        st.integers(1, MAX_ID),
        st.integers(0, MAX_ID),
        st.integers(0, callbacks.MAX_OFFSET),
    ),
    st.builds(PushButton, st.sampled_from(PushAction), st.integers(1, MAX_ID)),
    st.builds(QuietHoursButton, st.integers(1, MAX_ID), st.integers(0, 11), st.integers(12, 23)),
    st.builds(
        ImportButton,
        st.sampled_from(ImportAction),
        st.text("abcXYZ019_-", min_size=8, max_size=24),
    ),
    st.builds(LanguageButton, st.sampled_from(["de", "en"])),
    st.builds(MediaButton, st.integers(1, MAX_ID)),
)


@given(BUTTONS)
def test_every_button_round_trips_within_telegrams_limit(button: callbacks.CallbackData) -> None:
    data = callbacks.encode(button)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    assert callbacks.decode(data) == button


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        f"tk:{2**64}:0:5",
        f"tk:1:{2**70}:5",
        "tk:1:0:0",
        "tk:1:0:21",
        "tk:01:0:5",
        "tk:-1:0:5",
        "tk:1:0",
        "tk:1:0:5:9",
        "tk:１:0:5",  # a full-width digit is not a number here
        f"st:{2**63}:instant",
        "st:1:loud",
        "im:short",
        "im:../../etc/passwd",
        "lg:fr",
        "zz:1",
        "tk:1:0:5\ud800",
    ],
)
def test_junk_is_refused(raw: str | None) -> None:
    assert callbacks.decode(raw) is None


@settings(deadline=None)
@given(st.text(max_size=80))
def test_decoding_never_raises(raw: str) -> None:
    callbacks.decode(raw)
