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


def live_page_of_size(size: int, seed: int = 5) -> bytes:
    """A `live_page` of about `size` bytes (UTF-8), cut after its last whole line."""
    posts = max(1, size // 300)
    data = live_page(posts, seed).encode()
    while len(data) < size:
        posts = posts * 5 // 4 + 1
        data = live_page(posts, seed).encode()
    return data[: data.rfind(b"\n", 0, size) + 1]
