"""Derive the clickbait cue phrases of rules.yaml from CLICK-ID (offline; the library never reads click_id.csv).

Only the unanimous headlines are used (clickbait_votes 3 against 0), because 2-1 votes are noisy.
A word or word pair is kept when it is much more frequent in clickbait headlines (smoothed log-odds),
occurs in enough of them, is spread over several publishers (CLICK-ID's clickbait share depends strongly
on the publisher, so a one-site word is site style, not clickbait), and is Indonesian vocabulary (every
word is a Sastrawi root or stems to one), which drops celebrity and K-pop names. A short stoplist removes
topical words (entertainment beats of 2019) that would fire on ordinary village news.

    python scripts/derive_clickbait_phrases.py            # print the list with its statistics
    python scripts/derive_clickbait_phrases.py --write    # replace the generated block in rules.yaml
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.resources import RESOURCE_DIR, load_root_words  # noqa: E402
from screening.text import normalise  # noqa: E402

RULES_PATH = ROOT / "screening" / "rules" / "rules.yaml"
BEGIN = "    # BEGIN clickbait phrases"
END = "    # END clickbait phrases"

MIN_CLICKBAIT_DOCS = 10
MIN_PUBLISHERS = 4
MIN_LOG_ODDS = 2.5
MAX_PHRASES = 60
# Topical words of 2019 entertainment news, and words common in plain village news reports.
TOPICAL = {
    "zodiak",
    "ramalan",
    "seksi",
    "pacar",
    "rambut",
    "baju",
    "kulit",
    "member",
    "fan",
    "penggemar",
    "cantik",
    "artis",
    "istri",
    "suami",
    "anak",
    "foto",
    "video",
    "gaya",
    "potret",
    "kepribadian",
    "perasaan",
    "hal",
    "ini",
    "itu",
    "yang",
    "apa",
    "siapa",
    "mana",
    "bagaimana",
    "mengapa",
    "kenapa",
    "berapa",
    "apakah",
    "anda",
    "malah",
    "cara",
    "tips",
    "berikut",
    "emak",
    "banget",
    "keren",
    "posting",
    "komentar",
    "ala",
    "bak",
    "stres",
    "umbar",
    "gemas",
    "dipuji",
    "tuai",
    "reaksi",
    "tanggapan",
    "hengkang",
    "comeback",
    "idol",
    "teman",
    "cerai",
    "nikah",
    "menikah",
    "menangis",
    "cerita",
    "penjelasan",
    "jawaban",
    "alasan",
    "pria",
    "wanita",
    # "kata" is the attribution verb of reporting; "fakta" is fact-check vocabulary ("cek fakta")
    "kata",
    "fakta",
    "perut",
    "sifat",
    "harganya",
    # personal names that happen to be dictionary words
    "aulia",
    "halilintar",
    "paris",
    "dewi",
    "raffi",
    "nagita",
    "ayu",
    "ashanty",
    "krisdayanti",
}
# Pairs of function words that also run through ordinary reporting ("hal ini tidak ...").
STOP_PAIRS = {"ini tidak", "ini jadi", "yang perlu"}
# Social-media words that PySastrawi's dictionary lacks.
EXTRA_VOCABULARY = {"viral", "netizen", "warganet", "ngakak"}
_WORD = re.compile(r"^[a-z]+(?:-[a-z]+)*$")


def _grams(tokens: list[str]) -> set[str]:
    grams = set(tokens)
    grams.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return grams


def derive() -> list[tuple[str, float, int, int, int]]:
    """Return (phrase, log-odds, clickbait docs, non-clickbait docs, publishers), best first."""
    roots = load_root_words()
    stemmer = StemmerFactory().create_stemmer()
    clickbait: Counter[str] = Counter()
    plain: Counter[str] = Counter()
    publishers: defaultdict[str, set[str]] = defaultdict(set)
    n_click = n_plain = 0
    with open(RESOURCE_DIR / "click_id.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["clickbait_votes"] not in ("0", "3"):
                continue
            grams = _grams(normalise(row["title"]).text.split())
            if row["clickbait_votes"] == "3":
                n_click += 1
                clickbait.update(grams)
                for g in grams:
                    publishers[g].add(row["publisher"])
            else:
                n_plain += 1
                plain.update(grams)

    def indonesian(word: str) -> bool:
        return (
            bool(_WORD.match(word))
            and len(word) > 2
            and (word in EXTRA_VOCABULARY or word in roots or stemmer.stem(word) in roots)
        )

    found = []
    for gram, k in clickbait.items():
        words = gram.split()
        if k < MIN_CLICKBAIT_DOCS or len(publishers[gram]) < MIN_PUBLISHERS:
            continue
        if gram in STOP_PAIRS or not all(indonesian(w) for w in words) or all(w in TOPICAL for w in words):
            continue
        log_odds = math.log(((k + 0.5) / (n_click + 1)) / ((plain[gram] + 0.5) / (n_plain + 1)))
        if log_odds >= MIN_LOG_ODDS:
            found.append((gram, log_odds, k, plain[gram], len(publishers[gram])))
    found.sort(key=lambda r: (-r[1], r[0]))
    # a pair adds nothing when one of its words is already a cue on its own
    singles = {g for g, *_ in found if " " not in g}
    found = [r for r in found if " " not in r[0] or not (set(r[0].split()) & singles)]
    return found[:MAX_PHRASES]


def write(phrases: list[str]) -> None:
    text = RULES_PATH.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END)
    head = text[start:].split("\n", 1)[0]
    block = "\n".join([head, "    phrases:", *(f"      - {p}" for p in sorted(phrases)), ""])
    RULES_PATH.write_text(text[:start] + block + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the generated block of rules.yaml")
    args = parser.parse_args()
    rows = derive()
    for gram, log_odds, k, k0, pubs in rows:
        print(f"{log_odds:5.2f}  {k:4d} clickbait  {k0:4d} plain  {pubs:2d} publishers  {gram}")
    if args.write:
        write([r[0] for r in rows])
        print(f"wrote {len(rows)} phrases to {RULES_PATH}")


if __name__ == "__main__":
    main()
