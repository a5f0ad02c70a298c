"""What the API routes and the editors' pages both do: screen and record (and count the decisions), start a retrain.

Route modules and `service.ui` call these; neither imports the other. The app's parts come in as arguments, or,
for `retrain_task`, through `service.deps` from the request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence

from fastapi import Request

from screening.errors import InvalidInputError
from screening.result import ScreenResult, Thresholds
from screening.screen import Screener
from screening.store import ScreeningAudit
from screening.training.retrain import RetrainOptions, RetrainReport
from service.audit import AuditWriter
from service.deps import get_holder, get_settings
from service.jobs import RetrainTask
from service.observability import Metrics
from service.schemas import Submission
from service.security import Caller


def _audit(submission: Submission, result: ScreenResult, caller: Caller, request_id: str | None) -> ScreeningAudit:
    return ScreeningAudit(
        result,
        submission.title,
        submission.text,
        caller_role=caller.role,
        caller_key_id=caller.key_id,
        kim_group=submission.kim_group,
        author=submission.author,
        channel=submission.channel,
        request_id=request_id,
    )


def _record(audit_log: AuditWriter, metrics: Metrics, audits: Sequence[ScreeningAudit]) -> None:
    """The one place screenings are recorded and their decisions counted (`saring_decisions_total`)."""
    audit_log.submit(audits)
    for audit in audits:
        metrics.decisions.labels(decision=audit.result.decision).inc()


def is_brief(audit_log: AuditWriter, submissions: Sequence[Submission], *, max_chars: int) -> bool:
    """Whether screening and recording `submissions` is brief work that never waits, so that the screening limiter
    may run it on the event loop (`ScreeningLimiter.run`): at most `max_chars` title and text characters (the
    cost of screening grows with the text: at most about 50 ms of CPU at 2,000 characters, for words never seen),
    and room in the audit queue (whose back-pressure would otherwise wait for the database)."""
    chars = sum(len(s.title) + len(s.text) for s in submissions)
    return chars <= max_chars and audit_log.has_room(len(submissions))


def screen_and_record(
    screener: Screener,
    audit_log: AuditWriter,
    metrics: Metrics,
    submission: Submission,
    stricter: Thresholds | None,
    caller: Caller,
    request_id: str | None = None,
    *,
    explain: bool = True,
) -> ScreenResult:
    """Screen one submission and append it to the audit log (`AuditWriter.submit`: spooled before this returns,
    committed just after); `/v1/screen` and the editors' pages use it. `explain=False` leaves `terms` empty."""
    outcome = screener.screen_many([submission.to_library()], thresholds=stricter, explain=explain)[0]
    if isinstance(outcome, InvalidInputError):
        raise outcome
    result = outcome
    _record(audit_log, metrics, [_audit(submission, result, caller, request_id)])
    return result


def screen_many_and_record(
    screener: Screener,
    audit_log: AuditWriter,
    metrics: Metrics,
    submissions: list[Submission],
    stricter: Thresholds | None,
    caller: Caller,
    request_id: str | None = None,
    *,
    explain: bool = True,
) -> list[ScreenResult | InvalidInputError]:
    """Screen several submissions, each on its own, and append the screened ones to the audit log (as above)."""
    outcomes = screener.screen_many([s.to_library() for s in submissions], thresholds=stricter, explain=explain)
    _record(
        audit_log,
        metrics,
        [
            _audit(s, r, caller, request_id)
            for s, r in zip(submissions, outcomes, strict=True)
            if isinstance(r, ScreenResult)
        ],
    )
    return outcomes


def retrain_task(request: Request, options: RetrainOptions | None = None) -> RetrainTask:
    """The job a retrain runs: `saring retrain` on the stored labels, in a child process at low priority.

    Fitting holds the GIL for minutes; in a thread of the serving process it cut screening throughput by about
    60 %. The child reads the labels when it starts, stores, verifies and activates a promoted version in the
    registry; this process then serves it at once (requests in flight finish on the old one). A child that fails
    fails the job and leaves the served model untouched. `POST /v1/retrain` and the editors' models page both
    start this.
    """
    holder = get_holder(request)
    settings = get_settings(request)
    chosen = options or RetrainOptions()

    def task(progress: Callable[[str], None]) -> RetrainReport:
        command = [
            sys.executable,
            "-m",
            "service.cli_batch",
            "retrain",
            "--json",
            "--models-dir",
            str(holder.registry.root),
            "--training-data",
            str(settings.training_data_dir),
            "--margin",
            str(chosen.margin),
            "--holdout",
            str(chosen.holdout_fraction),
            "--seed",
            str(chosen.seed),
            "--low-priority",
        ]
        command += ["--force"] if chosen.force else []
        command += ["--dry-run"] if chosen.dry_run else []
        # the database address may hold a password: the environment, never the command line
        env = {**os.environ, "SARING_DATABASE_URL": settings.database_url.get_secret_value()}
        with tempfile.TemporaryFile() as out:
            child = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.PIPE,
                env=env,
                text=True,
            )
            assert child.stderr is not None
            last = ""
            for line in child.stderr:
                last = line.rstrip()
                progress(last.removeprefix("saring retrain: "))
            if child.wait() != 0:
                raise RuntimeError(last or f"saring retrain ended with exit code {child.returncode}")
            out.seek(0)
            report = RetrainReport(**json.loads(out.read().decode("utf-8")))
        if report.outcome == "promoted":
            holder.follow_registry(min_interval_s=0.0)  # serve the version the child activated, now
        return report

    return task
