"""Our analysis for whoosh-reloaded users: `whoosh_analyzer()` gives whoosh our Japanese terms.

Kept apart from analysis.py so a build does not import whoosh.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer as WhooshTokenizer

from .analysis import Analyzer


class SudachiTokenizer(WhooshTokenizer):  # type: ignore[misc]
    """Our analysis as a whoosh Tokenizer: yields exactly the indexed terms (stops dropped),
    with their positions and character offsets."""

    def __init__(self) -> None:
        self.analyzer: Analyzer | None = None

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[WhooshToken]:
        if self.analyzer is None:
            self.analyzer = Analyzer()
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for t in self.analyzer.analyze(value):
            if t.term is None:
                continue
            token.text = t.term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = t.surface
            if positions:
                token.pos = start_pos + t.pos
            if chars:
                token.startchar = start_char + t.start
                token.endchar = start_char + t.end
            yield token

    def __getstate__(self) -> dict[str, object]:
        return {"analyzer": None}  # Sudachi objects cannot be pickled; made again on first use

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SudachiTokenizer)

    __hash__ = WhooshTokenizer.__hash__


def whoosh_analyzer() -> CompositeAnalyzer:
    """A whoosh-reloaded analyzer (Tokenizer | filters) giving whoosh users our Japanese terms."""
    return SudachiTokenizer() | LowercaseFilter()
