"""Paragraphs with their place on the page and in the story's reading flows."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.story.marks import QuoteScan, scan_quotes
from bot.story.text import sentence_spans

MAIN_FLOW = 0


@dataclass
class Para:
    """One paragraph: `order` on the page, `flow` 0 for the main text, n for ticker item n.

    Text in a ticker item may refer back to the main text before its block, which
    `context_before` (an order) bounds.
    """

    text: str
    order: int
    flow: int
    language: str
    context_before: int = 0
    continues_quote: bool = False
    headline: bool = False
    _scan: QuoteScan | None = field(default=None, repr=False)
    _sentences: list[tuple[int, int]] | None = field(default=None, repr=False)

    @property
    def quotes(self) -> QuoteScan:
        """The paired quotation marks of this paragraph (computed once)."""
        if self._scan is None:
            self._scan = scan_quotes(self.text, continues=self.continues_quote)
        return self._scan

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """Offsets of the sentences of this paragraph (computed once)."""
        if self._sentences is None:
            self._sentences = sentence_spans(self.text, self.language)
        return self._sentences

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """The sentence that holds `offset`."""
        for start, end in self.sentences:
            if start <= offset < end:
                return start, end
        return 0, len(self.text)

    def in_quote(self, offset: int) -> bool:
        """True if `offset` lies inside a quotation."""
        return any(span.start <= offset <= span.end for span in self.quotes.spans)
