"""The plan catalog: subscription tiers, PAYG packs and model credit rates, each figure with its
source, a ``verified`` flag and a date.

The shipped catalog is ``templates/plans/atlascloud.toml``; ``--catalog FILE`` loads another file of
the same shape. Every leaf figure is either an inline table ``{ value = …, source = "…", verified =
true|false, date = "YYYY-MM[-DD]" }`` or a bare number (which counts as unverified, source not given).

Units (see :mod:`configurator.billing.money`): prices are exact ``Decimal`` dollars, credits are
``float``. A tier is described by ``daily_credits`` (its daily allowance) or ``monthly_credits`` (its
pool; the allowance is pool / 30, rule 1) — exactly one of them.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from configurator.billing.money import per_million, to_decimal
from configurator.errors import ConfiguratorError

#: token kinds a model rate covers, in the order people read them (rule 8)
TOKEN_KINDS = ("input", "output", "cache_read", "cache_write")
#: what a figure of the catalog measures: a price (exact decimal), credits, a credit rate per token, days
FigureKind = Literal["money", "credits", "rate", "days"]
#: period length of a subscription (rule 1) and the default validity of a pack (rule 6), in days
PERIOD_DAYS = 30
DEFAULT_PACK_VALID_DAYS = 90
DEFAULT_PAYMENT_NOTE = (
    "Plans (subscriptions, their renewals and PAYG packs) are bought by card through Stripe; "
    "account balance and gift credits cannot buy plans."
)

_FIGURE_KEYS = {"value", "source", "verified", "date"}


@dataclass(frozen=True)
class Figure:
    """One number from the catalog and where it came from."""

    keypath: tuple[str, ...]
    value: Any
    source: str
    verified: bool
    date: str | None
    line: int = 0

    @property
    def key(self) -> str:
        return ".".join(self.keypath)

    def to_dict(self) -> dict[str, Any]:
        value = float(self.value) if isinstance(self.value, Decimal) else self.value
        return {"key": self.key, "value": value, "source": self.source, "verified": self.verified,
                "date": self.date, "line": self.line}


@dataclass(frozen=True)
class Tier:
    """A subscription tier: a monthly price and a daily allowance (pool / 30)."""

    id: str
    name: str
    price: Figure
    allowance: Figure  # daily_credits or monthly_credits, as written in the catalog

    @property
    def price_usd(self) -> Decimal:
        return self.price.value

    @property
    def daily_credits(self) -> float:
        if self.allowance.keypath[-1] == "monthly_credits":
            return float(self.allowance.value) / PERIOD_DAYS
        return float(self.allowance.value)

    @property
    def monthly_credits(self) -> float:
        return self.daily_credits * PERIOD_DAYS

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (self.price, self.allowance)

    def usd_per_million_credits(self) -> Decimal:
        """Price of a million credits of allowance, if every credit is used."""
        return per_million(self.price_usd, self.monthly_credits)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "price_usd": float(self.price_usd),
                "daily_credits": self.daily_credits, "monthly_credits": self.monthly_credits,
                "figures": [f.to_dict() for f in self.figures]}


@dataclass(frozen=True)
class Pack:
    """A pay-as-you-go pack: a price, credits, valid ``valid_days`` days from purchase, no daily cap."""

    id: str
    name: str
    price: Figure
    credits_figure: Figure
    validity: Figure

    @property
    def price_usd(self) -> Decimal:
        return self.price.value

    @property
    def credits(self) -> float:
        return float(self.credits_figure.value)

    @property
    def valid_days(self) -> int:
        return int(self.validity.value)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (self.price, self.credits_figure, self.validity)

    def usd_per_million_credits(self) -> Decimal:
        return per_million(self.price_usd, self.credits)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "price_usd": float(self.price_usd), "credits": self.credits,
                "valid_days": self.valid_days, "figures": [f.to_dict() for f in self.figures]}


@dataclass(frozen=True)
class ModelRate:
    """Credits per token by kind for one model (rule 8), plus optional reference dollar prices."""

    id: str
    name: str
    aliases: tuple[str, ...]
    rates: Mapping[str, Figure]
    reference: Mapping[str, Figure] = field(default_factory=dict)

    def rate(self, kind: str) -> float:
        fig = self.rates.get(kind)
        return float(fig.value) if fig is not None else 0.0

    def credits(self, *, input_tokens: float = 0, output_tokens: float = 0, cache_read_tokens: float = 0,
                cache_write_tokens: float = 0) -> float:
        """Rule 8: credits = Σ tokens × the model's credit rate for that token kind."""
        counts = (input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
        if any(c < 0 for c in counts):
            raise ValueError("token counts cannot be negative")
        return math.fsum(c * self.rate(k) for c, k in zip(counts, TOKEN_KINDS, strict=True) if c)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(self.rates.values()) + tuple(self.reference.values())

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aliases": list(self.aliases),
                "credits_per_token": {k: float(f.value) for k, f in self.rates.items()},
                "usd_per_million_tokens": {k: float(f.value) for k, f in self.reference.items()},
                "figures": [f.to_dict() for f in self.figures]}


def normalize_model_id(model: str) -> str:
    """``deepseek-ai/DeepSeek-V4-Pro`` -> ``deepseek-v4-pro`` (case folded, provider prefix dropped)."""
    name = model.strip().casefold()
    return name.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Catalog:
    path: Path
    provider: str
    tiers: tuple[Tier, ...]
    packs: tuple[Pack, ...]
    models: tuple[ModelRate, ...]
    payment_note: str = DEFAULT_PAYMENT_NOTE
    plan: str = ""
    _model_index: dict[str, ModelRate] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for m in self.models:  # ids and aliases, as written and without a provider prefix (first wins)
            for name in (m.id, *m.aliases):
                for key in (name.casefold(), normalize_model_id(name)):
                    self._model_index.setdefault(key, m)

    @property
    def shipped(self) -> bool:
        """Is this the catalog that comes with configurator (not one passed with --catalog FILE)?"""
        try:
            return self.path.resolve() == default_catalog_path().resolve()
        except OSError:
            return False

    @property
    def label(self) -> str:
        """How text names this catalog: the shipped one by what it is, another by its path."""
        if self.shipped:
            return f"the shipped {self.provider or 'plan'} catalog"
        return str(self.path)

    # --- look-ups -------------------------------------------------------------------------------
    def tier(self, name: str) -> Tier:
        """The tier whose id or name is ``name`` (case-insensitive); a clear error otherwise."""
        want = name.strip().casefold()
        for t in self.tiers:
            if want in (t.id.casefold(), t.name.casefold()):
                return t
        known = ", ".join(t.id for t in self.tiers) or "none"
        raise ConfiguratorError(f"unknown tier {name!r}; {self.label} has: {known}.")

    def model(self, model: str) -> ModelRate | None:
        """The model ``model`` names, matched case-insensitively and with or without a provider prefix."""
        if not model:
            return None
        key = model.strip().casefold()
        return self._model_index.get(key) or self._model_index.get(normalize_model_id(key))

    def credits_for(self, model: str, *, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0,
                    cache_write_tokens: int = 0) -> float | None:
        """Credits a request costs (rule 8), or None when the catalog does not know ``model``."""
        rate = self.model(model)
        if rate is None:
            return None
        return rate.credits(input_tokens=input_tokens, output_tokens=output_tokens,
                            cache_read_tokens=cache_read_tokens, cache_write_tokens=cache_write_tokens)

    # --- provenance -------------------------------------------------------------------------------
    def figures(self) -> list[Figure]:
        out: list[Figure] = []
        for t in self.tiers:
            out += t.figures
        for p in self.packs:
            out += p.figures
        for m in self.models:
            out += m.figures
        return out

    def unverified_figures(self) -> list[str]:
        """Key paths (``tiers.starter.daily_credits``) of every figure not verified with the provider."""
        return [f.key for f in self.figures() if not f.verified]

    def plan_figures(self) -> list[Figure]:
        """The figures a tier/pack comparison depends on (tiers and packs, not model rates)."""
        out: list[Figure] = []
        for t in self.tiers:
            out += t.figures
        for p in self.packs:
            out += p.figures
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "provider": self.provider, "plan": self.plan,
                "tiers": [t.to_dict() for t in self.tiers], "packs": [p.to_dict() for p in self.packs],
                "models": [m.to_dict() for m in self.models], "payment": self.payment_note,
                "unverified_figures": self.unverified_figures()}


# --- loading ------------------------------------------------------------------------------------

class _Loader:
    def __init__(self, path: Path, text: str) -> None:
        from configurator.store import Positions

        self.path = path
        self.text = text
        self.positions = Positions(text, "toml")  # the text is scanned once, then asked per figure

    def where(self, keypath: Iterable[str], *, value: bool = False) -> tuple[int, int]:
        return self.positions.locate(tuple(keypath), value=value)

    def fail(self, keypath: tuple[str, ...], message: str, *, value: bool = True) -> ConfiguratorError:
        line, col = self.where(keypath, value=value)
        key = ".".join(keypath)
        return ConfiguratorError(
            f"{self.path}:{line}:{col}: {key}: {message}; fix the catalog (or pass another with --catalog FILE)."
        )

    def table(self, data: Mapping[str, Any], keypath: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(keypath, "must be a table")
        return data

    def figure(self, raw: Any, keypath: tuple[str, ...], kind: FigureKind) -> Figure:
        """Parse one figure of a ``kind``."""
        line = self.where(keypath)[0]
        if isinstance(raw, Mapping):
            unknown = sorted(set(raw) - _FIGURE_KEYS)
            if unknown:
                raise self.fail(keypath + (unknown[0],), f"unknown field {unknown[0]!r} (a figure has "
                                "value, source, verified, date)", value=False)
            if "value" not in raw:
                raise self.fail(keypath, "this figure has no value")
            value = raw["value"]
            source = raw.get("source", "not given")
            verified = raw.get("verified", False)
            date = raw.get("date")
            if not isinstance(source, str):
                raise self.fail(keypath + ("source",), "source must be text")
            if not isinstance(verified, bool):
                raise self.fail(keypath + ("verified",), "verified must be true or false")
            if isinstance(date, (_dt.date, _dt.datetime)):
                date = date.isoformat()
            elif date is not None and not isinstance(date, str):
                raise self.fail(keypath + ("date",), 'date must be a date like 2026-05-14 or "2026-05"')
            vpath = keypath + ("value",)
        else:
            value, source, verified, date, vpath = raw, "not given", False, None, keypath
        return Figure(keypath, self.number(value, vpath, kind), source, verified, date, line)

    def number(self, value: Any, keypath: tuple[str, ...], kind: FigureKind) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self.fail(keypath, "must be a number")
        if kind == "money":
            try:
                d = to_decimal(value)
            except ValueError as e:
                raise self.fail(keypath, str(e)) from None
            if d < 0:
                raise self.fail(keypath, "a price cannot be negative")
            return d
        if isinstance(value, str):
            raise self.fail(keypath, "must be a number, not text")
        if not math.isfinite(value):
            raise self.fail(keypath, "must be a finite number")
        if kind == "days":
            if not float(value).is_integer() or value < 1:
                raise self.fail(keypath, "must be a whole number of days, at least 1")
            return int(value)
        if kind == "credits" and value <= 0:
            raise self.fail(keypath, "must be more than 0 credits")
        if kind == "rate" and value < 0:
            raise self.fail(keypath, "a credit rate cannot be negative")
        return value

    def load(self, data: Mapping[str, Any]) -> Catalog:
        known_top = {"schema", "provider", "plan", "currency", "payment", "tiers", "packs", "models"}
        for key in data:
            if key not in known_top:
                raise self.fail((key,), f"unknown section (expected one of: {', '.join(sorted(known_top))})",
                                value=False)
        schema = data.get("schema", 1)
        if schema != 1:
            raise self.fail(("schema",), f"this version of configurator reads catalog schema 1, not {schema!r}")
        currency = data.get("currency", "USD")
        if not isinstance(currency, str) or currency.upper() != "USD":
            raise self.fail(("currency",), "only USD catalogs are supported")
        provider = data.get("provider", "")
        plan = data.get("plan", "")
        if not isinstance(provider, str) or not isinstance(plan, str):
            raise self.fail(("provider",), "provider and plan must be text")
        payment = data.get("payment", {})
        note = DEFAULT_PAYMENT_NOTE
        if payment:
            payment = self.table(payment, ("payment",))
            note = payment.get("note", note)
            if not isinstance(note, str) or not note.strip():
                raise self.fail(("payment", "note"), "must be a sentence")

        tiers = [self.tier(tid, raw) for tid, raw in self.table(data.get("tiers", {}), ("tiers",)).items()]
        packs = [self.pack(pid, raw) for pid, raw in self.table(data.get("packs", {}), ("packs",)).items()]
        models = [self.model(mid, raw) for mid, raw in self.table(data.get("models", {}), ("models",)).items()]
        if not tiers and not packs:
            raise ConfiguratorError(
                f"{self.path}:1:1: the catalog has no [tiers.*] and no [packs.*]: there is nothing to compare; "
                "fix the catalog (or pass another with --catalog FILE)."
            )
        tiers.sort(key=lambda t: (t.price_usd, t.daily_credits))
        packs.sort(key=lambda p: (p.price_usd, p.credits))
        return Catalog(self.path, provider, tuple(tiers), tuple(packs), tuple(models), note.strip(), plan)

    def tier(self, tid: str, raw: Any) -> Tier:
        kp = ("tiers", tid)
        raw = self.table(raw, kp)
        allowed = {"name", "price_usd", "daily_credits", "monthly_credits"}
        for key in raw:
            if key not in allowed:
                raise self.fail(kp + (key,), f"unknown field (a tier has: {', '.join(sorted(allowed))})", value=False)
        if "price_usd" not in raw:
            raise self.fail(kp, "a tier needs price_usd", value=False)
        given = [k for k in ("daily_credits", "monthly_credits") if k in raw]
        if len(given) != 1:
            raise self.fail(kp, "a tier needs exactly one of daily_credits or monthly_credits", value=False)
        name = raw.get("name", tid)
        if not isinstance(name, str) or not name.strip():
            raise self.fail(kp + ("name",), "must be text")
        return Tier(tid, name.strip(), self.figure(raw["price_usd"], kp + ("price_usd",), "money"),
                    self.figure(raw[given[0]], kp + (given[0],), "credits"))

    def pack(self, pid: str, raw: Any) -> Pack:
        kp = ("packs", pid)
        raw = self.table(raw, kp)
        allowed = {"name", "price_usd", "credits", "valid_days"}
        for key in raw:
            if key not in allowed:
                raise self.fail(kp + (key,), f"unknown field (a pack has: {', '.join(sorted(allowed))})", value=False)
        for need in ("price_usd", "credits"):
            if need not in raw:
                raise self.fail(kp, f"a pack needs {need}", value=False)
        name = raw.get("name", pid)
        if not isinstance(name, str) or not name.strip():
            raise self.fail(kp + ("name",), "must be text")
        validity = (self.figure(raw["valid_days"], kp + ("valid_days",), "days") if "valid_days" in raw
                    else Figure(kp + ("valid_days",), DEFAULT_PACK_VALID_DAYS,
                                "not given in the catalog; the rules' default of 90 days (rule 6)", False, None,
                                self.where(kp)[0]))
        return Pack(pid, name.strip(), self.figure(raw["price_usd"], kp + ("price_usd",), "money"),
                    self.figure(raw["credits"], kp + ("credits",), "credits"), validity)

    def model(self, mid: str, raw: Any) -> ModelRate:
        kp = ("models", mid)
        raw = self.table(raw, kp)
        allowed = {"name", "aliases", "credits_per_token", "usd_per_million_tokens"}
        for key in raw:
            if key not in allowed:
                raise self.fail(kp + (key,), f"unknown field (a model has: {', '.join(sorted(allowed))})", value=False)
        name = raw.get("name", mid)
        aliases = raw.get("aliases", [])
        if not isinstance(name, str):
            raise self.fail(kp + ("name",), "must be text")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise self.fail(kp + ("aliases",), "must be a list of model ids")
        if "credits_per_token" not in raw:
            raise self.fail(kp, "a model needs credits_per_token (input, output, cache_read, cache_write)", value=False)
        rates: dict[str, Figure] = {}
        for section, target in (("credits_per_token", rates),):
            table = self.table(raw[section], kp + (section,))
            for kind, fig in table.items():
                if kind not in TOKEN_KINDS:
                    raise self.fail(kp + (section, kind), f"unknown token kind (use {', '.join(TOKEN_KINDS)})",
                                    value=False)
                target[kind] = self.figure(fig, kp + (section, kind), "rate")
        if "input" not in rates or "output" not in rates:
            raise self.fail(kp + ("credits_per_token",), "needs at least input and output rates", value=False)
        reference: dict[str, Figure] = {}
        if "usd_per_million_tokens" in raw:
            table = self.table(raw["usd_per_million_tokens"], kp + ("usd_per_million_tokens",))
            for kind, fig in table.items():
                if kind not in TOKEN_KINDS:
                    raise self.fail(kp + ("usd_per_million_tokens", kind),
                                    f"unknown token kind (use {', '.join(TOKEN_KINDS)})", value=False)
                reference[kind] = self.figure(fig, kp + ("usd_per_million_tokens", kind), "money")
        ordered = {k: rates[k] for k in TOKEN_KINDS if k in rates}
        return ModelRate(mid, name.strip() or mid, tuple(aliases), ordered,
                         {k: reference[k] for k in TOKEN_KINDS if k in reference})


def default_catalog_path() -> Path:
    from configurator.resources import template_path

    return template_path("plans", "atlascloud.toml")


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and check a catalog (None = the shipped ``templates/plans/atlascloud.toml``).

    A file that does not parse, or a figure that makes no sense (a negative price, a tier without an
    allowance), raises :class:`ConfiguratorError` naming ``path:line:column``.
    """
    from configurator.store import read_document

    p = Path(path).expanduser() if path is not None else default_catalog_path()
    doc = read_document(p, "toml")  # the store reads it: line:column for bad UTF-8 or TOML
    if not doc.exists:
        raise ConfiguratorError(f"catalog {p} does not exist; pass an existing TOML file with --catalog FILE.")
    text, data = doc.text, doc.data
    return _Loader(p, text).load(data)


def export_catalog(dest: str | Path, *, force: bool = False) -> Path:
    """Write the shipped catalog's TOML to ``dest`` (a copy to edit and pass with ``--catalog FILE``).

    An existing ``dest`` is kept unless ``force``; the file is written atomically (the store's writer),
    mode 0644 unless its folder is shared, where it is 0600.
    """
    import os
    import stat

    from configurator.store.atomic import atomic_write

    p = Path(dest).expanduser()
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise ConfiguratorError(f"{p} cannot be checked ({e.strerror or e}); pass another path to --export.") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise ConfiguratorError(f"{p} is a folder; pass a file name to --export, e.g. {p / 'my-plans.toml'}.")
        if not stat.S_ISREG(st.st_mode):
            raise ConfiguratorError(f"{p} is not a regular file; pass a new file name to --export.")
        if not force:
            raise ConfiguratorError(f"{p} already exists; pass another file name, or add --force to replace it.")
    if not p.parent.is_dir():
        raise ConfiguratorError(f"the folder {p.parent} does not exist; create it or pass another path to --export.")
    data = default_catalog_path().read_bytes()
    try:
        return atomic_write(p, data)
    except OSError as e:
        raise ConfiguratorError(f"{p} cannot be written ({e.strerror or e}); check the folder's permissions.") from None
