"""Compile the word lists the spelling check ships (offline; the library reads only the files written here).

Writes into screening/resources/:

- ``words_id_hunspell.txt``: the stems of Debian's hunspell-id dictionary (id_ID.dic, without affix flags),
  used with Sastrawi's root list as roots for affix analysis;
- ``words_id_common.tsv``: frequent written Indonesian words, most frequent first, each marked ``S`` when
  hunspell-id or Sastrawi accepts it (standard) or ``C`` when it is only common (loanwords, acronyms used as
  words, new terms). Sources: the Indonesian list of the ``wordfreq`` package (Wikipedia, subtitles, Twitter)
  and the words written in lower case in the *training* outlets of IndoSum (never the held-out outlets the
  spelling figures are measured on: ``screening.quality.evaluation.HELD_OUT_OUTLETS``).

Left out of the common list, so they are still reported: informal spellings of the slang lexicon that no
dictionary accepts ("gak"), the non-standard forms of ``kbbi_corrections.csv`` ("kerjasama"), "di"/"ke"
joined to a word that hunspell rejects ("dirumah", "diberbagai"), and rare words one edit away from a much
more frequent one (misspellings that made it into the corpora).

Needs the Debian packages ``hunspell`` and ``hunspell-id`` and the PyPI package ``wordfreq`` (3.x):

    apt-get install hunspell hunspell-id && pip install 'wordfreq>=3,<4'
    python scripts/build_lexicon.py
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.quality.common import LINK_RE  # noqa: E402
from screening.quality.evaluation import HELD_OUT_OUTLETS  # noqa: E402
from screening.quality.lexicon import edits1, load_corrections  # noqa: E402
from screening.resources import RESOURCE_DIR, load_root_words, load_slang_map  # noqa: E402

WORD_RE = re.compile(r"(?<![\w-])[A-Za-z]+(?:-[A-Za-z]+)*(?![\w-])")
LEXICON_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")
# an IndoSum word joins the list when written in lower case this often, in at least MIN_DOCS articles
MIN_COUNT = 2
MIN_DOCS = 2
# a slang-lexicon form that professional news writes this often outside quotes is no slang there ("info")
SLANG_IN_NEWS = 5
# English words (wordfreq, Zipf frequency) accepted as loanwords and quotations; short ones are left out, as
# Indonesian misspellings too often make a short English word ("pada" -> "pad")
ENGLISH_MIN_ZIPF = 3.0
ENGLISH_MIN_LENGTH = 5
# very frequent short English words ("day", "club", "fair") pass too
ENGLISH_SHORT_MIN_ZIPF = 4.3
# a word no dictionary accepts is taken for a misspelling when a word one edit away is this much more frequent
TYPO_RATIO = 20.0


QUOTE_RE = re.compile(r"[\"“”][^\"“”\n]*[\"“”]")


def indosum_train_counts(path: Path) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """Lower-case word counts, document counts and counts outside direct quotes over IndoSum's training outlets."""
    counts: Counter[str] = Counter()
    docs: Counter[str] = Counter()
    unquoted: Counter[str] = Counter()
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["outlet"] in HELD_OUT_OUTLETS:
                continue
            seen: set[str] = set()
            for m in WORD_RE.finditer(row["text"]):
                word = m.group()
                total += 1
                if word.islower():
                    counts[word] += 1
                    seen.add(word)
            docs.update(seen)
            plain = LINK_RE.sub(" ", QUOTE_RE.sub(" ", row["text"]))  # "org" of "wikipedia.org" is no word
            unquoted.update(w for w in WORD_RE.findall(plain) if w.islower())
    return counts, docs, unquoted, total


def hunspell_accepts(words: list[str], dictionary: Path) -> set[str]:
    """The words hunspell-id accepts (``hunspell -G`` prints the correct words of its input)."""
    out = subprocess.run(
        ["hunspell", "-d", str(dictionary), "-G"],
        input="\n".join(words) + "\n",
        capture_output=True,
        text=True,
        encoding="latin-1",  # id_ID.aff declares ISO8859-1; the words here are ASCII
        check=True,
    ).stdout
    return {w.strip() for w in out.splitlines() if w.strip()}


def hunspell_stems(dic: Path) -> dict[str, bool]:
    """hunspell-id stems -> whether the stem takes the bare passive prefix di- (flag D0: "dibawa", "dirumah" not)."""
    stems: dict[str, bool] = {}
    lines = dic.read_text("latin-1").splitlines()[1:]  # the first line is the entry count
    for line in lines:
        stem, _, flags = line.strip().partition("/")
        stem = stem.lower()
        if LEXICON_WORD_RE.fullmatch(stem):
            pairs = {flags[i : i + 2] for i in range(0, len(flags) - 1, 2)}  # FLAG long: two characters each
            stems[stem] = stems.get(stem, False) or "D0" in pairs
    return stems


def di_phrases(path: Path) -> tuple[Counter[str], Counter[str]]:
    """How often the training outlets write "di W" apart and "diW" together, for every W written apart."""
    apart: Counter[str] = Counter()
    joined: Counter[str] = Counter()
    words: Counter[str] = Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["outlet"] in HELD_OUT_OUTLETS:
                continue
            text = row["text"]
            apart.update(m.group(1) for m in re.finditer(r"(?<![\w-])[Dd]i ([a-z]+)(?![\w-])", text))
            words.update(m.group() for m in re.finditer(r"(?<![\w-])di[a-z]+(?![\w-])", text))
    for word in apart:
        joined[word] = words[f"di{word}"]
    return apart, joined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hunspell", type=Path, default=Path("/usr/share/hunspell/id_ID"))
    parser.add_argument("--indosum", type=Path, default=ROOT / "training_data" / "indosum" / "indosum_news.jsonl")
    args = parser.parse_args()

    import wordfreq

    wf = {
        w: f
        for w, f in wordfreq.get_frequency_dict("id", wordlist="best").items()
        if LEXICON_WORD_RE.fullmatch(w) and len(w) >= 2
    }
    counts, docs, unquoted, total = indosum_train_counts(args.indosum)
    apart, joined = di_phrases(args.indosum)
    news = {w: c / total for w, c in counts.items() if c >= MIN_COUNT and docs[w] >= MIN_DOCS}
    candidates = sorted(set(wf) | set(news))
    stems = hunspell_stems(args.hunspell.with_suffix(".dic"))
    accepted = hunspell_accepts(candidates, args.hunspell)
    roots = load_root_words()
    standard = accepted | roots | set(stems)
    slang = load_slang_map()
    corrections = load_corrections()
    freq = {w: wf.get(w, 0.0) + news.get(w, 0.0) for w in candidates}

    dropped: Counter[str] = Counter()
    kept: dict[str, str] = {}
    for word in candidates:
        if word in standard:
            kept[word] = "S"
            continue
        if word in corrections or (word in slang and unquoted[word] < SLANG_IN_NEWS):
            dropped["informal or non-standard"] += 1
            continue
        rest = word[2:]
        if word[:2] in ("di", "ke") and (rest in standard or rest in wf):
            # "dirumah" is "di rumah"; keep a passive verb hunspell lacks when the news writes it together
            together = counts[word]
            if together < 2 or apart[rest] >= together:
                dropped["di/ke joined to a word"] += 1
                continue
        neighbours = (freq.get(e, 0.0) for e in edits1(word) if e in standard or e in freq)
        if max(neighbours, default=0.0) >= TYPO_RATIO * freq[word]:
            dropped["likely misspelling"] += 1
            continue
        kept[word] = "C"
    for word in list(kept):
        if word in corrections:  # a non-standard form some dictionary still lists ("menghimbau")
            del kept[word]
            dropped["non-standard (kbbi_corrections.csv)"] += 1

    order = sorted(kept, key=lambda w: (-freq[w], w))
    with open(RESOURCE_DIR / "words_id_common.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write(
            "# Generated by scripts/build_lexicon.py from wordfreq (id) and IndoSum's training outlets;"
            " CC BY-SA 4.0, see SOURCES.md. Most frequent first; S = standard, C = common.\n"
        )
        for word in order:
            out.write(f"{word}\t{kept[word]}\n")
    with open(RESOURCE_DIR / "words_id_hunspell.txt", "w", encoding="utf-8", newline="\n") as out:
        out.write(
            "# Stems of hunspell-id (id_ID.dic, Debian hunspell-id); LGPL-3.0, see SOURCES.md."
            " d = takes the passive prefix di- alone.\n"
        )
        for stem in sorted(stems):
            out.write(f"{stem}\td\n" if stems[stem] else f"{stem}\n")
    with open(RESOURCE_DIR / "di_phrases_id.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write(
            "# Generated by scripts/build_lexicon.py from IndoSum's training outlets; CC BY-SA 4.0, see SOURCES.md."
            ' W, times written "di W", times written "diW" (W written apart at least twice).\n'
        )
        for word in sorted(w for w, n in apart.items() if n >= 2):
            out.write(f"{word}\t{apart[word]}\t{joined[word]}\n")
    english = sorted(
        w
        for w, f in wordfreq.get_frequency_dict("en", wordlist="best").items()
        if LEXICON_WORD_RE.fullmatch(w)
        and len(w) >= 3
        and wordfreq.zipf_frequency(w, "en")
        >= (ENGLISH_MIN_ZIPF if len(w) >= ENGLISH_MIN_LENGTH else ENGLISH_SHORT_MIN_ZIPF)
        and w not in kept
        and w not in corrections
        and w not in slang
    )
    with open(RESOURCE_DIR / "words_en.txt", "w", encoding="utf-8", newline="\n") as out:
        out.write("# English words from wordfreq (en), for loanwords and quotations; CC BY-SA 4.0, see SOURCES.md.\n")
        out.write("\n".join(english) + "\n")
    standard_kept = sum(1 for v in kept.values() if v == "S")
    print(
        f"candidates {len(candidates)}; kept {len(kept)} ({standard_kept} standard); hunspell stems {len(stems)};"
        f" English {len(english)}"
    )
    for reason, n in dropped.most_common():
        print(f"  dropped {n:6d}  {reason}")


if __name__ == "__main__":
    main()
