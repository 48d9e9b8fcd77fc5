"""Make the browser runtime: join src/postsearch/web/src/*.js into src/postsearch/web/postsearch.js.

`postsearch index` writes postsearch.js next to the index; it is generated, never edited.
The source modules (one per Python module of postsearch.query, plus compat.js and core.js)
import each other and keep their doc comments; the runtime is them joined in dependency
order (ORDER) into one ES module, without the imports between them, without comments,
indentation and the spaces punctuation does not need, exporting PUBLIC: the names pages, ui.js and the tests import.

    python scripts/build_runtime.py           # write postsearch.js
    python scripts/build_runtime.py --check   # exit 1 if postsearch.js is not what it makes

Standard library only, no bundler: comments are found by a small tokenizer that knows the
JavaScript the sources use (strings, template literals with ${...} inside, regular
expression literals, which may all hold `//` or `/*`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "src" / "postsearch" / "web"
SOURCES = WEB / "src"
RUNTIME = WEB / "postsearch.js"
# Each module imports only modules before it.
ORDER = ("compat", "core", "decode", "parse", "match", "rank", "excerpt", "shards", "index")
# What the runtime exports (the names it exported when it was one hand-written file).
PUBLIC = (
    "FORMAT", "VERSION", "PREFIX_SURFACES", "PREFIX_WEIGHT", "ADJACENCY", "EXCERPT_CHARS", "UNCOVERED_COST",
    "UNCOVERED", "KNOWN", "PREFIX", "GRAM_FIELD", "MAX_QUERY_CHARS", "UNICODE_VERSION",
    "fold", "isWordChar", "isGramChar", "gramsOf", "gramShard", "shardOf", "compare", "rangeShard", "escapeHtml",
    "decodeLexicon", "decodeLengths", "decodeIds", "decodePostings", "decodePositions",
    "parseQuery", "asciiClass", "canCut", "pieceStarts", "longerSurfaces", "prefixTerms", "segment",
    "lastPieceAsPrefix", "isHiragana", "splitWords", "fallbackPieces", "spelled",
    "isRequired", "neededPieces", "postsWithGrams", "postsWith", "clausePosts", "positionsOf", "inSequence",
    "clauseMatches", "idf", "bm25", "gramScore", "termScore", "scores", "ranked",
    "markSpans", "foldSameLength", "excerpt", "excerptIn", "sectionAt", "sections", "sectionOf", "needlesFor", "MAX_SECTIONS",
    "CorruptIndex", "IndexChanged", "checkManifest", "Index", "openIndex",
)  # fmt: skip

IMPORT = re.compile(r"^import\s*\{([^}]*)\}\s*from\s*'\./(\w+)\.js';\n", re.M)
EXPORT_LIST = re.compile(r"^export\s*\{[^}]*\};\n", re.M)
EXPORT = re.compile(r"^export (?=(?:async )?(?:function|const|let|class) )", re.M)
# After these words, as after most punctuation, a `/` starts a regular expression.
BEFORE_REGEX = {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else"}
WORD = re.compile(r"[\w$]+")
# A space beside this punctuation is never needed in code (kept around + - / and .: `a + +b`,
# a regular expression, `1 .x` would change meaning without it); literals are never touched.
SPACED = re.compile(r" ?([{}()\[\];,:=<>*%&|!?^~]) ?")
# A line break after these never ends a statement (no semicolon is ever inserted there).
JOINED = re.compile(r"([;{,(\[])\n")


class Stripper:
    """JavaScript source without its comments. Output is a list of chunks: code (where
    whitespace may be squeezed) and literals (strings, templates, regular expressions: kept
    exactly as they are)."""

    def __init__(self, source: str, name: str) -> None:
        self.s = source
        self.name = name
        self.chunks: list[tuple[bool, str]] = []  # (is code, text)
        self.regex_ok = True  # whether a `/` here starts a regular expression, not a division

    def fail(self, i: int, why: str) -> None:
        line = self.s.count("\n", 0, i) + 1
        raise SyntaxError(f"{self.name}:{line}: {why}")

    def emit(self, code: bool, text: str) -> None:
        self.chunks.append((code, text))

    def code(self, i: int, nested: bool = False) -> int:
        """Code from i to the end, or (nested: inside `${`) to its closing brace."""
        s, depth = self.s, 0
        while i < len(s):
            c = s[i]
            if s.startswith("//", i):
                i = s.find("\n", i)
                i = len(s) if i < 0 else i
            elif s.startswith("/*", i):
                end = s.find("*/", i + 2)
                if end < 0:
                    self.fail(i, "unclosed comment")
                self.emit(True, "\n" if "\n" in s[i:end] else " ")  # a line break stays one (ASI)
                i = end + 2
            elif c in "'\"`" or (c == "/" and self.regex_ok):
                i = self.literal(i)
                self.regex_ok = False
            elif nested and c == "}" and depth == 0:
                return i + 1
            else:
                i = self.token(i, c)
                depth += {"{": 1, "}": -1}.get(c, 0)
        if nested:
            self.fail(i, "unclosed ${ in a template literal")
        return i

    def token(self, i: int, c: str) -> int:
        """A word, a number, white space or one punctuation character, copied."""
        word = WORD.match(self.s, i)
        if word:
            self.emit(True, word[0])
            self.regex_ok = word[0] in BEFORE_REGEX
            return word.end()
        self.emit(True, c)
        if not c.isspace():
            self.regex_ok = c not in ")]}"
        return i + 1

    def literal(self, i: int) -> int:
        """A string, template or regular expression literal from i, copied; returns its end."""
        s, quote = self.s, self.s[i]
        j = i + 1
        in_class = False  # in a regular expression's [...], where `/` does not end it
        while j < len(s):
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if quote == "`" and s.startswith("${", j):
                self.emit(False, s[i : j + 2])
                j = self.code(j + 2, nested=True)
                self.emit(False, "}")
                i = j
                continue
            if quote == "/" and c in "[]":
                in_class = c == "["
            elif c == quote and not in_class:
                break
            elif c == "\n" and quote != "`":
                self.fail(i, "unclosed literal")
            j += 1
        else:
            self.fail(i, "unclosed literal")
        j += 1
        if quote == "/":
            j = WORD.match(s, j).end() if WORD.match(s, j) else j  # flags
        self.emit(False, s[i:j])
        return j

    def text(self) -> str:
        """The source without comments, and in code without indentation, trailing spaces or
        blank lines (literals untouched)."""
        self.code(0)
        out: list[str] = []
        for code, text in self.chunks:
            if code and out and out[-1][0]:
                out[-1] = (True, out[-1][1] + text)
            else:
                out.append((code, text))
        parts = []
        for code, text in out:
            if code:
                text = re.sub(r"[ \t]*\n\s*", "\n", text)  # line ends, indentation, blank lines
                text = squeeze(re.sub(r"[ \t]+", " ", text))
            parts.append(text)
        return "".join(parts).strip() + "\n"


def squeeze(code: str) -> str:
    """Code without the spaces beside punctuation (SPACED) and the line breaks after `;`, `{`,
    `,`, `(` and `[` (JOINED), unless that would make `//`, `/*` or `*/` (a comment) where
    there was none."""
    squeezed = JOINED.sub(r"\1", SPACED.sub(r"\1", code))
    marks = ("//", "/*", "*/")
    return squeezed if all(squeezed.count(m) == code.count(m) for m in marks) else code


def strip_comments(source: str, name: str = "<source>") -> str:
    """The JavaScript source without comments, indentation and blank lines."""
    return Stripper(source, name).text()


def module_body(name: str, source: str, before: tuple[str, ...]) -> str:
    """A source module without its imports of other sources (which must come before it) and
    without `export`: the runtime exports PUBLIC at its end."""
    for match in IMPORT.finditer(source):
        if match[2] not in before:
            raise ValueError(f"{name}.js imports {match[2]}.js, which does not come before it in ORDER")
    source = EXPORT.sub("", EXPORT_LIST.sub("", IMPORT.sub("", source)))
    if re.search(r"^\s*(import|export)\b", source, re.M):
        raise ValueError(f"{name}.js: an import or export the runtime cannot join")
    return strip_comments(source, f"{name}.js")


def runtime() -> str:
    """The text of postsearch.js, made from the sources."""
    found = sorted(p.stem for p in SOURCES.glob("*.js"))
    if found != sorted(ORDER):
        raise ValueError(f"web/src holds {found}; ORDER lists {sorted(ORDER)}")
    bodies = [
        module_body(name, (SOURCES / f"{name}.js").read_text(encoding="utf-8"), ORDER[:k])
        for k, name in enumerate(ORDER)
    ]
    exports = "export{" + ",".join(PUBLIC) + "};\n"
    header = "// Generated by scripts/build_runtime.py from src/postsearch/web/src/: do not edit.\n"
    return header + "".join(bodies) + exports


def main(argv: list[str]) -> int:
    text = runtime()
    if "--check" in argv:
        if RUNTIME.read_text(encoding="utf-8") != text:
            print(f"{RUNTIME} is not what scripts/build_runtime.py makes: run it", file=sys.stderr)
            return 1
        return 0
    RUNTIME.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
