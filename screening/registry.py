"""Versioned model directories, the active-version pointer, verification and rollback.

Only this module touches model files. Layout under the registry root:

    <version>/model.joblib       the fitted HoaxModel (a pickle: loaded only after its hash checks out)
    <version>/known_hoaxes.joblib  the known-hoax index built from the same training data
    <version>/metadata.json      versions of Python and libraries, data hash, labels, metrics, file sha256s
    ACTIVE                       the active version's name (replaced atomically with os.replace)
    activations.jsonl            append-only log of activations, for rollback

A new version is written to a temporary directory, verified by loading it back, then renamed into place,
so a crash leaves either no new version or a complete one, and never touches the served one.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import joblib

from screening.data import LabelledText, data_hash, load_training_data, training_files
from screening.errors import ModelArtifactError, TrainingDataError
from screening.known_hoaxes import KnownHoax, KnownHoaxIndex
from screening.model import MODEL_FORMAT, HoaxModel

ARTIFACT_NAME = "model.joblib"
KNOWN_HOAXES_NAME = "known_hoaxes.joblib"
KNOWN_HOAXES_DIR = "known_hoaxes"  # inside the training-data directory: user-added entries (*.jsonl)
METADATA_NAME = "metadata.json"
ACTIVE_NAME = "ACTIVE"
LOG_NAME = "activations.jsonl"
FORMAT_VERSION = 1
# A pickle only loads into the library versions that wrote it; these must match exactly.
CHECKED_LIBRARIES = ("scikit-learn", "numpy", "scipy", "PySastrawi")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in (*CHECKED_LIBRARIES, "joblib", "saring"):
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class TrainedModel:
    """A verified, loaded model and its metadata."""

    version: str
    model: HoaxModel
    metadata: dict[str, Any]
    known_hoaxes: KnownHoaxIndex | None = None


class ModelRegistry:
    """The model versions stored under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading ----------------------------------------------------------------------------------
    def _version_dirs(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(
            (
                p
                for p in self.root.iterdir()
                if p.is_dir() and not p.name.startswith(".") and (p / METADATA_NAME).is_file()
            ),
            key=lambda p: p.name,
            reverse=True,
        )

    def read_metadata(self, version: str) -> dict[str, Any]:
        path = self.root / version / METADATA_NAME
        if not path.is_file():
            raise ModelArtifactError(f"model version {version!r} not found under {self.root}")
        try:
            meta: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelArtifactError(f"model version {version!r}: unreadable metadata ({exc})") from exc
        return meta

    def versions(self) -> list[dict[str, Any]]:
        """Metadata of every stored version, newest first, each with an `active` flag."""
        active = self.active_version()
        out = []
        for path in self._version_dirs():
            try:
                meta = self.read_metadata(path.name)
            except ModelArtifactError:
                continue
            meta["active"] = path.name == active
            out.append(meta)
        return out

    def active_version(self) -> str | None:
        try:
            version = (self.root / ACTIVE_NAME).read_text("utf-8").strip()
        except FileNotFoundError:
            return None
        return version or None

    def verify(self, version: str) -> dict[str, Any]:
        """Check the artifact's hash and the recorded library versions; return the metadata."""
        meta = self.read_metadata(version)
        artifact = self.root / version / ARTIFACT_NAME
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelArtifactError(
                f"model {version}: format {meta.get('format_version')!r}, this library reads {FORMAT_VERSION}"
            )
        if meta.get("model_format") != MODEL_FORMAT:
            raise ModelArtifactError(
                f"model {version}: model format {meta.get('model_format')!r}, this code serves format "
                f"{MODEL_FORMAT}; retrain with `saring train`"
            )
        if not artifact.is_file():
            raise ModelArtifactError(f"model {version}: {ARTIFACT_NAME} is missing")
        actual = file_sha256(artifact)
        if actual != meta.get("artifact_sha256"):
            raise ModelArtifactError(
                f"model {version}: {ARTIFACT_NAME} sha256 {actual[:12]}... does not match the recorded "
                f"{str(meta.get('artifact_sha256'))[:12]}...; refusing to load an altered artifact"
            )
        index_path = self.root / version / KNOWN_HOAXES_NAME
        if meta.get("known_hoaxes_sha256") is not None and (
            not index_path.is_file() or file_sha256(index_path) != meta["known_hoaxes_sha256"]
        ):
            raise ModelArtifactError(f"model {version}: {KNOWN_HOAXES_NAME} is missing or altered")
        current = library_versions()
        recorded = meta.get("libraries", {})
        mismatches = [
            f"{lib} {recorded.get(lib)!r} (model) vs {current.get(lib)!r} (installed)"
            for lib in CHECKED_LIBRARIES
            if recorded.get(lib) != current.get(lib)
        ]
        if mismatches:
            raise ModelArtifactError(
                f"model {version} was written with other library versions: {'; '.join(mismatches)}. "
                "Retrain with `saring train` in this environment."
            )
        return meta

    def load(self, version: str | None = None) -> TrainedModel:
        """Load a verified model (the active one by default)."""
        version = version or self.active_version()
        if version is None:
            raise ModelArtifactError(f"no active model under {self.root}; run `saring train`")
        meta = self.verify(version)
        model = joblib.load(self.root / version / ARTIFACT_NAME)
        if not isinstance(model, HoaxModel):
            raise ModelArtifactError(f"model {version}: artifact is a {type(model).__name__}, not a HoaxModel")
        index = None
        if meta.get("known_hoaxes_sha256") is not None:
            index = joblib.load(self.root / version / KNOWN_HOAXES_NAME)
            if not isinstance(index, KnownHoaxIndex):
                raise ModelArtifactError(f"model {version}: {KNOWN_HOAXES_NAME} does not hold a KnownHoaxIndex")
        return TrainedModel(version=version, model=model, metadata=meta, known_hoaxes=index)

    # -- writing ----------------------------------------------------------------------------------
    def save(
        self,
        model: HoaxModel,
        *,
        training_rows: list[LabelledText],
        data_sources: dict[str, str],
        known_hoaxes: KnownHoaxIndex | None = None,
        extra: dict[str, Any] | None = None,
        activate: bool = True,
    ) -> str:
        """Store `model` as a new version (atomically) and, by default, make it active."""
        self.root.mkdir(parents=True, exist_ok=True)
        created = datetime.now(UTC)
        digest = data_hash(training_rows)
        version = f"{created.strftime('%Y%m%dT%H%M%S')}-{digest[:8]}-{uuid.uuid4().hex[:4]}"
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
        try:
            artifact = tmp / ARTIFACT_NAME
            joblib.dump(model, artifact, compress=3)
            index_sha = None
            if known_hoaxes is not None:
                joblib.dump(known_hoaxes, tmp / KNOWN_HOAXES_NAME, compress=3)
                index_sha = file_sha256(tmp / KNOWN_HOAXES_NAME)
            labels = sorted({r.label for r in training_rows})
            meta: dict[str, Any] = {
                "format_version": FORMAT_VERSION,
                "model_format": MODEL_FORMAT,
                "version": version,
                "created_at": created.isoformat(),
                "libraries": library_versions(),
                "training_data": {
                    "sha256": digest,
                    "n_rows": len(training_rows),
                    "label_counts": {label: sum(r.label == label for r in training_rows) for label in labels},
                    "sources": data_sources,
                },
                "labels": labels,
                "ruleset_version": model.ruleset_version,
                "genres": model.describe(),
                "metrics": {g: d["oof_metrics"] for g, d in model.describe().items()},
                "artifact_sha256": file_sha256(artifact),
                "known_hoaxes_sha256": index_sha,
                "known_hoaxes_count": len(known_hoaxes) if known_hoaxes is not None else 0,
                **(extra or {}),
            }
            (tmp / METADATA_NAME).write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
            for path in tmp.iterdir():
                with open(path, "rb") as f:
                    os.fsync(f.fileno())
            _fsync_dir(tmp)
            os.replace(tmp, self.root / version)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.verify(version)  # written as recorded
        if activate:
            self.activate(version)
        return version

    def activate(self, version: str) -> None:
        """Point ACTIVE at `version` after verifying it; atomic."""
        self.verify(version)
        pointer_tmp = self.root / f".{ACTIVE_NAME}.{uuid.uuid4().hex}"
        pointer_tmp.write_text(version + "\n", "utf-8")
        with open(pointer_tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(pointer_tmp, self.root / ACTIVE_NAME)
        with open(self.root / LOG_NAME, "a", encoding="utf-8") as log:
            log.write(json.dumps({"version": version, "at": datetime.now(UTC).isoformat()}) + "\n")
            log.flush()
            os.fsync(log.fileno())
        _fsync_dir(self.root)

    def rollback(self) -> str:
        """Re-activate the version that was active before the current one; returns it."""
        current = self.active_version()
        history: list[str] = []
        try:
            for line in (self.root / LOG_NAME).read_text("utf-8").splitlines():
                if line.strip():
                    history.append(json.loads(line)["version"])
        except FileNotFoundError:
            pass
        # walk back past the current version to the previous distinct, still-present one
        seen_current = False
        for version in reversed(history):
            if version == current:
                seen_current = True
                continue
            if seen_current and (self.root / version / METADATA_NAME).is_file():
                self.activate(version)
                return version
        raise ModelArtifactError("no earlier model version to roll back to")


def source_hashes(directory: Path) -> dict[str, str]:
    files = training_files(directory) + sorted((Path(directory) / KNOWN_HOAXES_DIR).glob("*.jsonl"))
    return {str(p.relative_to(directory)): file_sha256(p) for p in files}


def read_known_hoax_entries(directory: Path) -> list[KnownHoax]:
    """User-added known hoaxes: `<training data>/known_hoaxes/*.jsonl` with id, title, text, debunk_url."""
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
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise TrainingDataError(f"{path}:{lineno}: a known hoax needs 'id' and 'text' ({exc})") from exc
    return entries


def build_known_hoax_index(rows: list[LabelledText], extra_entries: list[KnownHoax]) -> KnownHoaxIndex:
    index = KnownHoaxIndex.from_training_data(
        {"text": r.text, "title": r.title, "label": r.label, "source_url": r.source_url} for r in rows
    )
    for entry in extra_entries:
        index.add(entry)
    return index


def train_and_register(
    registry: ModelRegistry,
    training_data_dir: Path,
    *,
    extra_rows: list[LabelledText] | None = None,
    model_params: dict[str, Any] | None = None,
    activate: bool = True,
    extra_metadata: dict[str, Any] | None = None,
) -> str:
    """Train on every labelled file of `training_data_dir` (plus `extra_rows`) and store a new version."""
    rows = load_training_data(training_data_dir) + list(extra_rows or [])
    model = HoaxModel(**(model_params or {})).fit([r.text for r in rows], [int(r.is_hoax) for r in rows])
    index = build_known_hoax_index(rows, read_known_hoax_entries(training_data_dir))
    return registry.save(
        model,
        training_rows=rows,
        data_sources=source_hashes(training_data_dir),
        known_hoaxes=index,
        activate=activate,
        extra=extra_metadata,
    )


def ensure_default_model(registry: ModelRegistry, training_data_dir: Path) -> str:
    """The active version; on a fresh install, train one from the bundled training data first."""
    active = registry.active_version()
    if active is not None:
        return active
    return train_and_register(registry, training_data_dir)
