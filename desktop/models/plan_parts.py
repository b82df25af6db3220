"""The parts of a plan the plan editor (desktop.models.plan_editor) changes, by name, and what an
indicator holds without figures: its light vocabulary, which the window uses before the
database layer has loaded."""

from __future__ import annotations

from collections.abc import Mapping

NODE = "node"
INDICATOR = "indicator"
DEPARTMENT = "department"
PLAN = "plan"
# An indicator's target and baseline when it has none: a milestone's (a date and a state
# instead), and a new indicator's until the editor gives them.
NO_FIGURES: Mapping[str, object] = {
    "target": None,
    "stretch_target": None,
    "baseline": None,
    "baseline_date": None,
    "baseline_source": None,
    "baseline_date_inferred": False,
}
