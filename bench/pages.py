"""Synthetic pages for the importer's benchmarks and scaling tests.

`bench import` builds its 2 MB page from the annotated outlet pages (tests/pages), one
after the other: real layouts, but the same posts again and again, which the importer's
caches of words and lines meet again. `live_page` makes a page whose every post differs
(new names, numbers, places and headlines), as a real long live blog does.
"""

from __future__ import annotations

import random

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "sa",
    "tor",
    "vel",
    "an",
    "dus",
    "ber",
    "gi",
    "hol",
    "mar",
    "nek",
    "pil",
    "ros",
    "ta",
    "wen",
]
ROLES_DE = ["Bürgermeisterin", "Innenminister", "Sprecher der Feuerwehr", "Hydrologin"]
PLACES = ["Dresden", "Pirna", "Meißen", "Riesa", "Torgau", "Bad Schandau", "Heidenau"]


def _name(rng: random.Random) -> str:
    def part() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{part()} {part()}"


def live_page(posts: int, seed: int) -> str:
    """A German live page whose posts all differ: new names, numbers, places, headlines."""
    rng = random.Random(seed)
    lines = [
        "Hochwasser an der Elbe: Pegel steigen weiter",
        "",
        "Die Lage an der Elbe spitzt sich zu. Behörden rufen Anwohner zur Vorsicht auf und "
        "sperren Uferwege in mehreren Städten.",
        "",
    ]
    minute = 23 * 60 + 59
    for n in range(posts):
        minute = (minute - rng.randint(1, 6)) % (24 * 60)  # a long page runs over days
        stamp = f"{minute // 60:02d}:{minute % 60:02d} Uhr"
        place, name, role = rng.choice(PLACES), _name(rng), rng.choice(ROLES_DE)
        level = f"{rng.randint(3, 9)},{rng.randint(10, 99)}"
        word = "".join(rng.choice(SYLLABLES) for _ in range(3))
        if n % 5 == 0:
            headline = f"{place.upper()} MELDET {level} METER AM PEGEL {word.upper()}"
        else:
            headline = f"{place}: Pegel {word.capitalize()} erreicht {level} Meter"
        lines += [
            f"{stamp} | {headline}",
            "",
            f"In {place} steigt das Wasser am Pegel {word.capitalize()} auf {level} Meter. "
            f"„Wir rechnen mit Meldung {n} noch vor dem Morgen“, sagte {role} {name}.",
            "",
            f"{name.split()[-1]} kündigte an, Helfer aus {rng.choice(PLACES)} zu holen. "
            f"Die Sperrung der Straße {rng.randint(1, 400)} bleibt bis auf Weiteres bestehen.",
            "",
        ]
    return "\n".join(lines)


ROLES_EN = ["the state's emergency director", "a spokesperson for the utility", "the mayor"]
TOWNS = ["Riverton", "Ashford", "Milbrook", "Carlow Bay", "Easton", "Hale Ridge", "Norwood"]
AGENCIES = ["the Coast Guard", "the National Weather Service", "the county sheriff's office"]


def live_page_en(posts: int, seed: int) -> str:
    """An English live page whose posts all differ, in a layout unlike `live_page`'s.

    Twelve-hour stamps with a zone on their own line and the headline below them, bylines
    ("By …") and relative stamps on the newest posts, attribution after the quote and in
    apposition, every third post without a headline of its own.
    """
    rng = random.Random(seed)
    lines = [
        "Live updates: Storm surge floods the coast as evacuations widen",
        "",
        "By Dana Whitfield and Omar Reyes",
        "",
        "Floodwater has reached low-lying neighborhoods along the coast, and officials "
        "ordered new evacuations overnight as the storm stalled offshore.",
        "",
    ]
    minute = 23 * 60 + 58
    for n in range(posts):
        minute = (minute - rng.randint(1, 6)) % (24 * 60)
        hour, rest = divmod(minute, 60)
        twelve = hour % 12 or 12
        if n < 3:
            stamp = f"{(n + 1) * rng.randint(2, 9)} minutes ago"
        else:
            stamp = f"{twelve}:{rest:02d} {'a.m.' if hour < 12 else 'p.m.'} ET"
        town, name, role = rng.choice(TOWNS), _name(rng), rng.choice(ROLES_EN)
        inches = f"{rng.randint(2, 19)}.{rng.randint(0, 9)}"
        word = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        lines += [stamp, ""]
        if n % 3:
            lines += [f"{town} records {inches} inches of rain at the {word} gauge", ""]
        lines += [
            f"The {word} River crested at {inches} feet in {town} on report {n}, and "
            f"{rng.choice(AGENCIES)} closed Route {rng.randint(1, 400)} in both directions.",
            "",
            f"“We are asking everyone below the {word} dam to leave now,” said {name}, "
            f"{role}. “Water is still rising.”",
            "",
        ]
        if n % 4 == 0:
            lines += [f"By {_name(rng)}", ""]
    return "\n".join(lines)


def live_page_of_size(size: int, seed: int = 5, language: str = "de") -> bytes:
    """A `live_page` (or, for "en", a `live_page_en`) of about `size` bytes (UTF-8).

    Cut after its last whole post, so that the page ends as a page does.
    """
    build = live_page_en if language == "en" else live_page
    posts = max(1, size // 300)
    data = build(posts, seed).encode()
    while len(data) < size:
        posts = posts * 5 // 4 + 1
        data = build(posts, seed).encode()
    low, high = 1, posts  # the most posts that fit in `size`
    while low < high:
        middle = (low + high + 1) // 2
        if len(build(middle, seed).encode()) <= size:
            low = middle
        else:
            high = middle - 1
    return build(low, seed).encode()
