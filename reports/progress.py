"""Arithmetic of progress against a target (DOMAIN.md, "Targets and progress"), written once."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def percent_of_target(achieved: int, target: int | None) -> Decimal | None:
    """Achieved / target, to one decimal; None where there is no target."""
    if not target:
        return None
    return (Decimal(achieved) * 100 / Decimal(target)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
