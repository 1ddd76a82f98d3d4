"""WordNet synonyms for the "no additions" check: whether a claim word the quote does not use is a synonym of
a quote word in one of their most common senses ("brave" / "valiant", "difficult" / "challenging"), or a more
general word for it ("canine" for "dog": the claim then says less than the quote, never more).

The table (`thesaurus.tsv.gz`, versioned) is built from Princeton WordNet 3.0 (Debian's `wordnet-base`) by
`python -m rag.cite.thesaurus --build /usr/share/wordnet`: for each single word and part of speech, the
single-word lemmas of its first SENSES synsets (WordNet orders senses by frequency), and for an adjective the
synsets its senses are "similar to" (a head adjective and its satellites: "brave" / "valiant"), and the
single-word lemmas of those synsets' direct hypernyms, and their antonyms (for the polarity check). Only the
most common senses are taken because a rare sense makes almost any two words synonyms ("hold" / "fill" as
"occupy a position" is a late sense of "hold"). A word listed as an antonym is never also a synonym;
negation, hedges, names and numbers are checked before synonyms are asked (rag.cite.checks), and a hedge or
negation on a quote word carries over to its synonym in the claim (rag.cite.counterparts).

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. THIS SOFTWARE AND DATABASE IS
PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. (The
WordNet 3.0 license permits use, copying, modification and distribution with this notice.)
"""

from __future__ import annotations

import argparse
import gzip
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FILE = Path(__file__).with_name("thesaurus.tsv.gz")
SENSES = 2  # most common senses per word looked at
HYPERNYMS = True  # whether a claim word may be a direct hypernym of a quote word
_POS = {"NOUN": "n", "VERB": "v", "ADJ": "a", "ADV": "r"}  # spaCy's tags -> WordNet's


_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Entry:
    """What the table knows of one (part of speech, word)."""

    synonyms: frozenset[str] = _EMPTY
    hypernyms: frozenset[str] = _EMPTY  # direct hypernyms' lemmas: more general words
    antonyms: frozenset[str] = _EMPTY  # WordNet's antonyms of the word (an adjective's: of its cluster's head)


_NONE = Entry()


@lru_cache(maxsize=1)
def _raw() -> dict[str, str]:
    """"pos word" -> the rest of its line, unparsed: the whole table is read once (about 0.2 s), and each entry
    is split only when asked for (`_entry`)."""
    if not FILE.exists():
        return {}
    with gzip.open(FILE, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    out: dict[str, str] = {}
    for line in lines:
        pos, word, rest = line.split("\t", 2)
        out[f"{pos} {word}"] = rest
    return out


@lru_cache(maxsize=20_000)
def _entry(wn: str, word: str) -> Entry:
    rest = _raw().get(f"{wn} {word}")
    if rest is None:
        return _NONE
    return Entry(*(frozenset(c.split(",")) - {""} for c in rest.split("\t")))


def entry(lemma: str, pos: str) -> Entry:
    """The table's entry for `lemma` with spaCy part of speech `pos` (empty when it has none)."""
    wn = _POS.get(pos)
    return _entry(wn, lemma) if wn else _NONE


def synonyms(lemma: str, pos: str) -> frozenset[str]:
    """The WordNet synonyms of `lemma` (spaCy part of speech `pos`) in its most common senses; empty if none."""
    return entry(lemma, pos).synonyms


def antonyms(lemma: str, pos: str) -> frozenset[str]:
    """WordNet's antonyms of `lemma` in its most common senses ("increase" / "decrease"); empty if none."""
    return entry(lemma, pos).antonyms


def stated_by_synonym(lemma: str, pos: str, quote_lemmas: set[str]) -> bool:
    """Whether a quote lemma is a WordNet synonym of the claim's `lemma` (either word's common senses), or the
    claim's word is a direct hypernym of a quote word (it says less: "canine" for "dog")."""
    wn = _POS.get(pos)
    if wn is None:
        return False
    if synonyms(lemma, pos) & quote_lemmas:
        return True
    for q in quote_lemmas:
        e = _entry(wn, q)
        if lemma in e.synonyms or (HYPERNYMS and lemma in e.hypernyms):
            return True
    return False


def build(wordnet_dir: Path, senses: int = SENSES) -> dict[tuple[str, str], tuple[set[str], set[str], set[str]]]:
    """The table from WordNet's index.* and data.* files (see the module docstring): (pos, word) ->
    (synonyms, hypernyms, antonyms)."""
    table: dict[tuple[str, str], tuple[set[str], set[str], set[str]]] = {}
    for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")):
        synsets = _read_data(wordnet_dir / f"data.{name}")
        for line in (wordnet_dir / f"index.{name}").read_text(encoding="utf-8").splitlines():
            if line.startswith(" ") or not line.strip():
                continue  # the license header
            parts = line.split()
            word, n_ptr = parts[0], int(parts[3])
            if "_" in word or not word.isalpha():
                continue
            syns: set[str] = set()
            hypers: set[str] = set()
            opposites: set[str] = set()
            for off in parts[6 + n_ptr:][:senses]:
                s = synsets[off]
                syns |= set(s.words)
                for h in s.hypernyms:
                    hypers |= set(synsets[h].words)
                opposites |= _antonyms_of(word, s, synsets)
                if pos == "a":  # a satellite ("valiant") has its head's ("brave") antonyms
                    for sim in s.similar:
                        syns |= set(synsets[sim].words)
                        opposites |= {a for w in synsets[sim].words for a in _antonyms_of(w, synsets[sim], synsets)}
            syns = {w for w in syns if w != word and w.isalpha()} - opposites
            hypers = {h for h in hypers if h != word and h.isalpha()} - opposites
            opposites = {a for a in opposites if a != word and a.isalpha()}
            if syns or hypers or opposites:
                table[(pos, word)] = (syns, hypers, opposites)
    return table


@dataclass
class _Synset:
    words: list[str]  # lower-cased, in WordNet's order (lexical pointers number them from 1)
    similar: list[str] = field(default_factory=list)  # offsets of the synsets it is "similar to"
    hypernyms: list[str] = field(default_factory=list)
    antonyms: list[tuple[str, int, int]] = field(default_factory=list)  # (offset, source word no., target word no.)


def _antonyms_of(word: str, synset: _Synset, synsets: dict[str, _Synset]) -> set[str]:
    """The words WordNet's antonym pointers of `synset` give `word` (a lexical pointer only from `word`)."""
    out = set()
    for off, src, dst in synset.antonyms:
        if src and synset.words[src - 1] != word:
            continue
        target = synsets[off].words
        out |= {target[dst - 1]} if dst else set(target)
    return out


def _read_data(path: Path) -> dict[str, _Synset]:
    """offset -> its synset."""
    out: dict[str, _Synset] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split(" | ")[0].split()
        offset, n_words = parts[0], int(parts[3], 16)
        s = _Synset([parts[4 + 2 * i].lower().split("(")[0] for i in range(n_words)])
        k = 4 + 2 * n_words
        for i in range(int(parts[k])):
            sym, off, st = parts[k + 1 + 4 * i], parts[k + 2 + 4 * i], parts[k + 4 + 4 * i]
            if sym == "&":
                s.similar.append(off)
            elif sym in ("@", "@i"):
                s.hypernyms.append(off)
            elif sym == "!":
                s.antonyms.append((off, int(st[:2], 16), int(st[2:], 16)))
        out[offset] = s
    return out


def table_lines(table: dict[tuple[str, str], tuple[set[str], set[str], set[str]]]) -> list[str]:
    """The lines of thesaurus.tsv.gz for `table`: pos, word, synonyms, hypernyms, antonyms (comma-separated)."""
    return ["\t".join([pos, word, *[",".join(sorted(col)) for col in cols]]) + "\n"
            for (pos, word), cols in sorted(table.items())]


def main(argv: list[str] | None = None) -> int:
    """Build thesaurus.tsv.gz from a WordNet 3.0 dict directory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True, help="WordNet's dict directory (/usr/share/wordnet)")
    parser.add_argument("--senses", type=int, default=SENSES)
    args = parser.parse_args(argv)
    lines = table_lines(build(args.build, args.senses))
    with gzip.GzipFile(FILE, "wb", mtime=0) as fh:  # mtime 0: the same WordNet gives the same bytes
        fh.write("".join(lines).encode("utf-8"))
    print(f"{len(lines)} entries -> {FILE} ({FILE.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
