"""What planners hold an option against: force densities of other lines, and the proposals.

Figures from the notes and the briefs around them (``../shared/DOMAIN.md``, "Yardsticks and
proposals"):

=====================================================  ===============  =======  ============
yardstick                                              troops           line     troops / km
=====================================================  ===============  =======  ============
Korea, US forces in 1954                               ~225,000         249 km   ~904
Korea, US forces today                                 ~30,000          249 km   ~120
Inner-German border, Cold War (NORTHAG + CENTAG)       500,000-700,000  700 km   ~714-1,000
Kosovo peace enforcement, peak (area 55x smaller)      ~48,000          -        -
=====================================================  ===============  =======  ============

Proposals for the size of a force in Ukraine, as reported: the UK-France reassurance force
(~30,000, 2025-03), Ukrainian officials (40,000-50,000, 2025-01), President Trump (100,000),
President Zelensky (100,000-150,000; earlier ~200,000), experts (up to 250,000, 2025-03), and
parity with the Russian force along the line (600,000 plus rotation).

A plan is set beside them by its troops per km of the loaded line (:func:`per_km`) and by the
proposals whose figure, at its upper end, is at least the plan's deployed troops (upper end):
:func:`fits_proposals`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from planner.rounding import Real

__all__ = [
    "PROPOSALS",
    "YARDSTICKS",
    "Proposal",
    "Yardstick",
    "fits_proposals",
    "per_km",
]


@dataclass(frozen=True, kw_only=True)
class Yardstick:
    """A force that held (or holds) a line, or an area.

    Parameters
    ----------
    id : str
        Short key, also the prefix of its comparison columns (``korea_1954_troops_per_km``).
    name : str
        What it is.
    troops_min, troops_max : int
        Its troops (a range where the source gives one).
    line_km : int or None
        Length of the line it held; None for an area (Kosovo).
    """

    id: str
    name: str
    troops_min: int
    troops_max: int
    line_km: int | None = None

    @property
    def troops_per_km(self) -> tuple[Fraction, Fraction] | None:
        """(min, max) troops per km of its line, exact; None without a line."""
        if self.line_km is None:
            return None
        return Fraction(self.troops_min, self.line_km), Fraction(self.troops_max, self.line_km)


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """A reported proposal for the size of a force in Ukraine.

    Parameters
    ----------
    name : str
        Who proposed it (as reported).
    troops_min, troops_max : int
        The figure (a range where one was given; ``troops_max`` is what a plan is held to).
    date : str
        When it was reported (``YYYY`` or ``YYYY-MM``; ``""`` where the source gives none).
    note : str
        What the figure stands for.
    """

    name: str
    troops_min: int
    troops_max: int
    date: str = ""
    note: str = ""


YARDSTICKS: Mapping[str, Yardstick] = MappingProxyType(
    {
        y.id: y
        for y in (
            Yardstick(
                id="korea_1954",
                name="Korea, US forces in 1954",
                troops_min=225_000,
                troops_max=225_000,
                line_km=249,
            ),
            Yardstick(
                id="korea_today",
                name="Korea, US forces today",
                troops_min=30_000,
                troops_max=30_000,
                line_km=249,
            ),
            Yardstick(
                id="inner_german",
                name="Inner-German border, Cold War (NORTHAG + CENTAG, 8 corps)",
                troops_min=500_000,
                troops_max=700_000,
                line_km=700,
            ),
            Yardstick(
                id="kosovo_peak",
                name="Kosovo peace enforcement, peak (an area 55x smaller than Ukraine)",
                troops_min=48_000,
                troops_max=48_000,
            ),
        )
    }
)

PROPOSALS: tuple[Proposal, ...] = (
    Proposal(
        name="UK-France reassurance force",
        troops_min=30_000,
        troops_max=30_000,
        date="2025-03",
        note="stationed in Ukraine's hinterland, away from the front",
    ),
    Proposal(
        name="Ukrainian officials",
        troops_min=40_000,
        troops_max=50_000,
        date="2025-01",
        note="what they call feasible for Western troops",
    ),
    Proposal(name="President Trump", troops_min=100_000, troops_max=100_000, date="2025"),
    Proposal(name="President Zelensky", troops_min=100_000, troops_max=150_000, date="2025"),
    Proposal(
        name="President Zelensky (earlier request)",
        troops_min=200_000,
        troops_max=200_000,
    ),
    Proposal(
        name="Experts",
        troops_min=250_000,
        troops_max=250_000,
        date="2025-03",
        note="up to 250,000 needed in Ukraine to deter Russia",
    ),
    Proposal(
        name="Parity with the Russian force",
        troops_min=600_000,
        troops_max=600_000,
        note="600,000 along the line, plus rotation",
    ),
)


def per_km(troops: Real, line_km: float) -> Fraction:
    """Troops per km of a line of ``line_km``, exact (round with :mod:`planner.rounding`).

    Examples
    --------
    >>> float(per_km(225_000, 249))
    903.6144578313254
    """
    if not line_km > 0:
        raise ValueError(f"line_km is {line_km!r}; expected a positive length")
    return Fraction(troops) / Fraction(line_km)


def fits_proposals(troops: Real, proposals: tuple[Proposal, ...] = PROPOSALS) -> list[str]:
    """Names of the proposals whose figure (upper end) is at least ``troops``, in order.

    Examples
    --------
    >>> fits_proposals(40_000)[:3]
    ['Ukrainian officials', 'President Trump', 'President Zelensky']
    >>> fits_proposals(300_000)
    ['Parity with the Russian force']
    """
    return [p.name for p in proposals if p.troops_max >= troops]
