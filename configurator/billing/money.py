"""Money and credit units used by the billing engine.

**Money** is :class:`decimal.Decimal` in US dollars everywhere: prices come from the catalog as exact
decimals (a TOML float such as ``9.99`` is read through its shortest ``repr``, so it is exactly
``Decimal("9.99")``), sums of prices are exact, and every *amount* a person sees or pays (an upgrade
charge, a total, a cost per month) is rounded **half-up to cents** with :func:`cents` — the way a
price list rounds, so ``(20 - 10) × 14/30 = 4.666…`` is ``$4.67``. Rates (dollars per million
credits) are not amounts and keep four decimals (:func:`rate`).

**Credits** are ``float`` everywhere. They are never paid in directly: they come from token counts
times fractional per-token multipliers (``2.18`` credits per input token…), so they are fractional by
nature, and the simulator sums tens of thousands of them per second. A double holds 15–16
significant digits, far more than any credit figure needs (billions of credits to a millionth of a
credit); totals use :func:`math.fsum`, and the invariants are checked with a relative tolerance of
1e-9. Credits never decide a price directly except through a pack count (``ceil``), which is taken
on quantities cleared of float noise (:data:`EPS`).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
#: credit amounts at or below this are treated as zero (float noise, never a real demand)
EPS = 1e-6


def to_decimal(value: object) -> Decimal:
    """An exact Decimal from an int, a float (through its shortest repr) or a numeric string."""
    if isinstance(value, bool):
        raise ValueError("a money amount cannot be true/false")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a money amount must be a finite number")
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            d = Decimal(value.strip().lstrip("$"))
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
        if not d.is_finite():
            raise ValueError("a money amount must be a finite number")
        return d
    raise ValueError(f"{value!r} is not a number")


def per_million(amount: Decimal, credits: float) -> Decimal:
    """Dollars per million credits: ``amount`` spread over ``credits`` (exact, through :func:`to_decimal`)."""
    return amount * Decimal(1_000_000) / to_decimal(credits)


def cents(amount: Decimal) -> Decimal:
    """Round a dollar amount half-up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def rate(amount: Decimal) -> Decimal:
    """Round a rate (dollars per million credits) half-up to four decimals."""
    return amount.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def usd(amount: Decimal) -> str:
    """``Decimal("4.666")`` -> ``"$4.67"``; thousands separated."""
    return f"${cents(amount):,.2f}"


def json_money(amount: Decimal | None) -> float | None:
    """A cent-rounded amount as a JSON number (``4.67``; a double prints two decimals back exactly)."""
    return None if amount is None else float(cents(amount))


def credits_text(value: float) -> str:
    """Short human form: 800K, 1.8M, 280M, 2.25B (three significant digits at most)."""
    v = float(value)
    sign = "-" if v < 0 else ""
    v = abs(v)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= limit:
            q = v / limit
            txt = f"{q:.3g}" if q < 1000 else f"{q:,.0f}"
            return f"{sign}{txt}{suffix}"
    if v == 0:
        return "0"
    return f"{sign}{v:.3g}" if v < 1 else f"{sign}{v:.0f}"
