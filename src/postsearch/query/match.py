"""Which posts a query's pieces and clauses match.

A post matches when, for every word and phrase clause, it has every required piece (a word,
a prefix, a fallback; stops never need to) or, with adjacency, the whole clause as typed (all
its n-grams); phrase pieces must also stand in sequence in one field. Phrases and exclusions
gather each piece's posts once per query and its positions once per field and post, never
once per post or start.

When fewer posts than asked for match, posts that have some of the query's words match
partially (rank.py orders them below): the words are the required lexicon pieces of its word
and phrase clauses (cut as typed, before a clause is searched again by n-grams); a phrase
counts as its words there, since quotes in a pasted paragraph are rarely meant as one.
A query keeps at most MAX_WORDS distinct words, its rarest (limit_words), so a pasted
paragraph reads a bounded number of postings.
Mirrored by `web/src/match.js`, function by function.
"""

from __future__ import annotations

from .decode import LexiconEntry, TermEntry
from .parse import UNCOVERED_COST, Clause, Piece


def is_required(piece: Piece) -> bool:
    """A piece a post must match: a word, or a fallback (stops never need to)."""
    return bool(piece.terms) or bool(piece.prefix_terms) or piece.fallback


def needed_pieces(clauses: list[Clause]) -> list[Piece]:
    """Pieces hits are scored on: those of word and phrase clauses, stops left out."""
    return [p for c in clauses if c.kind != "not" for p in c.pieces if is_required(p)]


MAX_WORDS = 16  # required pieces a query keeps: its rarest (a pasted paragraph costs a bounded number)


def word_pieces(clauses: list[Clause]) -> list[Piece]:
    """The words of a query partial matching counts: the required lexicon pieces of its word
    and phrase clauses (exclusions stay whole; stops never count)."""
    return [p for c in clauses if c.kind != "not" for p in c.words if is_required(p)]


def limit_words(clauses: list[Clause], lexicon: dict[str, LexiconEntry]) -> None:
    """Keep at most MAX_WORDS distinct required pieces (by surface; a repeated word is one)
    in the word and phrase clauses: the rarest by the lexicon's cost (a piece no surface
    covers costs UNCOVERED_COST), ties in query order; the others become stops. Done before
    any term is read, so a query reads the postings of at most MAX_WORDS words (and the
    prefix terms of its last)."""
    pieces = [p for c in clauses if c.kind != "not" for p in c.pieces if is_required(p)]
    surfaces = list(dict.fromkeys(p.surface for p in pieces))
    if len(surfaces) <= MAX_WORDS:
        return
    cost = {s: lexicon[s].cost if s in lexicon else UNCOVERED_COST for s in surfaces}
    kept = set(sorted(surfaces, key=lambda s: -cost[s])[:MAX_WORDS])
    for piece in pieces:
        if piece.surface not in kept:
            piece.terms, piece.prefix_terms, piece.grams, piece.fallback = [], [], [], False
            piece.dropped = True


def posts_with_grams(wanted: list[str], grams: dict[str, set[int]]) -> set[int]:
    """Posts that have every one of these n-grams (none: no posts)."""
    found = set(grams.get(wanted[0], set())) if wanted else set()
    for gram in wanted[1:]:
        found &= grams.get(gram, set())
    return found


def posts_with(piece: Piece, terms: dict[str, TermEntry], grams: dict[str, set[int]]) -> set[int]:
    """Posts containing any term of the piece or all of its spelling's n-grams; for a
    fallback piece, every n-gram of it."""
    if piece.grams:
        return posts_with_grams(piece.grams, grams)
    found = posts_with_grams(piece.spelled, grams)
    for term in [*piece.terms, *piece.prefix_terms]:
        entry = terms.get(term)
        if entry is not None:
            found.update(entry.postings)
    return found


def clause_posts(clause: Clause, terms: dict[str, TermEntry], grams: dict[str, set[int]]) -> set[int] | None:
    """Posts with every required piece of the clause, or with the whole clause as typed (all
    its n-grams: however the post's words were cut); None if the clause requires nothing."""
    found: set[int] | None = None
    for piece in clause.pieces:
        if is_required(piece):
            posts = posts_with(piece, terms, grams)
            found = posts if found is None else found & posts
    if found is not None and clause.grams:
        found |= posts_with_grams(clause.grams, grams)
    return found


def positions_of(piece: Piece, post: int, field: int, terms: dict[str, TermEntry]) -> set[int]:
    """Where any term of the piece stands in one field of one post (positions read)."""
    found: set[int] = set()
    for term in [*piece.terms, *piece.prefix_terms]:
        entry = terms.get(term)
        per_field = entry.positions.get(post) if entry is not None and entry.positions is not None else None
        if per_field is not None and per_field[field] is not None:
            found.update(per_field[field])  # type: ignore[arg-type]
    return found


def in_sequence(pieces: list[Piece], post: int, fields: int, terms: dict[str, TermEntry]) -> bool:
    """True when the clause's lexicon pieces stand at the query's relative positions in one
    field (fallback pieces only need to be present; their width is unknown)."""
    anchored = [p for p in pieces if (p.terms or p.prefix_terms) and not p.fallback]
    if len(anchored) < 2:
        return True
    first = anchored[0]
    for field in range(fields):  # each piece's positions once per field, not once per start
        at = [positions_of(p, post, field, terms) for p in anchored]
        for start in at[0]:
            if all(start + p.qpos - first.qpos in where for p, where in zip(anchored, at, strict=True)):
                return True
    return False


def clause_matches(
    clause: Clause, post: int, fields: int, terms: dict[str, TermEntry], grams: dict[str, set[int]]
) -> bool:
    """Whether a post has every piece of the clause (in sequence for phrases and exclusions)."""
    pieces = [p for p in clause.pieces if is_required(p)]
    for p in pieces:  # once per piece, not once per post: that cost posts x postings
        if p.posts is None:
            p.posts = posts_with(p, terms, grams)
    if not pieces or any(post not in (p.posts or ()) for p in pieces):
        return False
    return clause.kind == "word" or in_sequence(pieces, post, fields, terms)
