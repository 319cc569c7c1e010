"""Reader-facing strings in German and English, addressed by key (Fluent files).

The .ftl files ship inside the package and are parsed once. Messages may contain our
own HTML markup; arguments are inserted as given, so callers that build HTML escape
them first (the Formatter does).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from importlib import resources
from typing import Any, Final, Literal

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast as fluent_ast

Language = Literal["de", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("de", "en")
# Readers whose language we do not speak read English sooner than German.
DEFAULT_LANGUAGE: Final[Language] = "en"

ArgValue = str | int | float

logger = logging.getLogger(__name__)

# How many rendered texts Texts keeps (a few MB at most).
RENDERED_TEXTS_KEPT = 20_000


class TextsError(Exception):
    """A locale file is broken or (in strict mode) a message failed to render."""


def normalize_language(code: str | None) -> Language | None:
    """A language code as ours: "en", "en-US", "EN_gb" → "en"; any other language → None."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    for language in LANGUAGES:
        if primary == language:
            return language
    return None


def pick_language(stored: str | None, telegram_language_code: str | None) -> Language:
    """The language to answer in: the chat's choice, else the user's Telegram app
    language (German for de*, English for every other language), else English."""
    return (
        normalize_language(stored) or normalize_language(telegram_language_code) or DEFAULT_LANGUAGE
    )


def _read_locale(language: Language) -> str:
    # One file per feature keeps each feature's texts together; bot.ftl holds the core.
    folder = resources.files("bot.texts") / "locales" / language
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".ftl")),
        key=lambda entry: (entry.name != "bot.ftl", entry.name),
    )
    return "\n".join(entry.read_text(encoding="utf-8") for entry in files)


# Parsed once per process and text: every Texts of the same files shares the syntax tree
# (bundles only read it), and a parse costs ~0.15 s of CPU per language.
@functools.lru_cache(maxsize=8)
def _parse(language: Language, source: str) -> fluent_ast.Resource:
    resource = FluentResource(source)
    junk = [entry for entry in resource.body if isinstance(entry, fluent_ast.Junk)]
    if junk:
        # Fluent silently skips unparsable entries; a missing text must fail at start.
        first = junk[0]
        raise TextsError(
            f"locales/{language}/*.ftl: cannot parse {(first.content or '').strip()[:80]!r}: "
            + "; ".join(str(a.message) for a in first.annotations)
        )
    return resource


def _message_keys(resource: fluent_ast.Resource) -> frozenset[str]:
    keys: set[str] = set()
    for entry in resource.body:
        if isinstance(entry, fluent_ast.Message):
            if entry.value is not None:
                keys.add(entry.id.name)
            keys.update(f"{entry.id.name}.{attr.id.name}" for attr in entry.attributes)
    return frozenset(keys)


class Texts:
    """All messages of all languages. Cheap to share; build it once.

    `strict=True` turns rendering errors (a missing argument, an unknown key) into
    exceptions; tests use it, the running bot logs and degrades instead.
    """

    def __init__(
        self, sources: Mapping[Language, str] | None = None, *, strict: bool = False
    ) -> None:
        self.strict = strict
        self._bundles: dict[Language, FluentBundle] = {}
        self._keys: dict[Language, frozenset[str]] = {}
        for language in LANGUAGES:
            source = sources[language] if sources is not None else _read_locale(language)
            resource = _parse(language, source)
            # Bidi isolation marks around arguments would land in Telegram messages.
            bundle = FluentBundle([language], use_isolating=False)
            bundle.add_resource(resource)
            self._bundles[language] = bundle
            self._keys[language] = _message_keys(resource)
        self._rendered: dict[tuple[Any, ...], str] = {}

    def keys(self, language: Language) -> frozenset[str]:
        """Every key of one language, attributes as "message.attribute"."""
        return self._keys[language]

    def has(self, language: str, key: str) -> bool:
        lang = normalize_language(language) or DEFAULT_LANGUAGE
        return key in self._keys[lang]

    def get(self, language: str, key: str, /, **args: ArgValue) -> str:
        """The message `key` in `language`, falling back to English, then to
        any language that has it, then to the key.

        A key may name an attribute as "message.attribute". Pass numbers as int so that
        plurals select correctly; ids are formatted without digit grouping by the ftl.
        """
        lang = normalize_language(language) or DEFAULT_LANGUAGE
        # A text is a pure function of its language, key and arguments, and long replies
        # repeat them (/audit 50 renders ~200): Fluent's resolver costs ~0.1 ms a call.
        # The type is part of the key: 1 and 1.0 are equal but NUMBER shows them apart.
        memo = (lang, key, *((name, type(v), v) for name, v in sorted(args.items())))
        cached = self._rendered.get(memo)
        if cached is not None:
            return cached
        for candidate in dict.fromkeys((lang, DEFAULT_LANGUAGE, *LANGUAGES)):
            if key in self._keys[candidate]:
                text = self._render(candidate, key, args)
                if len(self._rendered) >= RENDERED_TEXTS_KEPT:
                    self._rendered.clear()  # bounded; refilled by what is asked for next
                self._rendered[memo] = text
                return text
        self._fail(f"unknown text key {key!r}")
        return key

    def _render(self, language: Language, key: str, args: Mapping[str, ArgValue]) -> str:
        bundle = self._bundles[language]
        message_id, _, attribute = key.partition(".")
        message = bundle.get_message(message_id)
        pattern = message.attributes[attribute] if attribute else message.value
        if pattern is None:  # unreachable: keys() lists only messages with a value
            return key
        text, errors = bundle.format_pattern(pattern, dict(args))
        if errors:
            self._fail(f"{language}/{key}: " + "; ".join(str(e) for e in errors))
        return str(text)

    def _fail(self, problem: str) -> None:
        if self.strict:
            raise TextsError(problem)
        logger.warning("texts: %s", problem)


@functools.cache
def default_texts() -> Texts:
    """The shared Texts built from the packaged locale files."""
    return Texts()
