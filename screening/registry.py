"""Versioned model directories: store, verify, load, activate and roll back. Only this module touches model files.

Layout under the registry root:

    <version>/model.npz            the compiled model's arrays (vocabularies, IDF, coefficients, ...)
    <version>/model.json           the rest of it as JSON: calibrators, thresholds, parameters, the rules file
    <version>/known_hoaxes.npz     the known-hoax index's arrays, and its entries in known_hoaxes.json
    <version>/references.json      reference texts and the scores this version gave them when it was stored
    <version>/metadata.json        version, data hashes and counts, metrics, library versions, file sha256s
    ACTIVE                         the active version's name (replaced atomically with os.replace)
    activations.jsonl              append-only log of activations and rollbacks
    .retrain.lock                  held by the one retrain that may run on this registry at a time
    .tmp-* and .ACTIVE.*           a version or a pointer being written (left behind only by a killed writer)

Model files are data, not code: arrays are read with ``allow_pickle=False`` and everything else is JSON, so
loading a version runs nothing it contains. A version is verified by its behaviour, not by library version
strings: the loader recomputes the reference texts' scores and refuses the version, naming the difference, only
when they differ by more than 1e-9; a library upgrade that changes nothing keeps every version serving. File
hashes catch a damaged or altered file first, with a clear message.

A new version is written to a temporary directory, verified by loading it back, then renamed into place, so a
crash leaves either no new version or a complete one. A version whose files cannot be read is listed as
unloadable with the reason; it never breaks the listing, activation or rollback of the others.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np

from screening.data import LabelledText, data_hash
from screening.doc import Analyser
from screening.errors import ModelArtifactError, RetrainInProgressError
from screening.known_hoaxes import KnownHoaxIndex
from screening.scorer import MODEL_FORMAT, CompiledModel, score_matrix
from screening.submission import Submission

MODEL_ARRAYS, MODEL_JSON = "model.npz", "model.json"
HOAX_ARRAYS, HOAX_JSON = "known_hoaxes.npz", "known_hoaxes.json"
REFERENCES_NAME = "references.json"
METADATA_NAME = "metadata.json"
ACTIVE_NAME = "ACTIVE"
LOG_NAME = "activations.jsonl"
LOCK_NAME = ".retrain.lock"
TEMP_PREFIX = ".tmp-"  # a version directory being written
POINTER_TEMP_PREFIX = f".{ACTIVE_NAME}."  # an ACTIVE pointer being written
STALE_TEMP_SECONDS = 3600.0  # a temporary entry this old belongs to no live writer
FORMAT_VERSION = 2  # 1 was a pickle (model.joblib), which this library no longer loads
REFERENCE_TOLERANCE = 1e-9
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_DATA_FILES = (MODEL_ARRAYS, MODEL_JSON, HOAX_ARRAYS, HOAX_JSON, REFERENCES_NAME)

# Reference texts every version stores its scores for: both genres, chains, scams, reports and clarifications.
REFERENCE_TEXTS: tuple[tuple[str, str], ...] = (
    ("", "SEBARKAN!!! Info dari grup sebelah: bansos Rp 600 ribu cair besok, daftar di bit.ly/bansos-cair."),
    ("", "Selamat! Anda pemenang undian, kirim kode OTP dan biaya admin Rp 250.000 untuk klaim hadiah."),
    ("", "Polres Cianjur membantah kabar razia besar malam ini. Informasi itu tidak benar, kata Kapolres."),
    ("", "Rebusan daun sirsak ampuh menyembuhkan kanker tanpa operasi, bagikan ke keluarga."),
    ("", "Warga Desa Sukamaju bergotong royong membersihkan saluran irigasi, Senin pagi."),
    (
        "Posyandu Melati Timbang 46 Balita",
        "Desa Mekarsari, Kecamatan Cikalong - Posyandu Melati menggelar penimbangan dan imunisasi balita pada "
        "Selasa (14/5/2024) di balai dusun. Sebanyak 46 balita hadir bersama orang tuanya. Kegiatan dibuka oleh "
        "Kepala Desa Mekarsari, Hendra Gunawan, didampingi bidan desa dari Puskesmas Cikalong. Selain penimbangan, "
        'kader juga membagikan makanan tambahan. "Kami ingin tumbuh kembang anak terpantau setiap bulan, '
        'terutama untuk mencegah stunting," kata bidan desa Siti Rohmah di sela kegiatan. Menurut Hendra, '
        "pemerintah desa mengalokasikan dana desa untuk pemberian makanan tambahan selama tiga bulan ke depan. Ia "
        "mengajak warga yang memiliki balita rutin datang ke posyandu setiap Selasa kedua setiap bulan.",
    ),
    (
        "",
        "Waspada! Vaksin yang disuntikkan ke anak-anak ternyata mengandung microchip untuk melacak warga. Seorang "
        "dokter sudah membuktikan lengan yang divaksin bisa menempel magnet. Pemerintah menutupi fakta ini karena "
        "ada kerja sama dengan perusahaan asing yang ingin menguasai data penduduk. Jangan mau anak kita divaksin. "
        "Lindungi keluarga kita dari program jahat ini, dan teruskan pesan ini ke semua grup keluarga sebelum "
        "dihapus. Ini bukan hoaks, saudara saya yang bekerja di rumah sakit sudah melihat sendiri buktinya dan "
        "banyak orang tua yang menyesal setelah anaknya disuntik.",
    ),
)


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries a model was made with (for information; never a reason to refuse)."""
    versions = {"python": platform.python_version()}
    for name in ("scikit-learn", "numpy", "scipy", "PySastrawi", "google-re2", "saring"):
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


def check_version_name(version: str) -> str:
    """`version` if it is a plain directory name of this registry (no separators, no "..")."""
    if not isinstance(version, str) or not VERSION_RE.match(version) or ".." in version:
        raise ModelArtifactError(f"{version!r} bukan nama versi model")
    return version


@dataclass(frozen=True)
class TrainedModel:
    """A verified, loaded model version."""

    version: str
    model: CompiledModel
    metadata: dict[str, Any]
    known_hoaxes: KnownHoaxIndex | None = None


@dataclass(frozen=True)
class VersionInfo:
    """One stored version as the registry lists it: whether it can load (and if not, why) and its metadata."""

    version: str
    active: bool
    loadable: bool
    problem: str | None
    created_at: str | None = None
    n_rows: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "active": self.active,
            "loadable": self.loadable,
            "problem": self.problem,
            "created_at": self.created_at,
            "n_rows": self.n_rows,
            "metrics": self.metrics,
            "metadata": self.metadata,
        }


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ModelArtifactError(f"{what} tidak ada") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelArtifactError(f"{what} tidak terbaca ({type(exc).__name__})") from None


def _read_arrays(path: Path, what: str) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise ModelArtifactError(f"{what} tidak ada") from None
    except (OSError, ValueError, EOFError) as exc:
        raise ModelArtifactError(f"{what} tidak terbaca ({type(exc).__name__})") from None


def _write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    for name, array in arrays.items():
        if array.dtype.hasobject:  # would be stored as a pickle
            raise ModelArtifactError(f"larik {name!r} berisi objek Python; model hanya disimpan sebagai data biasa")
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)  # type: ignore[arg-type]  # (numpy stubs read a name as allow_pickle)


def reference_scores(model: CompiledModel) -> list[list[float]]:
    analyser = Analyser(model.rules)
    docs = [analyser.analyse(Submission(text=text, title=title)) for title, text in REFERENCE_TEXTS]
    return score_matrix(model, docs).tolist()


class ModelRegistry:
    """The model versions stored under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading ----------------------------------------------------------------------------------
    def _dir(self, version: str) -> Path:
        return self.root / check_version_name(version)

    def _version_dirs(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return iter(())
        return iter(
            sorted(
                (
                    p
                    for p in self.root.iterdir()
                    if p.is_dir() and VERSION_RE.match(p.name) and (p / METADATA_NAME).exists()
                ),
                key=lambda p: p.name,
                reverse=True,
            )
        )

    def read_metadata(self, version: str) -> dict[str, Any]:
        """The metadata of a version; `ModelArtifactError` naming the problem if it is missing or malformed."""
        path = self._dir(version) / METADATA_NAME
        if not path.parent.is_dir():
            raise ModelArtifactError(f"versi model {version!r} tidak ada di {self.root}")
        meta = _read_json(path, f"model {version}: {METADATA_NAME}")
        if not isinstance(meta, dict):
            raise ModelArtifactError(f"model {version}: {METADATA_NAME} bukan objek JSON")
        return meta

    def active_version(self) -> str | None:
        """The version ACTIVE points at, if it names one (a malformed pointer counts as none)."""
        try:
            version = (self.root / ACTIVE_NAME).read_text("utf-8").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return version if version and VERSION_RE.match(version) and ".." not in version else None

    def active_stamp(self) -> tuple[int, int, int] | None:
        """A cheap fingerprint of the ACTIVE pointer (one stat): it changes whenever any process re-points it,
        since every change replaces the file. None when there is no pointer."""
        try:
            st = (self.root / ACTIVE_NAME).stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _check_files(self, version: str) -> dict[str, Any]:
        """Metadata of a version whose format this library reads and whose files are intact."""
        meta = self.read_metadata(version)
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelArtifactError(
                f"model {version}: tersimpan dalam format {meta.get('format_version')!r} (pickle, dari Saring lama), "
                f"pustaka ini membaca format {FORMAT_VERSION}; latih versi baru dengan `saring train`"
            )
        if meta.get("model_format") != MODEL_FORMAT:
            raise ModelArtifactError(
                f"model {version}: struktur model {meta.get('model_format')!r}, pustaka ini melayani {MODEL_FORMAT}; "
                "latih versi baru dengan `saring train`"
            )
        recorded = meta.get("files")
        if not isinstance(recorded, dict):
            raise ModelArtifactError(f"model {version}: {METADATA_NAME} tidak mencatat sha256 berkas")
        directory = self._dir(version)
        for name in _DATA_FILES:
            path = directory / name
            if not path.is_file():
                raise ModelArtifactError(f"model {version}: {name} tidak ada")
            if file_sha256(path) != recorded.get(name):
                raise ModelArtifactError(
                    f"model {version}: {name} tidak cocok dengan sha256 yang tercatat (diubah atau rusak)"
                )
        return meta

    def versions(self) -> list[VersionInfo]:
        """Every stored version, newest first: loadable or not (with the reason), and its metadata."""
        active = self.active_version()
        out: list[VersionInfo] = []
        for path in self._version_dirs():
            problem: str | None = None
            meta: dict[str, Any] = {}
            try:
                meta = self.read_metadata(path.name)
                self._check_files(path.name)
            except ModelArtifactError as exc:
                problem = str(exc)
            training: dict[str, Any] = meta["training_data"] if isinstance(meta.get("training_data"), dict) else {}
            metrics: dict[str, Any] = meta["metrics"] if isinstance(meta.get("metrics"), dict) else {}
            n_rows = training.get("n_rows") if isinstance(training.get("n_rows"), int) else None
            created = meta.get("created_at") if isinstance(meta.get("created_at"), str) else None
            out.append(
                VersionInfo(path.name, path.name == active, problem is None, problem, created, n_rows, metrics, meta)
            )
        return out

    def load(self, version: str | None = None) -> TrainedModel:
        """Load and verify a version (the active one by default); `ModelArtifactError` says why one cannot load."""
        if version is None:
            version = self.active_version()
            if version is None:
                raise ModelArtifactError(f"belum ada model aktif di {self.root}; jalankan `saring train`")
        meta = self._check_files(version)
        directory = self._dir(version)
        description = _read_json(directory / MODEL_JSON, f"model {version}: {MODEL_JSON}")
        model = CompiledModel.from_arrays(
            _read_arrays(directory / MODEL_ARRAYS, f"model {version}: {MODEL_ARRAYS}"), description
        )
        index = KnownHoaxIndex.from_arrays(
            _read_arrays(directory / HOAX_ARRAYS, f"model {version}: {HOAX_ARRAYS}"),
            _read_json(directory / HOAX_JSON, f"model {version}: {HOAX_JSON}"),
        )
        self._verify_behaviour(version, model, _read_json(directory / REFERENCES_NAME, f"model {version}: references"))
        return TrainedModel(version=version, model=model, metadata=meta, known_hoaxes=index)

    @staticmethod
    def _verify_behaviour(version: str, model: CompiledModel, references: Any) -> None:
        expected = references.get("scores") if isinstance(references, dict) else None
        if not isinstance(expected, list) or len(expected) != len(REFERENCE_TEXTS):
            raise ModelArtifactError(f"model {version}: {REFERENCES_NAME} tidak memuat skor teks acuan")
        actual = reference_scores(model)
        names = ("classifier_risk", "claims_risk", "gate", "hoax_risk")
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            for name, w, g in zip(names, want, got, strict=True):
                if not isinstance(w, int | float) or abs(float(w) - g) > REFERENCE_TOLERANCE:
                    raise ModelArtifactError(
                        f"model {version}: teks acuan {i + 1} mendapat {name} {g:.12f} di sini, tetapi {w!r} saat "
                        "disimpan; instalasi ini tidak mereproduksi model (pustaka atau sumber daya berubah)"
                    )

    # -- writing ----------------------------------------------------------------------------------
    def save(
        self,
        model: CompiledModel,
        *,
        training_rows: list[LabelledText],
        data_sources: dict[str, str],
        known_hoaxes: KnownHoaxIndex,
        extra: dict[str, Any] | None = None,
        activate: bool = True,
    ) -> str:
        """Store `model` as a new version (atomically) and, by default, make it active."""
        self.root.mkdir(parents=True, exist_ok=True)
        created = datetime.now(UTC)
        digest = data_hash(training_rows)
        version = f"{created.strftime('%Y%m%dT%H%M%S')}-{digest[:8]}-{uuid.uuid4().hex[:4]}"
        tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=self.root))
        try:
            arrays, description = model.to_arrays()
            _write_arrays(tmp / MODEL_ARRAYS, arrays)
            (tmp / MODEL_JSON).write_text(json.dumps(description, ensure_ascii=False), "utf-8")
            hoax_arrays, hoax_description = known_hoaxes.to_arrays()
            _write_arrays(tmp / HOAX_ARRAYS, hoax_arrays)
            (tmp / HOAX_JSON).write_text(json.dumps(hoax_description, ensure_ascii=False), "utf-8")
            references = {"texts": [list(t) for t in REFERENCE_TEXTS], "scores": reference_scores(model)}
            (tmp / REFERENCES_NAME).write_text(json.dumps(references, ensure_ascii=False), "utf-8")
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
                    "n_news": sum(r.corpus == "news" for r in training_rows),
                    "label_counts": {label: sum(r.label == label for r in training_rows) for label in labels},
                    "sources": data_sources,
                },
                "labels": labels,
                "params": model.params,
                "ruleset_version": model.ruleset_version,
                "genres": model.describe(),
                "metrics": {g: d["oof_metrics"] for g, d in model.describe().items()},
                "known_hoaxes_count": len(known_hoaxes),
                "files": {name: file_sha256(tmp / name) for name in _DATA_FILES},
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
        self.load(version)  # written as recorded, and it reproduces its own reference scores
        if activate:
            self.activate(version)
        return version

    def activate(self, version: str) -> None:
        """Point ACTIVE at `version` once it loads and reproduces its reference scores; atomic."""
        self.load(version)
        self._point_to(version, kind="activate")

    def _point_to(self, version: str, *, kind: str) -> None:
        pointer_tmp = self.root / f"{POINTER_TEMP_PREFIX}{uuid.uuid4().hex}"
        pointer_tmp.write_text(version + "\n", "utf-8")
        with open(pointer_tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(pointer_tmp, self.root / ACTIVE_NAME)
        with open(self.root / LOG_NAME, "a", encoding="utf-8") as log:
            # a line starts with a newline-free JSON object; a torn last line is ignored when the log is read
            log.write(json.dumps({"version": version, "kind": kind, "at": datetime.now(UTC).isoformat()}) + "\n")
            log.flush()
            os.fsync(log.fileno())
        _fsync_dir(self.root)

    def history(self) -> list[str]:
        """The activation stack: every activation pushes its version, every rollback pops one."""
        stack: list[str] = []
        try:
            lines = (self.root / LOG_NAME).read_bytes().decode("utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return stack
        for line in lines:
            try:
                entry = json.loads(line)
                version = check_version_name(entry["version"])
            except (ValueError, KeyError, TypeError, ModelArtifactError):
                continue  # a torn or foreign line
            if entry.get("kind") == "rollback":
                while stack and stack[-1] != version:
                    stack.pop()
                if not stack:
                    stack.append(version)
            else:
                stack.append(version)
        return stack

    def rollback(self) -> str:
        """Re-activate the version active before the current one, walking back through history; returns it.

        Versions that can no longer load are skipped. Rolling back again goes further back, not forth.
        """
        current = self.active_version()
        stack = self.history()
        while stack and stack[-1] != current:
            stack.pop()
        if stack:
            stack.pop()  # the current version
        while stack:
            candidate = stack.pop()
            if candidate == current:
                continue
            try:
                self.load(candidate)
            except ModelArtifactError:
                continue
            self._point_to(candidate, kind="rollback")
            return candidate
        raise ModelArtifactError("tidak ada versi model sebelumnya yang dapat dimuat untuk dikembalikan")

    # -- housekeeping -----------------------------------------------------------------------------
    @contextmanager
    def retrain_lock(self) -> Iterator[None]:
        """One retrain per registry at a time (across processes); released by the OS if the process dies."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RetrainInProgressError(f"another retrain is running on {self.root}") from None
            yield
        finally:
            os.close(fd)

    def remove_stale_temp(self, *, older_than_s: float = STALE_TEMP_SECONDS) -> list[str]:
        """Delete version directories and ACTIVE pointers left half-written by killed writers; returns names.

        They are never listed or loaded; only entries older than `older_than_s` go, so a live writer's stay.
        """
        removed: list[str] = []
        if not self.root.is_dir():
            return removed
        cutoff = time.time() - older_than_s
        for path in [*self.root.glob(f"{TEMP_PREFIX}*"), *self.root.glob(f"{POINTER_TEMP_PREFIX}*")]:
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
