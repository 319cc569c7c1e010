"""Reader-facing texts in German and English, and the Telegram HTML they are sent as."""

from bot.texts.format import (
    EDITOR_COMMANDS,
    READER_COMMANDS,
    Argument,
    Formatter,
    ItemDelivery,
    SearchHitLike,
    progress_bar,
    shorten,
)
from bot.texts.html import (
    TELEGRAM_TEXT_LIMIT,
    escape,
    split_caption,
    split_message,
    visible_length,
    visible_text,
)
from bot.texts.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    Texts,
    TextsError,
    default_texts,
    normalize_language,
    pick_language,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "EDITOR_COMMANDS",
    "LANGUAGES",
    "READER_COMMANDS",
    "TELEGRAM_TEXT_LIMIT",
    "Argument",
    "Formatter",
    "ItemDelivery",
    "Language",
    "SearchHitLike",
    "Texts",
    "TextsError",
    "default_texts",
    "escape",
    "normalize_language",
    "pick_language",
    "progress_bar",
    "shorten",
    "split_caption",
    "split_message",
    "visible_length",
    "visible_text",
]
