"""The numbers check: every number of the claim is in the quote, with its unit ("12 years" != "12
months"), counting the same named thing ("three in Kherson" != "three in Dnipropetrovsk"), a share of the same whole
("20 per cent of voyeurs" != "20 per cent of people"), and every unit
or time word of the claim ("weeks", "next", "Friday") is stated. Does not do arithmetic or conversions."""

from __future__ import annotations

from rag.cite import lexicon
from rag.cite.facts import STEM, Facts, word_stated


def check_numbers(c: Facts, q: Facts) -> tuple[str, str] | None:
    """The first number, unit or time-word failure of claim facts `c` against quote facts `q`, else None."""
    missing = c.numbers - q.numbers
    if "both" in q.words:
        missing -= {"2"}  # "the two sides" for "both the Russians and Ukrainians": "both" counts two
    if missing:
        return "numbers", f"number {sorted(missing)[0]} is not in the quote"
    # sorted: sets iterate in a per-process hash order, and the first failure found is the one reported
    for num, unit in sorted(c.quantities):
        if unit and (num, unit) not in q.quantities:
            return "numbers", f"'{num} {unit}' is not in the quote"
    for num, name in sorted(c.counted - q.counted):  # "three in Kherson, two in Dnipropetrovsk" swapped
        # A swap when the quote counts the name with another number only; a name the quote does not count at all
        # ("150 members in villages along the Iraq-Iran border" where the border hangs on "villages it controls")
        # is only attached elsewhere by the parse.
        if any(n != num and w == name for n, w in q.counted):
            return "numbers", f"the quote does not count {num} of '{name}'"
    for num, whole in sorted(c.shares - q.shares):  # "20 per cent of people who ... are voyeurs" for "of voyeurs"
        wholes = {w for n, w in q.shares if n == num}
        if wholes and not any(STEM.stemWord(w) == STEM.stemWord(whole) or w in lexicon.synonyms(whole) for w in wholes):
            return "numbers", f"the quote does not give {num} as a share of '{whole}'"
    for lem, _pos, text in c.content:
        if lem == "decade" and ("10", "year") in q.quantities:
            continue  # "the past decade" = "the past 10 years"
        if lem in lexicon.UNITS and not word_stated(lem, text, q):
            return "numbers", f"unit or time word '{text}' is not in the quote"
    return None
