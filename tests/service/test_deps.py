"""What `service.deps` holds for the routes: the served model, kept out of the garbage collector's passes."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from test_deploy_workers import second_version

from screening.policy import DecisionPolicy
from screening.registry import ModelRegistry
from screening.screen import YOUNG_GC_THRESHOLD
from service.deps import ScreenerHolder


def test_every_served_model_is_frozen_out_of_the_collectors_passes(models_dir: Path) -> None:
    other = second_version(models_dir)
    holder = ScreenerHolder(ModelRegistry(models_dir), policy=DecisionPolicy())
    gc.set_threshold(700, 10, 10)  # Python's default, whatever an earlier test in this process left
    first = weakref.ref(holder.load_active())
    assert gc.get_freeze_count() > 20_000  # the model's objects: a full collection no longer walks them
    assert gc.get_threshold()[0] >= YOUNG_GC_THRESHOLD  # and the youngest objects are collected less often
    holder.activate(other)
    assert first() is None  # the replaced model is freed
    assert gc.get_freeze_count() > 20_000  # and the one served now is frozen in its place
