"""The training recipe, in one place: labelled rows -> analysed documents -> fitted model -> compiled, checked
model and known-hoax index -> a stored version.

    version = train_and_register(ModelRegistry(Path("models")), Path("training_data"))
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from screening.data import (
    KNOWN_HOAXES_DIR,
    LabelledText,
    load_training_data,
    near_duplicate_groups,
    text_sha256,
    training_files,
    verdict_sources,
)
from screening.doc import Analyser, Doc
from screening.errors import TrainingDataError
from screening.known_hoaxes import KnownHoax, KnownHoaxIndex
from screening.model import HoaxModel
from screening.registry import ModelRegistry, file_sha256
from screening.rules import RuleEngine
from screening.scorer import CompiledModel, check_parity, compile_model
from screening.submission import Submission

PARITY_SAMPLE = 300  # documents on which the compiled scorer is checked against the estimators at every save


@dataclass(frozen=True)
class TrainedVersion:
    """What training produces, before it is stored."""

    model: CompiledModel
    known_hoaxes: KnownHoaxIndex
    parity: float  # largest difference between the compiled scorer and the estimators on a sample


def analyse_rows(rows: Sequence[LabelledText], analyser: Analyser) -> list[Doc]:
    """Analysed documents of labelled rows (titles are not used: in the hoax data they carry the verdict)."""
    return [analyser.analyse(Submission(text=r.text)) for r in rows]


def fit_model(
    rows: Sequence[LabelledText],
    *,
    params: dict[str, Any] | None = None,
    rules: RuleEngine | None = None,
    groups: np.ndarray | None = None,
) -> tuple[HoaxModel, list[Doc]]:
    """Fit the hoax model on labelled rows; returns it with the documents it was fitted on."""
    engine = rules if rules is not None else RuleEngine.from_file()
    docs = analyse_rows(rows, Analyser(engine))
    if groups is None:
        groups = near_duplicate_groups([r.text for r in rows], source_urls=[r.source_url for r in rows])
    model = HoaxModel(**(params or {})).fit(
        docs, [int(r.is_hoax) for r in rows], rules=engine, corpus=[r.corpus for r in rows], groups=groups
    )
    return model, docs


def build_known_hoax_index(rows: Sequence[LabelledText], extra_entries: Sequence[KnownHoax] = ()) -> KnownHoaxIndex:
    """Known hoaxes: the hoax rows of the training data, plus entries added by hand."""
    index = KnownHoaxIndex.from_training_data(rows)
    for entry in extra_entries:
        index.add(entry)
    return index


def train_version(
    rows: Sequence[LabelledText], *, params: dict[str, Any] | None = None, extra_entries: Sequence[KnownHoax] = ()
) -> TrainedVersion:
    """Fit, compile and check a model on `rows`, with its known-hoax index."""
    model, docs = fit_model(rows, params=params)
    compiled = compile_model(model)
    sample = random.Random(0).sample(docs, min(PARITY_SAMPLE, len(docs)))
    parity = check_parity(model, compiled, sample)
    return TrainedVersion(compiled, build_known_hoax_index(rows, extra_entries), parity)


def read_known_hoax_entries(directory: Path) -> list[KnownHoax]:
    """Known hoaxes added by hand: `<training data>/known_hoaxes/*.jsonl`, one object per line with `id` and
    `text`, and optionally `title`, `debunk_url` (a clarification), `hoax_url` and `verdict_source`."""
    entries: list[KnownHoax] = []
    for path in sorted((Path(directory) / KNOWN_HOAXES_DIR).glob("*.jsonl")):
        for lineno, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                entries.append(
                    KnownHoax(
                        hoax_id=str(obj["id"]),
                        title=str(obj.get("title") or obj["text"][:80]),
                        text=str(obj["text"]),
                        debunk_url=obj.get("debunk_url") or None,
                        hoax_url=obj.get("hoax_url") or None,
                        verdict_source=str(obj.get("verdict_source") or path.name),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise TrainingDataError(f"{path}:{lineno}: a known hoax needs 'id' and 'text' ({exc})") from exc
    return entries


def source_hashes(directory: Path) -> dict[str, str]:
    """sha256 of every file training read, by its path relative to the training-data directory."""
    root = Path(directory)
    files = training_files(root) + sorted((root / KNOWN_HOAXES_DIR).glob("*.jsonl"))
    if (root / "verdict_sources.json").is_file():
        files.append(root / "verdict_sources.json")
    verdict_sources(root)  # a malformed file stops training here, with its name
    return {p.relative_to(root).as_posix(): file_sha256(p) for p in files}


def with_overrides(base: Sequence[LabelledText], overriding: Sequence[LabelledText]) -> list[LabelledText]:
    """`base` without the rows whose text (by hash) is in `overriding`, then `overriding`: an editor's verdict on a
    text replaces what the base data says of it."""
    replaced = {text_sha256(r.text) for r in overriding}
    return [r for r in base if text_sha256(r.text) not in replaced] + list(overriding)


def train_and_register(
    registry: ModelRegistry,
    training_data_dir: Path,
    *,
    extra_rows: Sequence[LabelledText] = (),
    params: dict[str, Any] | None = None,
    activate: bool = True,
    extra_metadata: dict[str, Any] | None = None,
) -> str:
    """Train on every labelled file of `training_data_dir` and store a new version; `extra_rows` (the editors'
    labels) are added, each replacing a base row of the same text."""
    rows = with_overrides(load_training_data(training_data_dir), extra_rows)
    trained = train_version(rows, params=params, extra_entries=read_known_hoax_entries(training_data_dir))
    return registry.save(
        trained.model,
        training_rows=rows,
        data_sources=source_hashes(training_data_dir),
        known_hoaxes=trained.known_hoaxes,
        activate=activate,
        extra={"parity_max_difference": trained.parity, **(extra_metadata or {})},
    )


def ensure_default_model(registry: ModelRegistry, training_data_dir: Path) -> str:
    """The active version; on a fresh install, train one from the bundled training data first."""
    active = registry.active_version()
    if active is not None:
        return active
    return train_and_register(registry, training_data_dir)
