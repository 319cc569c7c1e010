"""The story importer: pure functions from a raw news page to a `ParsedStory`."""

from bot.story.headline import display_headline
from bot.story.model import ParsedStory, Person, Quote, StoryError, TickerEntry
from bot.story.parse import parse_story
from bot.story.text import decode_page, detect_language, split_sentences

__all__ = [
    "ParsedStory",
    "Person",
    "Quote",
    "StoryError",
    "TickerEntry",
    "decode_page",
    "detect_language",
    "display_headline",
    "parse_story",
    "split_sentences",
]
