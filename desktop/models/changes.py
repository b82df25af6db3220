"""What an operation changed — the one value every view refreshes from — and how a long one
reports how far it got.

The service returns Changes for every write; the window's controller hands them to the tree,
the grid, the dashboard, the chart and the panels, and each refreshes only what they name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Long work (an import, a report, a PDF) calls progress(done, total); False: the user cancelled.
Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class Changes:
    """What one operation changed: the views refresh exactly this.

    `cells` counts the fields written (one audit event each); `batch_id` is the import batch
    the operation created or changed; `everything` says the whole content was replaced;
    `lights` that the plan's light settings changed (every light may have changed);
    `structure` that the plan's structure was edited (its nodes, indicators or departments):
    the views are built again, and unlike `everything` the undo history stays.
    """

    indicator_ids: frozenset[int] = frozenset()
    periods: frozenset[str] = frozenset()
    cells: int = 0
    batch_id: int | None = None
    everything: bool = False
    lights: bool = False
    structure: bool = False

    @property
    def empty(self) -> bool:
        return not (self.indicator_ids or self.everything or self.lights or self.structure)

    @property
    def rebuilt(self) -> bool:
        """Every view is built again (the content was replaced, or the structure edited)."""
        return self.everything or self.structure


NOTHING_CHANGED = Changes()
EVERYTHING_CHANGED = Changes(everything=True)
