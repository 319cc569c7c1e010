"""Extractive summary: TF-IDF TextRank over the story's own sentences, in reading order."""

from __future__ import annotations

import math
import re
from collections import Counter

from bot.story.furniture import is_furniture
from bot.story.marks import ALL_MARKS_TEXT, quote_spans
from bot.story.text import content_stems, split_sentences
from bot.story.words import lazy, wordset

# Sentences opening on these words lean on a referent the summary may not carry.
_DEPENDENT_OPENERS_DE = wordset("""
    er sie es letzterer letztere letzteres ersterer erstere dieser diese dieses dies jener jene
    dort damit dabei daher deshalb dafür dagegen darauf dazu ihm ihn ihr ihre sein seine
    zudem außerdem ebenso auch
    """)
_DEPENDENT_OPENERS_EN = wordset("""
    he she it they this these those that his her its their him them there such also
    """) | {"the latter", "the former"}
# "…“, erinnerte er" / "…,” he said": the speaker is a pronoun the summary cannot resolve.
_PRONOUN_ATTRIBUTION = lazy(
    r"[,“”\"»«'’]\s*(?:\w+\s+(?:er|sie)\b|(?:he|she|they)\s+\w+)", re.IGNORECASE
)
_MIN_WORDS = 6
_MAX_WORDS = 70
_MAX_PARAGRAPHS = 400


def summarize(paragraphs: list[str], language: str, *, size: int = 4) -> list[str]:
    """3 to `size` sentences that together cover the story's recurring concepts, in reading order.

    Concepts are content-word stems found in at least two paragraphs (what the story keeps
    coming back to), weighted by how many paragraphs hold them. The first usable sentence
    (the lead) goes in first; then, greedily, the sentence adding the most concept weight
    not yet covered, per square root of its length; TF-IDF centrality breaks ties.
    """
    # Four sentences are chosen: the page's first paragraphs (a live page's newest posts)
    # say what the story is; reading thousands of posts for them cost a quarter of a long
    # page's parse.
    paragraphs = paragraphs[:_MAX_PARAGRAPHS]
    sentences = [
        s
        for paragraph in paragraphs
        for s in split_sentences(paragraph, language)
        if _usable(s, language)
    ]
    if len(sentences) <= 3:
        return sentences
    stems = [set(content_stems(s)) for s in sentences]
    spread = Counter(stem for paragraph in paragraphs for stem in set(content_stems(paragraph)))
    weight = {stem: count for stem, count in spread.items() if count >= 2}
    centrality = _centrality(stems)
    chosen = [0]
    covered = set(stems[0])
    while len(chosen) < min(size, len(sentences)):
        gains = {
            index: (
                sum(weight.get(stem, 0) for stem in stems[index] - covered)
                / math.sqrt(len(stems[index]) or 1),
                centrality[index],
            )
            for index in range(len(sentences))
            if index not in chosen
        }
        best = max(gains, key=lambda index: gains[index])
        if gains[best][0] == 0 and len(chosen) >= 3:
            break
        chosen.append(best)
        covered |= stems[best]
    return [sentences[i] for i in sorted(chosen)]


def _usable(sentence: str, language: str) -> bool:
    count = len(sentence.split())
    if count < _MIN_WORDS or count > _MAX_WORDS:
        return False
    if sentence.endswith("?") or not sentence.rstrip(ALL_MARKS_TEXT + " ").endswith((".", "!")):
        return False
    bare = sentence.lstrip(ALL_MARKS_TEXT + " ").lower()
    first = bare.split(" ", 1)[0].strip(",;:")
    two = " ".join(bare.split()[:2])
    quoted = sentence[:1] in ALL_MARKS_TEXT
    # Inside a quotation "Es gab …" / "It was …" is the speaker's expletive, not a back-reference.
    if quoted and first in ("es", "it", "there"):
        pass
    elif first in _DEPENDENT_OPENERS_DE or first in _DEPENDENT_OPENERS_EN:
        return False
    if two in _DEPENDENT_OPENERS_EN:
        return False
    if len(_outside_quotes(sentence).split()) < 4:
        return False  # a bare quotation: the reader would not know who says it
    if _PRONOUN_ATTRIBUTION.search(sentence) and not _names_someone(sentence):
        return False
    # Last: the furniture rules cost the most, and most sentences fail a test above.
    return not is_furniture(sentence)


def _outside_quotes(sentence: str) -> str:
    spans = quote_spans(sentence)
    if not spans and sentence[:1] in ALL_MARKS_TEXT:
        return ""  # a quotation left open runs to the end of the sentence
    kept, position = [], 0
    for start, end, _ in spans:
        kept.append(sentence[position:start])
        position = end + 1
    kept.append(sentence[position:])
    return " ".join(kept)


def _names_someone(sentence: str) -> bool:
    """True if the sentence names a person itself (two capitalised words in a row)."""
    return re.search(r"\b[A-ZÄÖÜ][\w-]+ [A-ZÄÖÜ][\w-]+\b", sentence[1:]) is not None


def _centrality(stems: list[set[str]]) -> list[float]:
    """TF-IDF cosine similarity of each sentence to all the others (via their centroid)."""
    frequency = Counter(stem for doc in stems for stem in doc)
    total = len(stems)
    vectors = []
    for doc in stems:
        weights = {stem: math.log(1 + total / frequency[stem]) for stem in doc}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({stem: w / norm for stem, w in weights.items()})
    centroid: Counter[str] = Counter()
    for vector in vectors:
        centroid.update(vector)
    # Linear in the text, where pairwise similarity would be quadratic on long pages.
    return [
        sum(w * (centroid[stem] - w) for stem, w in vector.items()) / max(total - 1, 1)
        for vector in vectors
    ]
