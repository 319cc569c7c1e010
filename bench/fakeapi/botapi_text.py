"""Telegram's HTML for the fake Bot API: the test oracle for everything the bot sends.

The rules come from the Bot API documentation (core.telegram.org/bots/api#formatting-options),
never from the bot: the tags listed under "HTML style", the four named entities, the nesting
rules, and lengths counted in UTF-16 code units after parsing (4096 for a text, 1024 for a
caption). The parser follows Telegram's server-side one (tdlib's ``parse_html``) so that error
descriptions have the same wording. Deliberately stricter than Telegram where its docs are
(a bare ``&`` that starts no entity, an entity nested where the docs forbid it): Telegram
tolerates or silently repairs those, the docs do not promise it. Only ``parse_mode=HTML`` is
parsed — the bot sends nothing else — so any other mode is refused loudly, not guessed.

``html_problem(text)`` is the oracle's question for tests: None when Telegram would accept
the message, else the description of its "Bad Request".
"""

from __future__ import annotations

import re
from typing import Any, Literal

__all__ = [
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "EntityParseError",
    "detect_entities",
    "format_text",
    "html_problem",
    "parse_html",
    "sort_entities",
    "utf16_len",
]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

Entity = dict[str, Any]

_SPACES = " \t\r\n\f\v"
_HTML_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
}
# Entities that "can contain and can be part of any other entities, except pre and code".
_STYLE_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span"}
)
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MARKUP_START = re.compile(r"[<&]")
_NAME_END = re.compile(r"[ \t\r\n\f\v>]")


class EntityParseError(ValueError):
    """Markup rejected; ``str(exc)`` is the part after "Bad Request: can't parse entities: "."""


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _is_valid_url(url: str) -> bool:
    # Telegram silently drops links whose URL it cannot parse; this approximates its check.
    if re.match(r"^(https?|tg|ton|ftp)://\S+$", url, re.IGNORECASE):
        return True
    return re.match(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#]\S*)?$", url) is not None


def _decode_html_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the entity starting at ``text[i] == '&'``; return (char, next index) or None."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return None
    name = text[i + 1 : end]
    if name in _NAMED_HTML_ENTITIES:
        return _NAMED_HTML_ENTITIES[name], end + 1
    code: int | None = None
    if re.fullmatch(r"#[0-9]{1,7}", name):
        code = int(name[1:])
    elif re.fullmatch(r"#[xX][0-9a-fA-F]{1,6}", name):
        code = int(name[2:], 16)
    if code is None or code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), end + 1


class _Open:
    __slots__ = ("argument", "expandable", "offset", "result_index", "tag")

    def __init__(
        self, tag: str, argument: str, offset: int, result_index: int, expandable: bool
    ) -> None:
        self.tag = tag
        self.argument = argument
        self.offset = offset
        self.result_index = result_index
        self.expandable = expandable


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse ``parse_mode=HTML`` text into plain text and entities (UTF-16 offsets)."""
    if "<" not in text and "&" not in text:
        return text, []
    out: list[str] = []
    counted = 0  # pieces of ``out`` already measured: text is measured at tags only
    out_len = 0  # characters in ``out`` (code points), for slicing the link text
    utf16 = 0
    entities: list[Entity] = []
    stack: list[_Open] = []
    n = len(text)
    i = 0

    def measure() -> None:
        nonlocal counted, out_len, utf16
        if counted < len(out):
            chunk = "".join(out[counted:])
            counted = len(out)
            out_len += len(chunk)
            utf16 += utf16_len(chunk)

    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is None:
                raise EntityParseError(
                    f"Character '&' at byte offset {_byte_offset(text, i)} must be escaped as &amp;"
                )
            out.append(decoded[0])
            i = decoded[1]
            continue
        if c != "<":
            special = _MARKUP_START.search(text, i + 1)
            j = special.start() if special else n
            out.append(text[i:j])
            i = j
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            name_end = _NAME_END.search(text, i + 1)
            i = name_end.start() if name_end else n
            end_name = text[begin + 2 : i].lower()
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n or text[i] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            opened = stack.pop()
            if end_name and end_name != opened.tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{opened.tag}>", found "</{end_name}>"'
                )
            measure()
            _close_html_entity(opened, "".join(out) if opened.tag == "a" else "", utf16, entities)
            continue
        name_end = _NAME_END.search(text, i)
        i = name_end.start() if name_end else n
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[begin + 1 : i].lower()
        if tag not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        argument = ""
        expandable = False
        while i < n and text[i] != ">":
            while i < n and text[i] in _SPACES:
                i += 1
            if i < n and text[i] == ">":
                break
            attr_begin = i
            while i < n and text[i] not in _SPACES and text[i] not in "=>":
                i += 1
            attr_name = text[attr_begin:i].lower()
            if not attr_name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n or text[i] != "=":
                if tag == "blockquote" and attr_name == "expandable":
                    expandable = True
                    continue
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                    )
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            while i < n and text[i] in _SPACES:
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            value_chars: list[str] = []
            if text[i] not in "'\"":
                token_begin = i
                while i < n and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                value = text[token_begin:i].lower()
                if i >= n or (text[i] not in _SPACES and text[i] != ">"):
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset "
                        f"{_byte_offset(text, token_begin)}"
                    )
            else:
                quote = text[i]
                i += 1
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        decoded = _decode_html_entity(text, i)
                        if decoded is not None:
                            value_chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    value_chars.append(text[i])
                    i += 1
                if i < n:
                    i += 1
                value = "".join(value_chars)
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            if tag == "a" and attr_name == "href":
                argument = value
            elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and attr_name == "emoji-id":
                argument = value
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(
                'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        _check_nesting(tag, stack, text, begin)
        i += 1  # the closing '>'
        measure()
        stack.append(_Open(tag, argument, utf16, out_len, expandable))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), _merge_pre_code(entities)


def _check_nesting(tag: str, stack: list[_Open], text: str, begin: int) -> None:
    """The documented nesting rules: styles go anywhere but inside pre and code, blockquotes
    do not nest, and the other entities (links, code, pre, custom emoji) contain no other
    one, except the <pre><code class="language-…"> form."""
    for depth, outer in enumerate(stack):
        innermost = depth == len(stack) - 1
        if outer.tag == "pre" and tag == "code" and innermost:
            continue
        if outer.tag in ("pre", "code"):
            allowed = False
        elif tag == "blockquote" or outer.tag == "blockquote":
            allowed = tag != outer.tag
        else:
            allowed = tag in _STYLE_TAGS or outer.tag in _STYLE_TAGS
        if not allowed:
            raise EntityParseError(
                f'Tag "{tag}" can\'t be nested in tag "{outer.tag}" at byte offset '
                f"{_byte_offset(text, begin)}"
            )


def html_problem(text: str, *, kind: Literal["text", "caption", "markup"] = "text") -> str | None:
    """Why Telegram would refuse ``text`` sent with parse_mode=HTML, or None if it accepts it.

    ``kind``: a message's text (not empty, at most MAX_TEXT_LENGTH after parsing), a
    caption (may be empty, at most MAX_CAPTION_LENGTH), or only the markup (any length).
    """
    try:
        plain, _ = format_text(text, "HTML", None)
    except EntityParseError as exc:
        return f"can't parse entities: {exc}"
    if kind == "text" and not plain:
        return "message text is empty"
    if kind == "text" and utf16_len(plain) > MAX_TEXT_LENGTH:
        return "message is too long"
    if kind == "caption" and utf16_len(plain) > MAX_CAPTION_LENGTH:
        return "message caption is too long"
    return None


def _close_html_entity(opened: _Open, result: str, utf16: int, entities: list[Entity]) -> None:
    length = utf16 - opened.offset
    if length <= 0:
        return
    entity: Entity = {"offset": opened.offset, "length": length}
    tag = opened.tag
    if tag in _SIMPLE_TAG_TYPES:
        entity["type"] = _SIMPLE_TAG_TYPES[tag]
        if tag == "code" and opened.argument:
            entity["_language"] = opened.argument
    elif tag == "pre":
        entity["type"] = "pre"
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if opened.expandable else "blockquote"
    elif tag == "tg-emoji":
        if not opened.argument:
            return
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = opened.argument
    elif tag == "a":
        url = opened.argument or result[opened.result_index :]
        if not _is_valid_url(url):
            return
        entity["type"] = "text_link"
        entity["url"] = url
    entities.append(entity)


def _merge_pre_code(entities: list[Entity]) -> list[Entity]:
    # <pre><code class="language-x"> is one "pre" entity with a language, as Telegram returns it.
    pres = {(e["offset"], e["length"]): e for e in entities if e["type"] == "pre"}
    result: list[Entity] = []
    for entity in entities:
        language = entity.pop("_language", None)
        if entity["type"] == "code":
            pre = pres.get((entity["offset"], entity["length"]))
            if pre is not None:
                if language:
                    pre["language"] = language
                continue
        result.append(entity)
    return result


_COMMAND_RE = re.compile(r"(?<![\w/@<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?![\w@])")
_HASHTAG_RE = re.compile(r"(?<![\w#])#\w{0,255}[^\W\d]\w{0,255}")
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_URL_RE = re.compile(
    r"(?<![\w@/.])(?:(?:https?|ftp)://[^\s<>\"]+"
    r"|www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+[^\s<>\"]*"
    r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|io|me|de|fr|ru|uk|eu|info|dev|app)"
    r"(?:/[^\s<>\"]*)?\b)",
    re.IGNORECASE,
)
# Cheap tests whether a detector can match at all: the detectors scan every position, and
# most texts (a push, a reply) contain no URL, mention or e-mail.
_MAYBE = {
    "url": re.compile(r"://|www\.|\.(?:com|org|net|io|me|de|fr|ru|uk|eu|info|dev|app)\b", re.I),
    "email": re.compile(r"@"),
    "bot_command": re.compile(r"/"),
    "mention": re.compile(r"@"),
    "hashtag": re.compile(r"#"),
}
# Telegram does not detect entities inside these.
_OPAQUE_TYPES = {"code", "pre", "text_link", "url", "email", "custom_emoji", "text_mention"}


def detect_entities(text: str, existing: list[Entity] | None = None) -> list[Entity]:
    """Entities Telegram adds on its own (commands, mentions, hashtags, URLs, e-mails).

    ``existing`` are formatting entities already in the text; detected entities are not placed
    inside code, pre or links, mirroring the server.
    """
    if not any(ch in text for ch in "/@#.:"):
        return []
    blocked: list[tuple[int, int]] = [
        (e["offset"], e["offset"] + e["length"])
        for e in existing or ()
        if e["type"] in _OPAQUE_TYPES
    ]
    ascii_text = text.isascii()
    found: list[tuple[int, int, str]] = []  # code point spans, to convert once at the end
    taken: list[tuple[int, int]] = []

    def overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
        return any(span[0] < end and start < span[1] for start, end in spans)

    for kind, regex in (
        ("url", _URL_RE),
        ("email", _EMAIL_RE),
        ("bot_command", _COMMAND_RE),
        ("mention", _MENTION_RE),
        ("hashtag", _HASHTAG_RE),
    ):
        if not _MAYBE[kind].search(text):
            continue
        for match in regex.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)'\"":
                    end -= 1
            span = (start, end)
            if end <= start or overlaps(span, taken):
                continue
            found.append((start, end, kind))
            taken.append(span)
    if not found:
        return []
    result: list[Entity] = []
    # Telegram lists entities in text order: clients (and PTB's CommandHandler) rely on a
    # leading command being the first entity, even when a URL was found first.
    for start, end, kind in sorted(found):
        if ascii_text:
            offset, length = start, end - start
        else:
            offset = utf16_len(text[:start])
            length = utf16_len(text[start:end])
        if overlaps((offset, offset + length), blocked):
            continue
        result.append({"offset": offset, "length": length, "type": kind})
    return result


def _strip(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    stripped = text.strip(_SPACES)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_SPACES))])
    new_len = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_len)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def format_text(
    text: str, parse_mode: str | None, entities: list[Entity] | None
) -> tuple[str, list[Entity]]:
    """What Telegram stores for ``text`` + ``parse_mode``/``entities``: (plain text, entities).

    Raises EntityParseError for invalid markup. Explicit ``entities`` win over ``parse_mode``,
    as in the Bot API.
    """
    if entities is not None:
        plain, parsed = text, [dict(e) for e in entities]
    elif parse_mode:
        if parse_mode.lower() != "html":
            raise ValueError(f"Unsupported parse_mode: {parse_mode}")
        plain, parsed = parse_html(text)
    else:
        plain, parsed = text, []
    plain, parsed = _strip(plain, parsed)
    parsed.extend(detect_entities(plain, parsed))
    return plain, sort_entities(parsed)
