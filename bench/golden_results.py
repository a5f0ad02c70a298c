"""Full screening results of a fixed sample of texts, written or compared: the check that a speed change changed no
result.

The sample: every seventh training row (claims and ordinary news, posts and articles, titles included), the first
lines of every tenth row cut to a short post, and hand-written edge cases (empty-looking, shouting, links, emoji,
other languages, mis-decoded text, one very long word). Each result is written as one JSON line without its
`screening_id` (random by design), with every float as stored. `--compare` reads an earlier file and prints each
text whose result differs, field by field; the exit code is 1 when any differs.

    python bench/golden_results.py --models-dir models --out /tmp/before.jsonl
    ... change the code ...
    python bench/golden_results.py --models-dir models --compare /tmp/before.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.data import load_training_data  # noqa: E402
from screening.errors import InvalidInputError  # noqa: E402
from screening.registry import ModelRegistry  # noqa: E402
from screening.screen import Screener  # noqa: E402
from screening.submission import Submission  # noqa: E402

EDGE_CASES: tuple[tuple[str, str], ...] = (
    ("", "Hoaks."),
    ("", "😱😱😱 bit.ly/x"),
    ("HEBOH!!!", "HEBOH!!! SEBARKAN KE SEMUA GRUP SEKARANG JUGA!!! info dari grup sebelah katanya aman"),
    ("", "Cek di www.kemenkes.go.id/berita atau https://t.co/abc?x=1, jangan percaya @akun_palsu #hoaks #vaksin"),
    ("", "Sedulur kabeh, aja gampang percaya karo kabar sing durung cetha sumbere."),
    ("", "The government announced today that the vaccine is safe for children, officials said."),
    ("", "BeritÃ¢â‚¬â„¢s desa: warga Ã¢â‚¬Å“gotong royongÃ¢â‚¬Â\x9d hari ini"),
    ("", "bangeeet parah yg kyk gini gk bs dibiarin, wkwkwk 🤣🤣"),
    ("", "a" * 300 + " desa " + "a.a." * 50),
    ("Judul", "Warga\u200b Desa\u00ad Sukamaju\ufeff bergotong royong pada Senin (12/8/2024), kata Kepala Desa."),
)


def sample(training_data: Path) -> list[tuple[str, str]]:
    rows = load_training_data(training_data)
    texts = [(r.title, r.text) for r in rows[::7]]
    texts += [("", " ".join(r.text.split()[:40])) for r in rows[3::10]]
    return texts + list(EDGE_CASES)


def result_line(outcome: object) -> dict[str, Any]:
    if isinstance(outcome, InvalidInputError):
        return {"error": str(outcome)}
    data = outcome.to_dict()  # type: ignore[attr-defined]
    data.pop("screening_id")
    return data


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(set(before) | set(after)):
            out += differences(before.get(key), after.get(key), f"{path}.{key}")
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            out += differences(b, a, f"{path}[{i}]")
        return out
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--training-data", type=Path, default=ROOT / "training_data")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--out", type=Path, help="write the results here")
    action.add_argument("--compare", type=Path, help="compare with results written earlier")
    args = parser.parse_args()

    screener = Screener.from_registry(ModelRegistry(args.models_dir))
    texts = sample(args.training_data)
    start = time.process_time()
    outcomes = screener.screen_many([Submission(text=text, title=title) for title, text in texts])
    seconds = time.process_time() - start
    lines = [json.dumps(result_line(o), ensure_ascii=False, sort_keys=True) for o in outcomes]
    print(f"{len(lines)} texts screened in {seconds:.1f} s of CPU, model {screener.model_version}", file=sys.stderr)
    if args.out is not None:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    earlier = args.compare.read_text(encoding="utf-8").splitlines()
    if len(earlier) != len(lines):
        print(f"{len(earlier)} results before, {len(lines)} now: not the same sample", file=sys.stderr)
        return 1
    changed = 0
    for i, (before, after) in enumerate(zip(earlier, lines, strict=True)):
        if before != after:
            changed += 1
            diff = differences(json.loads(before), json.loads(after))
            print(f"text {i} ({texts[i][1][:60]!r}):\n  " + "\n  ".join(diff[:10] or ["(same fields, other order)"]))
    print(f"{changed} of {len(lines)} results differ", file=sys.stderr)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
