"""Deterministic synthetic news corpus with planted facts, for scale benchmarks and tests.

`generate(n, seed)` returns n news-like articles (headline, dateline, body paragraphs, and the
publisher's header/footer chrome that the cleaner must strip) and one planted fact per article: a
sentence naming a unique project with its cost, plus the question that asks for it. Filler reuses the
same vocabulary across articles (other projects, the same cities and people), so retrieval has to find
the one right article among look-alikes. Same (n, seed) -> byte-identical corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

ADJECTIVES = (
    "Amber Azure Bronze Cedar Cobalt Coral Crimson Dusky Ember Emerald Falcon Frost Golden Granite Hazel "
    "Indigo Ivory Jade Juniper Lunar Maple Marble Misty Navy Obsidian Olive Onyx Opal Pearl Pine Quartz "
    "Raven Ruby Rustic Sable Saffron Sapphire Scarlet Silver Slate Solar Spruce Stone Storm Sunny Tawny "
    "Teal Thunder Topaz Umber Velvet Violet Willow Winter Amethyst Birch Copper Dune Harbor Iron Linen"
).split()
NOUNS = (
    "bridge tunnel railway stadium hospital library airport harbour dam canal museum school tower park "
    "pipeline reservoir highway terminal campus plant station market depot quay viaduct ferry tramway "
    "archive arena clinic college factory garage hangar hall laboratory lighthouse mill observatory "
    "pavilion pier refinery shelter silo theatre warehouse wharf workshop academy barracks cathedral"
).split()
CITIES = ("Lyon Porto Gdansk Tampere Graz Bilbao Leeds Utrecht Brno Aarhus Genoa Cork Malmo Ghent Split Kaunas "
          "Tartu Plovdiv Cluj Bergen Lille Turin Seville Basel Bremen Dresden Krakow Riga Oslo Nantes").split()
PEOPLE = ("Anna Keller|Marek Nowak|Sofia Ricci|Jonas Berg|Elena Petrova|Tomas Varga|Ines Moreau|Lukas Meyer|"
          "Clara Jensen|Pavel Horak|Lucia Serrano|Henrik Dahl|Marta Kowalska|Omar Haddad|Greta Lind").split("|")
PUBLISHERS = ("Daily Ledger", "Morning Courier", "Evening Standard Wire", "Harbor Gazette", "Metro Dispatch")
FILLER = (
    "Officials in {city} said the {project} had been discussed for years before work began.",
    "{person}, who chairs the regional committee, told reporters that the timetable was ambitious.",
    "Critics argued that the {project} would strain the budget of {city} for a decade.",
    "Residents gathered outside the town hall in {city} on {day} to ask questions about the plans.",
    "The council voted {votes} to {against} in favour of continuing the consultation.",
    "Engineers expect the first phase of the {project} to be finished by {year}.",
    "A spokesperson for the ministry declined to comment on the {project} on {day}.",
    "Local businesses in {city} welcomed the announcement, saying it would bring new customers.",
    "{person} said further details would be published after the summer recess.",
    "Opposition members called for an independent review of the {project} before any contract is signed.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


@dataclass(frozen=True)
class Planted:
    """A fact that exactly one article states, and the question asking for it."""

    source: str
    question: str
    sentence: str


def filler_paragraph(rng: random.Random, fewest: int, most: int) -> str:
    """A paragraph of `fewest`..`most` filler sentences about random cities, people and projects."""
    return " ".join(
        rng.choice(FILLER).format(
            city=rng.choice(CITIES), person=rng.choice(PEOPLE), project=_project(rng), day=rng.choice(DAYS),
            votes=rng.randint(20, 40), against=rng.randint(1, 19), year=rng.randint(2026, 2034))
        for _ in range(rng.randint(fewest, most))
    )


def _project(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def generate(n: int, seed: int = 7) -> tuple[dict[str, str], list[Planted]]:
    """n articles as {file name: text}, and one planted fact per article."""
    rng = random.Random(seed)
    names = [(a, b, c) for a in ADJECTIVES for b in ADJECTIVES if a != b for c in NOUNS]
    if n > len(names):
        raise ValueError(f"at most {len(names)} articles")
    unique = rng.sample(names, n)
    articles: dict[str, str] = {}
    planted: list[Planted] = []
    for i, (a, b, c) in enumerate(unique):
        publisher = PUBLISHERS[i % len(PUBLISHERS)]
        city, person = rng.choice(CITIES), rng.choice(PEOPLE)
        project = f"{a} {b} {c}"
        cost = rng.randint(12, 990)
        fact = f"The {project} in {city} will cost {cost} million euros, {person} said on {rng.choice(DAYS)}."
        paragraphs = []
        for _ in range(rng.randint(5, 9)):
            paragraphs.append(filler_paragraph(rng, 2, 4))
        paragraphs.insert(rng.randint(0, len(paragraphs)), fact)
        source = f"{i:05d}_{c}.txt"
        articles[source] = "\n\n".join([
            f"{publisher} | Subscribe now for full access",
            f"Plans for {project} in {city} move ahead",
            f"{city.upper()} — {person} spoke about the plans on {rng.choice(DAYS)}.",
            *paragraphs,
            f"Sign up for the {publisher} newsletter.",
            f"© 2025 {publisher}. All rights reserved.",
        ]) + "\n"
        planted.append(Planted(source, f"How much will the {project} in {city} cost?", fact))
    return articles, planted


def write_corpus(folder: Path, n: int, seed: int = 7) -> list[Planted]:
    """Write the n-article corpus into `folder` and return its planted facts."""
    articles, planted = generate(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return planted
