"""Stage 3, analysis: text to terms with SudachiPy (build time only; queries never load it).

Each mode C unit is a term, and so is each of its mode A parts (Elasticsearch's
analysis-sudachi "search mode"), so 機械学習 is found by 機械学習, 機械 and 学習.
A term is `fold(normalized_form())`: NFKC, lower case, and Sudachi's spelling
normalization (サーバ → サーバー, 附属 → 付属, ２０１４ → 2014).

Positions count mode A units, stop words included, so a phrase is a run of positions.
Particles, auxiliary verbs, symbols and whitespace are stop tokens: never indexed, but
their surfaces go to the lexicon so the query segmenter can still cut 設定を変更する.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from sudachipy import Dictionary, SplitMode

from .core import fold

SUDACHI_MAX_BYTES = 49_149
# Sudachi also caps its normalized (lower-cased) copy of the input at 65,535 bytes, and some
# letters grow when lower-cased (İ: 2 bytes, then i + U+0307: 3); kept with a margin.
SUDACHI_MAX_LOWERED = 65_000
STOP_POS = ("助詞", "助動詞", "補助記号", "空白")
# Normalized forms so frequent in Japanese prose that they only bloat postings.
STOP_TERMS = frozenset(
    [
        "為る",
        "居る",
        "有る",
        "成る",
        "事",
        "物",
        "此れ",
        "其れ",
        "此の",
        "其の",
        "彼の",
        "様",
        "為",
        "所",
        "又",
        "及び",
        "若しくは",
        "於く",
        "付く",
        "就く",
        "依る",
        "因る",
    ]
)
_LATIN = re.compile(r"[!-~]+(?: [!-~]+)*")  # a dictionary word may hold spaces: `World Wide Web`
_ALNUM = re.compile(r"[0-9a-z]+")
_LATIN_EDGE = re.compile(r"^[^0-9a-z]+|(?<![+#])[^0-9a-z+#]+$")
MAX_JOINED = 32
# Code (Analyzer.units with code=True): a line with the white space that starts the next (so a
# run of white space stays whole), a character outside ASCII, a word or a run of white space.
_CODE_LINE = re.compile(r"[^\n]*(?:\n\s*|$)")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_CODE_WORD = re.compile(r"\s+|\S+")
MAX_CACHED_WORD = 64  # longer code words are analyzed each time (they seldom repeat)
MAX_CACHED_WORDS = 200_000


@dataclass(slots=True)
class Token:
    """One analyzed unit. `term` is None for a stop token, which is never indexed."""

    term: str | None
    surface: str  # folded, as a query would spell it
    pos: int  # position in mode A units
    width: int  # how many positions the unit spans
    start: int  # character offsets into the analyzed text
    end: int


# A token as the build reads it: (term or None, surface, pos, width, start, end), as in Token.
Unit = tuple[str | None, str, int, int, int, int]


class _Word(NamedTuple):
    """What one dictionary word contributes; cached by word id, since words repeat (a tuple:
    the loop per morpheme unpacks it in one step)."""

    term: str | None  # None: a stop word
    surface: str  # folded
    latin: bool  # printable ASCII only: may join its neighbours (`node` `.` `js`)
    plain: bool  # letters and digits only: alone, nothing to join or split
    width: int
    parts: tuple[tuple[int, int, str, str], ...]  # (start, end, term, surface) of indexed mode A parts


def utf8_prefix_chars(text: str, limit: int) -> int:
    """How many leading characters of `text` fit into `limit` UTF-8 bytes."""
    head = text[:limit].encode("utf-8")
    if len(head) <= limit:
        return min(len(text), limit)
    return len(head[:limit].decode("utf-8", "ignore"))


def split_for_sudachi(text: str, limit: int = SUDACHI_MAX_BYTES) -> Iterator[tuple[int, str]]:
    """Pieces under Sudachi's input limits, cut at a paragraph, line or sentence end if there
    is one (else anywhere), each with its offset into `text`."""
    start = 0
    while start < len(text):
        fit = utf8_prefix_chars(text[start:], limit)
        while fit > 1 and len(text[start : start + fit].lower().encode("utf-8")) > SUDACHI_MAX_LOWERED:
            fit = fit * 3 // 4  # rare (text dense in letters that grow): a few tries at most
        end = start + fit
        if end < len(text):
            window = text[start:end]
            for sep in ("\n\n", "\n", "。", "．", ". ", "！", "？", " "):
                cut = window.rfind(sep)
                if cut > 0:
                    end = start + cut + len(sep)
                    break
        yield start, text[start:end]
        start = end


def code_stretches(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, ASCII only) of the longest runs of lines that are all ASCII or all not.
    A line ends after the white space that follows its newline, so a run of white space is
    never cut in two."""
    start, end, kind = 0, 0, True
    for m in _CODE_LINE.finditer(text):
        if m.start() == m.end():
            continue
        ascii_only = _NOT_ASCII.search(text, m.start(), m.end()) is None
        if ascii_only != kind and end > start:
            yield start, end, kind
            start = end
        end, kind = m.end(), ascii_only
    if end > start:
        yield start, end, kind


class Analyzer:
    """A Sudachi tokenizer with its own dictionary. Not thread-safe; one per worker process."""

    def __init__(self) -> None:
        self.dictionary = Dictionary(dict="core")
        self.tokenizer = self.dictionary.tokenizer(mode=SplitMode.C)
        self.is_stop_pos = self.dictionary.pos_matcher(lambda p: p[0] in STOP_POS)
        self.words: dict[tuple[int, str], _Word] = {}
        self.code_words: dict[str, tuple[tuple[Unit, ...], int]] = {}

    def analyze(self, text: str) -> list[Token]:
        """All tokens of a text, stop tokens included. The one public entry of this stage."""
        return [Token(*unit) for unit in self.units(text)]

    def units(self, text: str, code: bool = False) -> list[Unit]:
        """What `analyze` gives, as plain tuples: a build makes millions, and a tuple costs a
        fraction of a Token (index.add_tokens reads these). `code`: the text is code, whose
        ASCII lines are read a word at a time (`_code_units`)."""
        text = unicodedata.normalize("NFKC", text)
        units: list[Unit] = []
        if code:
            self._code_units(text, units)
        else:
            self._sudachi_units(text, 0, 0, units)
        return units

    def _sudachi_units(self, text: str, offset: int, pos: int, out: list[Unit]) -> int:
        """Units of a text (at `offset` in the analyzed one) read by Sudachi, in pieces under
        its input limit; returns the next free position."""
        for start, piece in split_for_sudachi(text):
            pos = self._analyze_piece(piece, offset + start, pos, out)
        return pos

    def _code_units(self, text: str, out: list[Unit]) -> None:
        """Units of code. Its stretches of ASCII lines are cut at white space and each word is
        analyzed alone, once (`code_words` caches them): code repeats its words (`const`, `=`,
        `return`) and is a good part of a technical site's text, and white space is where a
        code tokenizer cuts anyway. Stretches with Japanese or other non-ASCII characters
        (comments, strings) are read by Sudachi whole, as prose is. The units do not depend on
        what the cache holds, so any number of jobs gives the same bytes."""
        pos = 0
        for start, end, ascii_only in code_stretches(text):
            if ascii_only:
                pos = self._code_words(text, start, end, pos, out)
            else:
                pos = self._sudachi_units(text[start:end], start, pos, out)

    def _code_words(self, text: str, start: int, end: int, pos: int, out: list[Unit]) -> int:
        """Units of text[start:end], ASCII code, one word or run of white space at a time."""
        append, cache = out.append, self.code_words
        for m in _CODE_WORD.finditer(text, start, end):
            word = m.group()
            units, width = cache.get(word) or self._code_word(word)
            base = m.start()
            for term, surface, p, w, a, b in units:
                append((term, surface, pos + p, w, base + a, base + b))
            pos += width
        return pos

    def _code_word(self, word: str) -> tuple[tuple[Unit, ...], int]:
        """A code word's units, from position and offset 0, and the positions it spans."""
        units: list[Unit] = []
        width = self._sudachi_units(word, 0, 0, units)
        analyzed = (tuple(units), width)
        if len(word) <= MAX_CACHED_WORD and len(self.code_words) < MAX_CACHED_WORDS:
            self.code_words[word] = analyzed
        return analyzed

    def _word(self, m: object, surface: str) -> _Word:
        """The analysis of one morpheme the cache lacks (see _analyze_piece)."""
        term = fold(m.normalized_form())  # type: ignore[attr-defined]
        stop = self.is_stop_pos(m) or term in STOP_TERMS or not term.strip()
        split: list[object] = []
        if not stop and len(surface) > 1:
            split = list(m.split(SplitMode.A))  # type: ignore[attr-defined]
        base = m.begin()  # type: ignore[attr-defined]
        parts = tuple(
            (p.begin() - base, p.end() - base, fold(p.normalized_form()), fold(p.surface()))  # type: ignore[attr-defined]
            for p in (split if len(split) > 1 else [])
        )
        width = len(parts) or 1
        parts = tuple(p for p in parts if p[2] not in STOP_TERMS)
        latin = bool(_LATIN.fullmatch(surface))
        word = _Word(None if stop else term, fold(surface), latin, latin and surface.isalnum(), width, parts)
        if len(self.words) < 500_000:
            self.words[(m.word_id(), surface)] = word  # type: ignore[attr-defined]
        return word

    def _analyze_piece(self, piece: str, offset: int, pos: int, out: list[Unit]) -> int:
        """Units of one piece under the Sudachi limit; returns the next free position. Each
        morpheme's analysis is cached by word id and surface (`words`: words repeat, and the
        Python work per morpheme is what a build spends most of its time on)."""
        words, append = self.words, out.append
        latin: tuple[int, int, int, int] | None = None  # (start, end, pos, count) of a Latin run
        plain = False  # the run is one plain word
        for m in self.tokenizer.tokenize(piece):
            begin, stop = m.begin(), m.end()
            surface = piece[begin:stop]  # a slice costs less than m.surface()
            word = words.get((m.word_id(), surface)) or self._word(m, surface)  # (an unknown word's id names its class)
            term, folded, is_latin, is_plain, width, parts = word
            start, end = begin + offset, stop + offset
            append((term, folded, pos, width, start, end))
            if parts:
                for i, (ps, pe, part, psurface) in enumerate(parts):
                    append((part, psurface, pos + i, 1, start + ps, start + pe))
            if is_latin:
                if latin is not None and latin[1] == start:
                    latin = (latin[0], end, latin[2], latin[3] + 1)
                    plain = False
                else:
                    if latin is not None and not plain:
                        self._join_latin(latin, piece, offset, out)
                    latin, plain = (start, end, pos, 1), is_plain
            elif latin is not None:
                if not plain:
                    self._join_latin(latin, piece, offset, out)
                latin = None
            pos += width
        if latin is not None and not plain:
            self._join_latin(latin, piece, offset, out)
        return pos

    @staticmethod
    def _join_latin(run: tuple[int, int, int, int], piece: str, offset: int, out: list[Unit]) -> None:
        """`EC2`, `Node.js`, `re:Invent`, `C++` as one more term beside their pieces, and the
        letter and digit runs inside a piece Sudachi kept whole (`0.000057` → `000057`)."""
        start, end, pos, count = run
        text = piece[start - offset : end - offset]
        if count == 1 and text.isalnum():
            return  # one plain word: nothing to join or split
        folded = fold(text)
        seen = {u[1] for u in out[-count * 4 :] if u[4] >= start}
        joined = _LATIN_EDGE.sub("", folded)
        if count > 1 and joined and len(joined) <= MAX_JOINED and joined not in seen:
            lead = folded.index(joined)
            out.append((joined, joined, pos, count, start + lead, start + lead + len(joined)))
            seen.add(joined)
        for m in _ALNUM.finditer(folded):
            if m.group() not in seen and len(m.group()) <= MAX_JOINED:
                out.append((m.group(), m.group(), pos, 1, start + m.start(), start + m.end()))
                seen.add(m.group())
