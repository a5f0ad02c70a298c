"""Model versions: list them, activate one or roll back (admin), swapping the served model without a restart."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from service.deps import AdminDep, HolderDep, SubmitterDep
from service.schemas import ModelsResponse, ModelSwitched, ModelVersionOut, errors

router = APIRouter(prefix="/v1", tags=["models"])

VersionPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")]


@router.get("/models", response_model=ModelsResponse, responses=errors(401, 429), summary="Stored model versions")
async def list_models(caller: SubmitterDep, holder: HolderDep) -> ModelsResponse:
    versions = await run_in_threadpool(holder.registry.versions)
    active = await run_in_threadpool(holder.registry.active_version)
    serving = holder.screener.model_version if holder.screener is not None else None
    return ModelsResponse(
        active_version=active,
        serving_version=serving,
        process_id=os.getpid(),
        versions=[
            ModelVersionOut(
                version=v.version, active=v.active, loadable=v.loadable, problem=v.problem, metadata=v.metadata
            )
            for v in versions
        ],
    )


@router.post(
    "/models/{version}/activate",
    response_model=ModelSwitched,
    responses=errors(401, 403, 404, 409, 415, 422, 429),
    summary="Serve another stored version (admin); requests in flight finish on the old one",
)
async def activate_model(version: VersionPath, request: Request, caller: AdminDep, holder: HolderDep) -> ModelSwitched:
    new, previous = await run_in_threadpool(holder.activate, version)
    return ModelSwitched(active_version=new, previous_version=previous)


@router.post(
    "/models/rollback",
    response_model=ModelSwitched,
    responses=errors(401, 403, 409, 415, 429),
    summary="Go back to the previously active version (admin)",
)
async def rollback_model(request: Request, caller: AdminDep, holder: HolderDep) -> ModelSwitched:
    new, previous = await run_in_threadpool(holder.rollback)
    return ModelSwitched(active_version=new, previous_version=previous)
