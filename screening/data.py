"""Labelled data: reading CSV/JSONL files, the training set, its hash, genres and near-duplicate groups."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import numpy as np

from screening.errors import InvalidInputError, TrainingDataError
from screening.labels import Label, parse_label

Corpus = Literal["claims", "news"]
# Sub-folder of a training-data directory holding known-hoax entries (a format of its own, not labelled rows).
KNOWN_HOAXES_DIR = "known_hoaxes"
# Optional file of a training-data directory naming, per data file, who gave its verdicts (shown to editors).
VERDICT_SOURCES_NAME = "verdict_sources.json"

_WORD_RE = re.compile(r"\w+")
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One labelled row: its text, its verdict, where the text was published and who gave the verdict.

    `corpus` says what kind of text it is: `claims` (circulated claims, hoax articles and the clarifications and
    reports about them: the hoax-watch data) or `news` (ordinary published reporting, which is never about a hoax).
    """

    text: str
    label: Label
    title: str = ""
    source_url: str = ""  # where the text itself was published (for a hoax: the hoax's own page); never a feature
    source: str = ""  # file it came from, relative to the training-data directory
    corpus: Corpus = "claims"
    verdict_source: str = ""  # who judged it, e.g. "MAFINDO"

    @property
    def is_hoax(self) -> bool:
        return self.label == "hoax"


def _rows_from_file(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line, row) per record; a JSONL line that is not an object comes as (line, reason) for the caller to judge."""
    suffix = path.suffix.lower()
    with open(path, encoding="utf-8", newline="") as f:
        if suffix == ".jsonl":
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield lineno, f"not valid JSON ({exc.msg})"
                    continue
                if not isinstance(obj, dict):
                    yield lineno, "expected a JSON object"
                    continue
                yield lineno, {k: "" if v is None else str(v) for k, v in obj.items()}
        elif suffix == ".csv":
            reader = csv.DictReader(f)
            for row in reader:
                yield reader.line_num, {k: v or "" for k, v in row.items() if k is not None}
        else:
            raise TrainingDataError(f"{path}: unsupported file type (use .csv or .jsonl)")


def read_labelled(
    path: Path,
    *,
    text_field: str = "text",
    label_field: str = "label",
    on_bad_row: Callable[[int, str], None] | None = None,
    source: str = "",
    verdict_source: str = "",
) -> list[LabelledText]:
    """Read a labelled CSV or JSONL file with `text`, `label` (hoax/valid), optional `title`, `source_url`.

    A bad row (not JSON, no text, an unknown label) stops with `TrainingDataError`, as training needs; with
    `on_bad_row` it is reported there (line, reason) and skipped, as evaluating a file people wrote needs.
    """
    path = Path(path)
    if not path.is_file():
        raise TrainingDataError(f"{path}: file not found")
    rows: list[LabelledText] = []
    for lineno, row in _rows_from_file(path):
        try:
            rows.append(
                _labelled_row(
                    path,
                    row,
                    text_field=text_field,
                    label_field=label_field,
                    source=source,
                    verdict_source=verdict_source,
                )
            )
        except InvalidInputError as exc:
            if on_bad_row is None:
                raise TrainingDataError(f"{path}:{lineno}: {exc}") from None
            on_bad_row(lineno, str(exc))
    if not rows:
        raise TrainingDataError(f"{path}: no labelled rows")
    return rows


def _labelled_row(
    path: Path,
    row: dict[str, str] | str,
    *,
    text_field: str,
    label_field: str,
    source: str = "",
    verdict_source: str = "",
) -> LabelledText:
    if isinstance(row, str):
        raise InvalidInputError(row)
    label = parse_label(row.get(label_field, ""))
    text = row.get(text_field, "").strip()
    if not text:
        raise InvalidInputError(f"empty {text_field!r}")
    corpus = row.get("corpus", "").strip() or "claims"
    if corpus not in ("claims", "news"):
        raise InvalidInputError(f"corpus must be 'claims' or 'news', got {corpus!r}")
    if corpus == "news" and label != "valid":
        raise InvalidInputError("a row of ordinary news (corpus 'news') must be labelled valid")
    return LabelledText(
        text=text,
        label=label,
        title=row.get("title", "").strip(),
        source_url=row.get("source_url", "").strip(),
        source=source or path.name,
        corpus=corpus,  # type: ignore[arg-type]
        verdict_source=row.get("verdict_source", "").strip() or verdict_source,
    )


def training_files(directory: Path) -> list[Path]:
    """The labelled .csv/.jsonl files of a training-data directory and its sub-folders (but `known_hoaxes/`),
    in path order."""
    root = Path(directory)
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in (".csv", ".jsonl")
        and not any(part.startswith(".") or part == KNOWN_HOAXES_DIR for part in p.relative_to(root).parts[:-1])
    )
    if not files:
        raise TrainingDataError(f"{directory}: no .csv or .jsonl files with labelled data")
    return files


def verdict_sources(directory: Path) -> dict[str, str]:
    """`verdict_sources.json` of a training-data directory: data file (relative path) -> who gave its verdicts."""
    path = Path(directory) / VERDICT_SOURCES_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise TrainingDataError(f"{path}: not readable JSON ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise TrainingDataError(f"{path}: must map file names to names of who gave the verdicts")
    return data


def load_training_data(directory: Path) -> list[LabelledText]:
    """All labelled files of a training-data directory, in path order."""
    root = Path(directory)
    judges = verdict_sources(root)
    rows: list[LabelledText] = []
    for path in training_files(root):
        name = path.relative_to(root).as_posix()
        rows.extend(read_labelled(path, source=name, verdict_source=judges.get(name, "")))
    return rows


def data_hash(rows: Iterable[LabelledText]) -> str:
    """sha256 over (label, title, text) of every row, in order: identifies the data a model saw."""
    h = hashlib.sha256()
    for r in rows:
        for part in (r.label, r.title, r.text):
            h.update(part.encode("utf-8"))
            h.update(b"\x1f")
        h.update(b"\x1e")
    return h.hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shingles(text: str) -> list[str]:
    words = _WORD_RE.findall(text.lower())
    if len(words) < 3:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]


def near_duplicate_groups(
    texts: list[str], *, threshold: float = 0.3, source_urls: list[str] | None = None
) -> np.ndarray:
    """Group ids such that near-duplicates (word-3-gram Jaccard >= threshold) and pages of one site share a group.

    Cross-validation splits by these groups, so a paraphrase or a syndicated copy never sits on both sides.
    """
    # imported here, for training only: screening and serving start without scikit-learn
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import CountVectorizer

    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=int)
    vec = CountVectorizer(analyzer=_shingles, binary=True, dtype=np.float32)
    x = vec.fit_transform(texts)
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = (x @ x.T).tocoo()
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    keep = (inter.row != inter.col) & (inter.data >= threshold * np.maximum(union, 1))
    rows_, cols_ = list(inter.row[keep]), list(inter.col[keep])
    if source_urls is not None:
        first_of_site: dict[str, int] = {}
        for i, url in enumerate(source_urls):
            site = urlparse(url).netloc.lower().removeprefix("www.") if url else ""
            if site:
                j = first_of_site.setdefault(site, i)
                if j != i:
                    rows_.append(i)
                    cols_.append(j)
    adj = csr_matrix(coo_matrix((np.ones(len(rows_)), (rows_, cols_)), shape=(n, n)))
    _, groups = connected_components(adj, directed=False)
    return np.asarray(groups)
