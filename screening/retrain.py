"""Retraining with editors' labels: build a candidate, compare it fairly, promote it only if it is not worse.

Why not simply compare the new model with the served one? The served model was trained on all base data, so
scoring it on base rows flatters it (it has seen them), and the candidate cannot be tested on rows it trained
on either. The comparison is therefore between two models trained the same way on the same training part:

  1. rows = base training data + the editors' labels (one per text, newest verdict wins; a label overrides a
     base row with the same text);
  2. a deterministic hold-out: StratifiedGroupKFold on (label, genre, from-editors) over near-duplicate groups,
     seed `seed`, one fold of about `holdout_fraction`; a paraphrase never sits on both sides;
  3. reference = the current recipe (the current model's parameters and the data it was trained on: the base
     rows plus the labels up to the current model's `labels_through_id`) fitted on the training part only;
     candidate = the same parameters fitted on the training part of base + all labels (a base row whose text
     an editor has labelled is left out of both: the label is the newer verdict);
  4. both are scored on the same hold-out, per genre; the candidate is promoted only if, for every genre and
     metric (macro-F1, ROC-AUC), candidate >= reference - margin;
  5. on promotion, the final model is fitted on all rows (base + labels), stored with `activate=False` (the
     registry writes a temporary directory, fsyncs, renames and verifies it), and only then activated through
     the `activate` callback (the service passes its holder's `activate`, which loads the new Screener before
     switching). The served model on the hold-out is reported too, for information only (it saw those rows).

Crash safety: nothing is activated before the stored version verifies, so a killed retrain leaves the current
model active and either no new version or a complete one. One retrain runs at a time per registry (an
advisory file lock), and stale `.tmp-*` directories left by killed runs are removed on the next retrain.

Every stored version records in its metadata (`retrain`) the base-data and label hashes and counts, the label
id it was trained through, the hold-out comparison and the version it replaced, so `saring models list` shows
the history and `saring models rollback` goes back.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from screening.data import LabelledText, data_hash, genre_of, load_training_data, near_duplicate_groups, text_sha256
from screening.errors import ModelArtifactError, ScreeningError, TrainingDataError
from screening.evaluate import evaluate_rows
from screening.labels import LABELS, Label
from screening.model import GENRES, HoaxModel
from screening.registry import (
    ModelRegistry,
    build_known_hoax_index,
    read_known_hoax_entries,
    source_hashes,
)

LABELS_SOURCE = "editor-labels"
COMPARED_METRICS = ("macro_f1", "roc_auc")
LOCK_NAME = ".retrain.lock"
STALE_TEMP_SECONDS = 3600.0  # a `.tmp-*` directory this old belongs to no live writer

Outcome = Literal["promoted", "kept", "unchanged", "dry_run"]


class RetrainInProgressError(ScreeningError):
    """Another retrain holds this registry's lock."""


class EditorLabel(Protocol):
    """What retraining needs of a stored label (`screening.store.LabelRecord` fits)."""

    @property
    def id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def label(self) -> Label: ...


@dataclass(frozen=True)
class RetrainOptions:
    margin: float = 0.01  # largest allowed drop of each compared metric in each genre
    holdout_fraction: float = 0.2
    seed: int = 0
    force: bool = False  # retrain even when neither base data nor labels changed since the current model
    dry_run: bool = False  # compare, register nothing
    model_params: dict[str, Any] | None = None  # None: the current model's parameters

    def __post_init__(self) -> None:
        if not 0.0 <= self.margin <= 1.0:
            raise ValueError("margin must be within [0, 1]")
        if not 0.05 <= self.holdout_fraction <= 0.5:
            raise ValueError("holdout_fraction must be within [0.05, 0.5]")


@dataclass
class RetrainReport:
    outcome: Outcome
    reasons: list[str]
    previous_version: str | None
    new_version: str | None = None
    comparison: dict[str, dict[str, dict[str, float | None]]] = field(default_factory=dict)
    holdout: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """A short human-readable account (English, for operators)."""
        head = {
            "promoted": f"promoted {self.new_version} (was {self.previous_version})",
            "kept": f"kept {self.previous_version}; candidate not promoted",
            "unchanged": f"nothing to do; {self.previous_version} was trained on the same data",
            "dry_run": "dry run: nothing registered",
        }[self.outcome]
        lines = [f"retrain: {head} ({self.seconds:.0f} s)"]
        if self.data:
            lines.append(
                f"  data: {self.data.get('n_base_rows')} base rows + {self.data.get('n_labels')} editor labels "
                f"({self.data.get('n_labels_overriding_base')} overriding base rows)"
            )
        if self.holdout:
            lines.append(
                f"  hold-out: {self.holdout.get('n')} rows ({self.holdout.get('n_labels')} editor labels), "
                f"seed {self.holdout.get('seed')}"
            )
        for genre, metrics in self.comparison.items():
            parts = []
            for name, m in metrics.items():
                if m.get("reference") is None or m.get("candidate") is None:
                    continue
                parts.append(f"{name} {m['reference']:.3f} -> {m['candidate']:.3f} ({m['delta']:+.3f})")
            lines.append(f"  {genre:8s} " + ("  ".join(parts) or "no comparable metrics"))
        lines.extend(f"  - {r}" for r in self.reasons)
        return "\n".join(lines)


def labels_to_rows(labels: Sequence[EditorLabel]) -> list[LabelledText]:
    """Editors' labels as training rows, one per text (the later label in `labels` wins), in label order."""
    latest: dict[str, EditorLabel] = {}
    for record in labels:
        if record.label not in LABELS:
            raise TrainingDataError(f"label {record.id}: {record.label!r} is neither 'hoax' nor 'valid'")
        if record.text.strip():
            key = text_sha256(record.text)
            latest.pop(key, None)  # re-insert so the order follows the winning label
            latest[key] = record
    return [
        LabelledText(text=r.text, label=r.label, title=r.title or "", source=f"{LABELS_SOURCE}#{r.id}")
        for r in latest.values()
    ]


def _label_id(row: LabelledText) -> int:
    return int(row.source.split("#", 1)[1]) if row.source.startswith(LABELS_SOURCE + "#") else -1


def holdout_split(
    rows: Sequence[LabelledText], *, fraction: float, seed: int, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(train, hold-out) indices: one grouped fold, stratified on label, genre and editor-label origin."""
    y = np.asarray([int(r.is_hoax) for r in rows])
    strata = (
        y
        + 2 * np.asarray([genre_of(r.text) == "article" for r in rows], dtype=int)
        + 4 * np.asarray([r.source.startswith(LABELS_SOURCE) for r in rows], dtype=int)
    )
    n_splits = max(2, round(1 / fraction))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(rows)), strata, groups))
    return np.sort(train), np.sort(test)


def compare_holdout_metrics(
    reference: dict[str, Any], candidate: dict[str, Any], margin: float
) -> tuple[dict[str, dict[str, dict[str, float | None]]], list[str]]:
    """Per genre and metric: reference, candidate and delta; plus a reason for every drop larger than `margin`."""
    comparison: dict[str, dict[str, dict[str, float | None]]] = {}
    failures: list[str] = []
    for genre in GENRES:
        ref, cand = reference["by_genre"].get(genre), candidate["by_genre"].get(genre)
        if ref is None or cand is None:
            continue
        comparison[genre] = {}
        for metric in COMPARED_METRICS:
            r, c = ref.get(metric), cand.get(metric)
            delta = None if r is None or c is None else round(float(c) - float(r), 4)
            comparison[genre][metric] = {"reference": r, "candidate": c, "delta": delta}
            if delta is not None and delta < -margin:
                failures.append(f"{genre} {metric} drops by {-delta:.3f} (> margin {margin:.3f}): {r:.3f} -> {c:.3f}")
    return comparison, failures


@contextmanager
def registry_lock(registry: ModelRegistry) -> Iterator[None]:
    """One retrain per registry at a time (across processes); released by the OS if the process dies."""
    registry.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(registry.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RetrainInProgressError(f"another retrain is running on {registry.root}") from None
        yield
    finally:
        os.close(fd)


def remove_stale_temp_dirs(registry: ModelRegistry, *, older_than_s: float = STALE_TEMP_SECONDS) -> list[str]:
    """Delete `.tmp-*` version directories and `.ACTIVE.*` pointer files left by killed writers; returns names.

    The registry never lists or loads them; only entries older than `older_than_s` go, so a live writer's stay.
    """
    removed: list[str] = []
    if not registry.root.is_dir():
        return removed
    cutoff = time.time() - older_than_s
    for path in [*registry.root.glob(".tmp-*"), *registry.root.glob(".ACTIVE.*")]:
        try:
            if path.stat().st_mtime >= cutoff:
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path.name)
        except OSError:
            continue
    return removed


def retrain(
    registry: ModelRegistry,
    training_data_dir: Path,
    *,
    labels: Sequence[EditorLabel],
    options: RetrainOptions = RetrainOptions(),
    activate: Callable[[str], object] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RetrainReport:
    """Retrain with `labels` and promote the result only if it is not worse; see the module docstring.

    `activate(version)` switches to a promoted version (default: `registry.activate`); it runs only after the
    new version is stored and verified.
    """
    started = time.perf_counter()

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    with registry_lock(registry):
        removed = remove_stale_temp_dirs(registry)
        if removed:
            say(f"removed {len(removed)} stale temporary directories")
        report = _retrain_locked(registry, Path(training_data_dir), labels, options, activate, say)
    report.seconds = round(time.perf_counter() - started, 1)
    return report


def _retrain_locked(
    registry: ModelRegistry,
    training_data_dir: Path,
    labels: Sequence[EditorLabel],
    options: RetrainOptions,
    activate: Callable[[str], object] | None,
    say: Callable[[str], None],
) -> RetrainReport:
    base = load_training_data(training_data_dir)
    label_rows = labels_to_rows(labels)
    labelled = {text_sha256(r.text) for r in label_rows}
    kept_base = [r for r in base if text_sha256(r.text) not in labelled]
    rows = kept_base + label_rows
    base_sha, labels_sha = data_hash(base), data_hash(label_rows)
    data_info: dict[str, Any] = {
        "base_sha256": base_sha,
        "labels_sha256": labels_sha,
        "n_base_rows": len(base),
        "n_labels": len(label_rows),
        "n_labels_overriding_base": len(base) - len(kept_base),
        "label_counts": {lab: sum(r.label == lab for r in label_rows) for lab in LABELS},
        "labels_through_id": max((_label_id(r) for r in label_rows), default=None),
        "sources": source_hashes(training_data_dir),
    }

    previous = registry.active_version()
    current_meta: dict[str, Any] = {}
    served: HoaxModel | None = None
    params = options.model_params
    if previous is not None:
        try:
            current = registry.load(previous)
            current_meta, served = current.metadata, current.model
            if params is None:
                params = current.model.get_params()
        except ModelArtifactError as exc:
            say(f"current model {previous} cannot be loaded ({exc}); comparing against the default recipe")
    params = dict(params or {})
    recorded = current_meta.get("retrain", {})
    if (
        not options.force
        and previous is not None
        and recorded.get("base_sha256") == base_sha
        and recorded.get("labels_sha256") == labels_sha
    ):
        return RetrainReport(
            "unchanged", ["no base data or label changed since the current model"], previous, data=data_info
        )
    if not label_rows and not options.force:
        return RetrainReport("unchanged", ["no editor labels to train with"], previous, data=data_info)

    say(f"{len(kept_base)} base rows + {len(label_rows)} editor labels; grouping near-duplicates")
    texts = [r.text for r in rows]
    groups = near_duplicate_groups(texts, source_urls=[r.source_url for r in rows])
    train, hold = holdout_split(rows, fraction=options.holdout_fraction, seed=options.seed, groups=groups)
    through = recorded.get("labels_through_id")
    through_id = int(through) if through is not None else -1  # labels the current recipe was trained with

    def fit(indices: Sequence[int] | np.ndarray) -> HoaxModel:
        idx = np.asarray(indices, dtype=int)
        return HoaxModel(**params).fit([texts[i] for i in idx], [int(rows[i].is_hoax) for i in idx], groups[idx])

    is_label = np.asarray([r.source.startswith(LABELS_SOURCE) for r in rows])
    ref_train = [i for i in train if not is_label[i] or _label_id(rows[i]) <= through_id]
    say(f"training the reference (current recipe) on {len(ref_train)} rows")
    reference = fit(ref_train)
    say(f"training the candidate on {len(train)} rows")
    candidate = fit(train)
    hold_rows = [rows[i] for i in hold]
    say(f"comparing on {len(hold_rows)} held-out rows")
    ref_metrics = evaluate_rows(reference, hold_rows)
    cand_metrics = evaluate_rows(candidate, hold_rows)
    comparison, failures = compare_holdout_metrics(ref_metrics, cand_metrics, options.margin)
    hold_labels = [rows[i] for i in hold if is_label[i]]
    holdout_info: dict[str, Any] = {
        "n": len(hold_rows),
        "n_labels": len(hold_labels),
        "seed": options.seed,
        "fraction": options.holdout_fraction,
        "reference": _brief(ref_metrics),
        "candidate": _brief(cand_metrics),
    }
    if hold_labels:
        holdout_info["editor_labels"] = {
            "reference_mean_risk_hoax": _mean_risk(reference, hold_labels, "hoax"),
            "candidate_mean_risk_hoax": _mean_risk(candidate, hold_labels, "hoax"),
            "reference_mean_risk_valid": _mean_risk(reference, hold_labels, "valid"),
            "candidate_mean_risk_valid": _mean_risk(candidate, hold_labels, "valid"),
        }
    if served is not None:
        holdout_info["served_model_biased"] = _brief(evaluate_rows(served, hold_rows))

    if failures:
        return RetrainReport("kept", failures, previous, None, comparison, holdout_info, data_info)
    reasons = [f"every genre within margin {options.margin:.3f} of the current recipe on the hold-out"]
    if options.dry_run:
        return RetrainReport("dry_run", reasons, previous, None, comparison, holdout_info, data_info)

    say(f"training the final model on all {len(rows)} rows")
    final = fit(range(len(rows)))
    index = build_known_hoax_index(rows, read_known_hoax_entries(training_data_dir))
    extra = {
        "retrain": {
            **data_info,
            "previous_version": previous,
            "margin": options.margin,
            "comparison": comparison,
            "holdout": holdout_info,
            "at": datetime.now(UTC).isoformat(),
        }
    }
    version = registry.save(
        final,
        training_rows=rows,
        data_sources=data_info["sources"],
        known_hoaxes=index,
        extra=extra,
        activate=False,
    )
    say(f"stored and verified {version}; activating")
    (activate or registry.activate)(version)
    return RetrainReport("promoted", reasons, previous, version, comparison, holdout_info, data_info)


def _brief(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = ("n", "n_hoax", "macro_f1", "roc_auc", "brier", "ece")
    return {
        "all": {k: metrics.get(k) for k in keys},
        **{g: {k: m.get(k) for k in keys} for g, m in metrics["by_genre"].items()},
    }


def _mean_risk(model: HoaxModel, rows: Sequence[LabelledText], label: str) -> float | None:
    texts = [r.text for r in rows if r.label == label]
    if not texts:
        return None
    return round(float(model.predict_proba(texts)[:, 1].mean()), 4)


# -- background jobs for the service -------------------------------------------------------------------------------
JobStatus = Literal["queued", "running", "succeeded", "failed"]


@dataclass
class RetrainJob:
    """One admin-triggered retrain: its status, progress messages and, when done, the report or the error."""

    job_id: str
    status: JobStatus = "queued"
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    started_at: str | None = None
    finished_at: str | None = None
    messages: list[str] = field(default_factory=list)
    report: RetrainReport | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["outcome"] = self.report.outcome if self.report is not None else None
        return out


RetrainTask = Callable[[Callable[[str], None]], RetrainReport]


class RetrainJobRunner:
    """Runs at most one retrain at a time in a background thread and remembers the last `keep` jobs.

    `start(task)` returns at once with the job; `task(progress)` does the work (the service binds registry,
    data directory, labels and its holder's `activate`, so a promoted model is served without a restart);
    `get(job_id)` reports the job's status, messages and, when done, its report or error.
    """

    def __init__(self, *, keep: int = 20) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._jobs: dict[str, RetrainJob] = {}
        self._thread: threading.Thread | None = None

    def start(self, task: RetrainTask) -> RetrainJob:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise RetrainInProgressError("a retrain is already running")
            job = RetrainJob(job_id=uuid.uuid4().hex)
            self._jobs[job.job_id] = job
            while len(self._jobs) > self._keep:
                self._jobs.pop(next(iter(self._jobs)))
            self._thread = threading.Thread(
                target=self._run, args=(job, task), name=f"retrain-{job.job_id[:8]}", daemon=True
            )
            self._thread.start()
            return self._snapshot(job)

    def _run(self, job: RetrainJob, task: RetrainTask) -> None:
        def progress(message: str) -> None:
            with self._lock:
                job.messages.append(message)

        with self._lock:
            job.status = "running"
            job.started_at = datetime.now(UTC).isoformat()
        try:
            report = task(progress)
        except Exception as exc:  # the job reports any failure; the served model is untouched
            with self._lock:
                job.status = "failed"
                job.error = f"{type(exc).__name__}: {exc}"
                job.finished_at = datetime.now(UTC).isoformat()
            return
        with self._lock:
            job.status = "succeeded"
            job.report = report
            job.finished_at = datetime.now(UTC).isoformat()

    def _snapshot(self, job: RetrainJob) -> RetrainJob:
        return RetrainJob(**{**job.__dict__, "messages": list(job.messages)})

    def get(self, job_id: str) -> RetrainJob | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return self._snapshot(job) if job is not None else None

    def latest(self) -> RetrainJob | None:
        with self._lock:
            return self._snapshot(next(reversed(self._jobs.values()))) if self._jobs else None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running job (tests, shutdown); True when none is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True
