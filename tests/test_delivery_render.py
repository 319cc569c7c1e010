"""The bot's push renderer: each chat's language, renderings shared but never stale."""

from __future__ import annotations

from bot.db import chats, stories
from bot.db.connection import Database
from bot.render import TextRenderer
from bot.texts import Texts
from tests.conftest_delivery import add_item, add_story, edit_item


async def test_each_chat_gets_its_language_and_a_correction_is_rendered_anew(
    db: Database,
) -> None:
    story = await add_story(db, "Hochwasser")
    item_id = await add_item(db, story, "Pegel <steigt>", "Sperrung & Umleitung")
    await chats.set_language(db, 1, "private", "en")
    await chats.set_language(db, 2, "private", "de")
    renderer = TextRenderer(db, Texts())
    await renderer.prepare([1, 2, 3])
    item = await stories.get_item(db, item_id)
    assert item is not None
    english = await renderer.render_items(1, story, [item])
    german = await renderer.render_items(2, story, [item])
    assert "Pegel &lt;steigt&gt;" in english[0] and "Sperrung &amp; Umleitung" in english[0]
    # The same rendering is shared by every chat of a language, as a copy.
    again = await renderer.render_items(2, story, [item])
    assert again == german and again is not german
    await edit_item(db, item_id, "Wieder frei")
    corrected = await stories.get_item(db, item_id)
    assert corrected is not None
    english_now = await renderer.render_items(1, story, [corrected])
    german_now = await renderer.render_items(2, story, [corrected])
    assert "(corrected)" in english_now[0] and "Wieder frei" in english_now[0]
    assert "(korrigiert)" in german_now[0]
    # A chat never prepared (nor stored) falls back to a read, then the story's language.
    assert await renderer.render_items(99, story, [corrected])
