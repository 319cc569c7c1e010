"""The locale files: same keys in both languages, every message renders, fallbacks."""

from __future__ import annotations

from importlib import resources

import pytest
from fluent.runtime import FluentResource
from fluent.syntax import ast as fluent_ast
from fluent.syntax.visitor import Visitor

from bench.fakeapi.botapi_text import html_problem
from bot.texts import LANGUAGES, Language, Texts, TextsError, default_texts, pick_language
from bot.texts.html import visible_text
from bot.texts.i18n import normalize_language

# Arguments that are counts or ids; the formatter passes them as int.
NUMERIC_ARGS = {
    "active",
    "blocked",
    "count",
    "delivered",
    "failed",
    "first",
    "id",
    "last",
    "length",
    "max",
    "max_kb",
    "month",
    "new",
    "paragraphs",
    "pending",
    "quotes",
    "seconds",
    "ticker",
    "total",
}
# Arguments a select expression switches on, with a value each variant should see.
SELECTOR_SAMPLES = {"kind": "quote", "mode": "hourly", "code": "en", "action": "edit"}


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: fluent_ast.VariableReference) -> None:
        self.names.add(node.id.name)


def _source(language: str) -> str:
    # Every .ftl file of a locale folder is loaded, so every one is checked.
    folder = resources.files("bot.texts") / "locales" / language
    files = sorted(f.name for f in folder.iterdir() if f.name.endswith(".ftl"))
    return "\n".join((folder / name).read_text("utf-8") for name in files)


def _variables_by_key() -> dict[str, set[str]]:
    """Every variable any language uses in each message, keyed like Texts.keys()."""
    found: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for entry in FluentResource(_source(language)).body:
            if not isinstance(entry, fluent_ast.Message):
                continue
            parts = [(entry.id.name, entry.value)] + [
                (f"{entry.id.name}.{a.id.name}", a.value) for a in entry.attributes
            ]
            for key, pattern in parts:
                if pattern is None:
                    continue
                visitor = _Variables()
                visitor.visit(pattern)
                found.setdefault(key, set()).update(visitor.names)
    return found


def _sample_args(names: set[str]) -> dict[str, str | int]:
    args: dict[str, str | int] = {}
    for name in names:
        if name in NUMERIC_ARGS:
            args[name] = 12345
        else:
            args[name] = SELECTOR_SAMPLES.get(name, "Beispiel")
    return args


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts(strict=True)


def test_both_languages_define_exactly_the_same_keys(texts: Texts) -> None:
    german, english = texts.keys("de"), texts.keys("en")
    assert german - english == set(), "missing in en/bot.ftl"
    assert english - german == set(), "missing in de/bot.ftl"
    assert len(german) > 150


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_renders_with_sample_args(texts: Texts, language: Language) -> None:
    variables = _variables_by_key()
    for key in sorted(texts.keys(language)):
        args = _sample_args(variables.get(key, set()))
        rendered = texts.get(language, key, **args)
        assert rendered.strip(), key
        assert "{" not in rendered and "???" not in rendered, key
        # use_isolating=False: no FSI/PDI marks may reach Telegram.
        assert "\u2068" not in rendered and "\u2069" not in rendered, key
        assert html_problem(rendered) is None, (key, rendered)


@pytest.mark.parametrize("language", LANGUAGES)
def test_ids_are_never_digit_grouped(texts: Texts, language: str) -> None:
    variables = _variables_by_key()
    for key, names in variables.items():
        if "id" not in names:
            continue
        rendered = texts.get(language, key, **_sample_args(names))
        assert "12345" in rendered, (key, rendered)


def test_counts_use_plural_forms(texts: Texts) -> None:
    assert texts.get("de", "archive-recap-count", count=1) == "Eine Meldung insgesamt."
    assert texts.get("de", "archive-recap-count", count=3) == "3 Meldungen insgesamt."
    assert texts.get("en", "archive-recap-count", count=1) == "One update in total."
    counts = texts.get("en", "import-preview-counts", paragraphs=1, quotes=9, ticker=2)
    assert counts == "1 paragraph · 9 quotes · 2 ticker updates"


def test_messages_quoted_in_the_brief(texts: Texts) -> None:
    assert texts.get("de", "ticker-bad-count", max=20) == (
        "Bitte eine Zahl von 1 bis 20, z. B. /ticker 5"
    )
    assert texts.get("de", "flood", seconds=30) == (
        "Langsam bitte – das waren zu viele Nachrichten auf einmal."
        " Bitte in 30 s noch einmal versuchen."
    )
    assert texts.get("de", "not-editor") == "Das dürfen nur Redakteure."
    assert visible_text(texts.get("de", "retraction-notice")) == (
        "Zurückgezogen: Diese Meldung wurde von der Redaktion zurückgezogen."
    )
    assert texts.get("de", "button-newer") == "« Neuer"
    assert texts.get("de", "button-older") == "Älter »"
    assert texts.get("en", "ticker-corrected") == "(corrected)"


def test_attributes_are_addressed_with_a_dot(texts: Texts) -> None:
    assert texts.get("de", "cmd-search.args") == "WÖRTER"
    assert texts.get("en", "cmd-search.args") == "WORDS"
    assert texts.has("de", "cmd-search.args")
    assert not texts.has("de", "cmd-help.args")


def test_unknown_language_falls_back_to_english(texts: Texts) -> None:
    assert texts.get("fr", "not-editor") == "Only editors may do that."
    assert texts.get("de-AT", "not-editor") == "Das dürfen nur Redakteure."
    assert texts.get("en-US", "not-editor") == "Only editors may do that."


def test_key_missing_in_english_falls_back_to_german() -> None:
    sources: dict[Language, str] = {
        "de": "only-de = nur deutsch\nboth = beide\n",
        "en": "both = both\n",
    }
    texts = Texts(sources)
    assert texts.get("en", "only-de") == "nur deutsch"
    assert texts.get("en", "both") == "both"


def test_unknown_key_gives_the_key_or_raises_in_strict_mode() -> None:
    lenient = Texts()
    assert lenient.get("de", "no-such-key") == "no-such-key"
    with pytest.raises(TextsError):
        Texts(strict=True).get("de", "no-such-key")


def test_missing_argument_raises_in_strict_mode(texts: Texts) -> None:
    with pytest.raises(TextsError):
        texts.get("de", "welcome-story")


def test_broken_ftl_fails_at_load() -> None:
    with pytest.raises(TextsError, match="cannot parse"):
        Texts({"de": "good = fine\nbad = { $unclosed\n", "en": "good = fine\n"})


def test_default_texts_are_loaded_once() -> None:
    assert default_texts() is default_texts()


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        (None, None, "en"),
        (None, "en", "en"),
        (None, "en-US", "en"),
        (None, "EN_gb", "en"),
        (None, "de-AT", "de"),
        (None, "fr", "en"),
        (None, "pt-br", "en"),
        (None, "", "en"),
        ("fr", "de", "de"),
        ("en", "de", "en"),
        ("de", "en-US", "de"),
        ("xx", "en", "en"),
    ],
)
def test_pick_language(stored: str | None, telegram: str | None, expected: str) -> None:
    assert pick_language(stored, telegram) == expected


def test_normalize_language_rejects_lookalikes() -> None:
    assert normalize_language("english") is None
    assert normalize_language("den") is None
    assert normalize_language(" de ") == "de"
