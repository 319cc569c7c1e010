"""Push bodies encoded once per message must still be exactly each chat's own request."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.calls import SendBodies

_KEYBOARDS = [object(), object()]
_MARKUP_JSON = [{"inline_keyboard": [[{"text": "Mehr", "callback_data": "tk:1"}]]}, None]

_push = st.fixed_dictionaries(
    {
        "chat_id": st.integers(min_value=-(10**13), max_value=10**13),
        "text": st.sampled_from(["<b>Pegel</b> steigt", 'Fähren "fallen" aus 🌊', "a\nb"]),
        "keyboard": st.sampled_from([0, 1]),
        "paid": st.booleans(),
        "thread": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
    }
)


def _payload(push: dict[str, object]) -> tuple[dict[str, object], object]:
    keyboard = int(str(push["keyboard"]))
    payload: dict[str, object] = {
        "chat_id": push["chat_id"],
        "text": push["text"],
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    if push["paid"]:
        payload["allow_paid_broadcast"] = True
    if _MARKUP_JSON[keyboard] is not None:
        payload["reply_markup"] = _MARKUP_JSON[keyboard]
    if push["thread"] is not None:
        payload["message_thread_id"] = push["thread"]
    return payload, _KEYBOARDS[keyboard]


@given(st.lists(_push, min_size=1, max_size=30))
def test_every_body_is_its_own_chats_request(pushes: list[dict[str, object]]) -> None:
    bodies = SendBodies(limit=4)  # small, so clearing the cache is exercised too
    for push in pushes:
        payload, keyboard = _payload(push)
        assert json.loads(bodies.encode(payload, keyboard)) == payload


def test_the_same_text_with_other_buttons_gets_its_own_body() -> None:
    bodies = SendBodies()
    first = {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[]]}}
    bodies.encode(first, _KEYBOARDS[0])
    second = {"chat_id": 2, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "y"}]]}}
    # Same text to another chat with other buttons: the body must carry those buttons.
    assert json.loads(bodies.encode(second, _KEYBOARDS[1])) == second
