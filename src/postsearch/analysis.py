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
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from sudachipy import Dictionary, Morpheme, SplitMode, TextNormalizer

from .core import fold
from .units import Sequence, Unit, Word, units_of

SUDACHI_MAX_BYTES = 49_149
# Sudachi also caps its normalized (lower-cased) copy of the input at 65,535 bytes, and some
# letters grow when lower-cased (İ: 2 bytes, then i + U+0307: 3); kept with a margin.
SUDACHI_MAX_LOWERED = 65_000
# A text this long fits both limits whatever its characters: 4 UTF-8 bytes each at most, and
# lower-casing turns one character into at most two (İ: i + U+0307), 8 bytes in all.
SURELY_FITS = min(SUDACHI_MAX_BYTES // 4, SUDACHI_MAX_LOWERED // 8)
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
_LINE = re.compile(r"[^\n]+\n?|\n")  # a line with its newline (misread)
# A line with the white space that starts the next (so a run of white space stays whole): how
# prose (Analyzer._read_lines_of) and code (code_stretches) are cut into lines. Code
# (Analyzer.units with code=True): a character outside ASCII, a word or a run of white space.
_SPACED_LINE = re.compile(r"[^\n]*(?:\n\s*|$)")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_CODE_WORD = re.compile(r"\s+|\S+")
MAX_CACHED_WORD = 64  # longer code words are analyzed each time (they seldom repeat)
# A piece with a line of SURELY_FITS characters or more is read in parts of at most this many
# bytes, each whole (Analyzer._read). Percent-encoded text read whole took about 9 us a
# character at 2,000 characters, 39 at 32,000 and 118 at 48,000; prose about 4
# (benchmarks/long_lines.py).
LONG_PART_BYTES = 2_048
MAX_CACHED_LINE = 256  # longer lines are read each time (they seldom repeat)
MAX_CACHED_LINES = 100_000
# Prose lines read in one Sudachi call, in characters: a call's own cost is small past a few
# hundred characters, and calls of 300 to 600 took 0.86-0.90 x the CPU of whole pieces on
# efcl-blog (benchmarks/RESULTS.md, tenth part; what its callgrind profile said of memory
# copies was two very long words, as the eleventh part found).
CALL_CHARS = 500
MAX_CACHED_WORDS = 200_000
MAX_WORDS = 500_000  # Analyzer.table is emptied past this (make_room)
WORDS_PER_CALL = 500  # code words read in one Sudachi call (at most 65 bytes each)


@dataclass(slots=True)
class Token:
    """One analyzed unit. `term` is None for a stop token, which is never indexed."""

    term: str | None
    surface: str  # folded, as a query would spell it
    pos: int  # position in mode A units
    width: int  # how many positions the unit spans
    start: int  # character offsets into the analyzed text
    end: int


def utf8_prefix_chars(text: str, limit: int) -> int:
    """How many leading characters of `text` fit into `limit` UTF-8 bytes."""
    head = text[:limit].encode("utf-8")
    if len(head) <= limit:
        return min(len(text), limit)
    return len(head[:limit].decode("utf-8", "ignore"))


def split_for_sudachi(text: str, limit: int = SUDACHI_MAX_BYTES) -> Iterator[tuple[int, str]]:
    """Pieces under Sudachi's input limits, cut at a paragraph, line or sentence end if there
    is one (else anywhere), each with its offset into `text`."""
    if len(text) <= SURELY_FITS and limit == SUDACHI_MAX_BYTES:
        yield 0, text  # most texts: no need to encode them to know
        return
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


def misread(normalizer: TextNormalizer, piece: str) -> bytearray | None:
    """None if Sudachi reads `piece` as its plain lower case, character for character; else
    a flag per character, set on each line it reads otherwise. Its input plugins may drop a
    reading in brackets (線(せん) → 線) or shorten a run of dashes (--- → ー), and a word then
    has surfaces of other lengths. They work within a line: if the lines read one by one do
    not make the whole, every flag is set. ASCII text is read as its lower case unless it
    has a run of dashes (no ASCII key in rewrite.def; brackets are dropped only around kana),
    so code is not normalized to know it."""
    if piece.isascii() and "--" not in piece:
        return None
    lower = piece.lower()
    whole = normalizer.normalize(piece)
    if len(lower) == len(piece) and whole == lower:
        return None
    flags, lines = bytearray(len(piece)), []
    for m in _LINE.finditer(piece):
        line = m.group()
        lines.append(normalizer.normalize(line))
        line_lower = line.lower()
        if lines[-1] != line_lower or len(line_lower) != len(line):
            flags[m.start() : m.end()] = b"\x01" * len(line)
    if "".join(lines) != whole:
        flags[:] = b"\x01" * len(piece)
    return flags


def code_stretches(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, ASCII only) of the longest runs of lines that are all ASCII or all not.
    A line ends after the white space that follows its newline, so a run of white space is
    never cut in two."""
    start, end, kind = 0, 0, True
    for m in _SPACED_LINE.finditer(text):
        if m.start() == m.end():
            continue
        ascii_only = _NOT_ASCII.search(text, m.start(), m.end()) is None
        if ascii_only != kind and end > start:
            yield start, end, kind
            start = end
        end, kind = m.end(), ascii_only
    if end > start:
        yield start, end, kind


def calls_of(todo: list[int], lines: list[str]) -> Iterator[list[int]]:
    """The lines `todo` (their indexes, in order) in groups of about CALL_CHARS characters."""
    call: list[int] = []
    size = 0
    for i in todo:
        if call and size + len(lines[i]) > CALL_CHARS:
            yield call
            call, size = [], 0
        call.append(i)
        size += len(lines[i])
    if call:
        yield call


class Analyzer:
    """A Sudachi tokenizer with its own dictionary. Not thread-safe; one per worker process.

    Reading a text gives its `sequence`: the number of each morpheme's word in `table`, the
    analysis of a (word id, surface) pair made once and looked up after, by the word id alone
    where it can be (`_read_piece`): words repeat, and the Python work per morpheme is what a
    build spends most of its time on beside Sudachi.
    `units` spells a sequence out as tokens; the build counts it with array operations
    (postterms.py)."""

    def __init__(self) -> None:
        self.dictionary = Dictionary(dict="core")
        self.tokenizer = self.dictionary.tokenizer(mode=SplitMode.C)
        self.is_stop_pos = self.dictionary.pos_matcher(lambda p: p[0] in STOP_POS)
        self.normalizer = self.dictionary.text_normalizer()
        self.words: dict[tuple[int, str], int] = {}  # (word id, surface) -> number in table
        self.by_id: dict[int, int] = {}  # word id -> number in table (`_read_piece`)
        self.table: list[Word] = []
        self.lengths: list[int] = []  # each Word's length (`_read_lines_of`)
        self.code_words: dict[str, Sequence] = {}  # a word of code -> its sequence
        self.lines: dict[tuple[str, bool], list[int]] = {}  # (line of prose, first of its piece) -> numbers
        self.generation = 0  # how many times the table was emptied (make_room)

    def analyze(self, text: str) -> list[Token]:
        """All tokens of a text, stop tokens included. The one public entry of this stage."""
        return [Token(*unit) for unit in self.units(text)]

    def units(self, text: str, code: bool = False) -> list[Unit]:
        """What `analyze` gives, as plain tuples. `code`: the text is code, whose ASCII lines
        are read a word at a time (`sequence`)."""
        self.make_room()
        text = unicodedata.normalize("NFKC", text)
        return units_of(self.table, text, self.sequence(text, code))

    def make_room(self) -> None:
        """Empty the word table once it is full (between texts: a sequence's numbers point
        into it). Words are analyzed the same way again, so nothing else changes."""
        if len(self.table) > MAX_WORDS:
            self.words, self.by_id, self.table, self.lengths = {}, {}, [], []
            self.code_words, self.lines = {}, {}
            self.generation += 1

    def sequence(self, text: str, code: bool = False) -> Sequence:
        """The word numbers of an NFKC text, and where each piece Sudachi read ends among
        them (a Latin run never crosses a piece's end). Code: its stretches of ASCII lines
        are cut at white space and each word is read on a line of its own, once
        (`_read_words`, `code_words`): code
        repeats its words (`const`, `=`, `return`), and white space is where a code
        tokenizer cuts anyway. Stretches with Japanese or other non-ASCII characters
        (comments, strings) are read whole, as prose is. Neither depends on what the caches
        hold, so any number of jobs gives the same bytes."""
        numbers: list[int] = []
        ends: list[int] = []
        if not code:
            self._read(text, numbers, ends)
            return numbers, ends
        for start, end, ascii_only in code_stretches(text):
            if ascii_only:
                self._read_code(text, start, end, numbers, ends)
            else:
                self._read(text[start:end], numbers, ends)
        return numbers, ends

    def _read(self, text: str, numbers: list[int], ends: list[int]) -> None:
        """A text read by Sudachi in pieces under its input limit, a piece a line at a time
        (`_read_lines_of`). A piece with a line too long to read after a newline (minified
        code, a `data:` URI) is read in parts of at most LONG_PART_BYTES, each whole: Sudachi's
        time grows with the square of some runs' length (percent-encoded text)."""
        for _, piece in split_for_sudachi(text):
            lines = [m.group() for m in _SPACED_LINE.finditer(piece) if m.end() > m.start()]
            if max(map(len, lines), default=0) >= SURELY_FITS:
                for _, part in split_for_sudachi(piece, LONG_PART_BYTES):
                    self._read_piece(part, numbers)
                    ends.append(len(numbers))
                continue
            if not self._read_lines_of(lines, numbers):
                self._read_piece(piece, numbers)
            ends.append(len(numbers))

    def _read_lines_of(self, lines: list[str], numbers: list[int]) -> bool:
        """A piece's lines read, each line Sudachi read before taken from `self.lines`
        (sites repeat lines: notes, links, boilerplate), the others read a few hundred
        characters to a call (`CALL_CHARS`). A line ends after the white space that follows
        its newline, one token every reading goes through, and a line after the first is
        read after a newline, as in the piece: what comes before a word decides which of
        two same-spelled words Sudachi takes. False (nothing read) in the rare case the
        morphemes do not end where lines do."""
        cache, fresh = self.lines, dict[int, list[int]]()
        todo = [i for i, line in enumerate(lines) if len(line) > MAX_CACHED_LINE or (line, i == 0) not in cache]
        for call in calls_of(todo, lines):
            got = self._read_call([lines[i] for i in call], call[0] > 0)
            if got is None:
                return False
            fresh.update(zip(call, got, strict=True))
        for i, line in enumerate(lines):
            got = fresh.get(i)
            if got is None:
                got = cache[(line, i == 0)]
            elif len(cache) < MAX_CACHED_LINES and len(line) <= MAX_CACHED_LINE:
                cache[(line, i == 0)] = got
            numbers.extend(got)
        return True

    def _read_call(self, lines: list[str], after_newline: bool) -> list[list[int]] | None:
        """Lines read in one Sudachi call (after a newline: the newline's morpheme dropped),
        the word numbers of each; None if the morphemes do not end where the lines do."""
        lead = "\n" if after_newline else ""
        read: list[int] = []
        self._read_piece(lead + "".join(lines), read)
        ends = list(accumulate(map(self.lengths.__getitem__, read)))  # where each morpheme ends
        k = offset = len(lead)  # the lead, if any, is one morpheme of one character
        if lead and ends[0] != 1:
            return None
        got: list[list[int]] = []
        for line in lines:
            offset += len(line)
            last = bisect_left(ends, offset, k)
            if last == len(ends) or ends[last] != offset:
                return None
            got.append(read[k : last + 1])
            k = last + 1
        return got

    def _read_piece(self, piece: str, numbers: list[int]) -> None:
        """The loop per morpheme: as little as can be. Where Sudachi reads the text as its
        lower case (`misread`), a dictionary word's number is found by its word id alone:
        each surface it has there is the headword in some letter case, of the same length
        and the same once folded, so its Word is the same."""
        flags, by_id, append = misread(self.normalizer, piece), self.by_id, numbers.append
        for m in self.tokenizer.tokenize(piece):
            if flags is not None and flags[m.end() - 1]:
                append(self._number(m, piece, False))
                continue
            n = by_id.get(m.word_id())
            append(self._number(m, piece, True) if n is None else n)

    def _number(self, m: Morpheme, piece: str, learn: bool) -> int:
        """A morpheme's number found by (word id, surface): an unknown word's id names only
        its class. `learn`: a dictionary word is found by its id alone from now on."""
        surface = piece[m.begin() : m.end()]  # a slice costs less than m.surface()
        n = self.words.get((m.word_id(), surface))
        if n is None:
            n = self._word(m, surface)
        if learn and not m.is_oov():
            self.by_id[m.word_id()] = n
        return n

    def _read_code(self, text: str, start: int, end: int, numbers: list[int], ends: list[int]) -> None:
        """text[start:end], ASCII code, one word or run of white space at a time."""
        cache = self.code_words
        words = _CODE_WORD.findall(text, start, end)
        fresh = self._read_words([w for w in dict.fromkeys(words) if w not in cache])
        for word in words:
            read = cache.get(word) or fresh[word]
            base = len(numbers)
            numbers.extend(read[0])
            ends.extend([base + e for e in read[1]])
        if len(cache) < MAX_CACHED_WORDS:
            cache.update((w, read) for w, read in fresh.items() if len(w) <= MAX_CACHED_WORD)

    def _read_words(self, words: list[str]) -> dict[str, Sequence]:
        """Code words, each read on a line of its own (`\\n` before and after: a newline is
        one token every reading goes through, so what is read on either side of it does not
        change what is read on the other), many to a Sudachi call; white space and long
        words read alone."""
        read: dict[str, Sequence] = {}
        short = [w for w in words if len(w) <= MAX_CACHED_WORD and not w.isspace()]
        for word in words:
            if len(word) > MAX_CACHED_WORD or word.isspace():
                read[word] = ([], [])
                self._read(word, *read[word])
        for i in range(0, len(short), WORDS_PER_CALL):
            read.update(self._read_lines(short[i : i + WORDS_PER_CALL]))
        return read

    def _read_lines(self, words: list[str]) -> dict[str, Sequence]:
        """Short code words (no white space), each on a line of its own after a newline, in
        one Sudachi call (`_read_call`); each line's newline morpheme is left out."""
        got = self._read_call([word + "\n" for word in words], after_newline=True)
        assert got is not None and all(self.table[n[-1]].surface == "\n" for n in got)
        return {word: (n[:-1], [len(n) - 1]) for word, n in zip(words, got, strict=True)}

    def _word(self, m: object, surface: str) -> int:
        """The analysis of one morpheme the table lacks, added to it; its number."""
        term = fold(m.normalized_form())  # type: ignore[attr-defined]
        stop = self.is_stop_pos(m) or term in STOP_TERMS or not term.strip()
        split: list[object] = []
        # An unknown word has no mode A parts (Sudachi gives it back whole): not asked.
        if not stop and len(surface) > 1 and not m.is_oov():  # type: ignore[attr-defined]
            split = list(m.split(SplitMode.A))  # type: ignore[attr-defined]
        base = m.begin()  # type: ignore[attr-defined]
        parts = tuple(
            (p.begin() - base, p.end() - base, fold(p.normalized_form()), fold(p.surface()))  # type: ignore[attr-defined]
            for p in (split if len(split) > 1 else [])
        )
        width = len(parts) or 1
        parts = tuple(p for p in parts if p[2] not in STOP_TERMS)
        latin = bool(_LATIN.fullmatch(surface))
        plain = latin and surface.isalnum()
        self.table.append(Word(None if stop else term, fold(surface), latin, plain, width, parts, len(surface)))
        self.lengths.append(len(surface))
        self.words[(m.word_id(), surface)] = len(self.table) - 1  # type: ignore[attr-defined]
        return len(self.table) - 1
