"""``plan simulate --usage FILE.csv``: a CSV of past or expected usage -> credits per local day.

Two shapes, told apart by the header row (column order free, names case-insensitive):

- ``date,credits`` — credits per day;
- ``date,model,input_tokens,output_tokens[,cache_read_tokens][,cache_write_tokens]`` — tokens per
  model; converted to credits with the catalog's rates (rule 8). Missing cache columns count as 0.

``date`` is a local date (``2026-05-14``) or an ISO timestamp; a timestamp with a UTC offset is moved
to this machine's local day (rule 2: the allowance resets at local midnight). Rows for the same day are
summed; blank lines and lines starting with ``#`` are skipped. Any problem is one
:class:`ConfiguratorError` naming ``FILE:LINE``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from configurator.billing.catalog import Catalog
from configurator.billing.rules import billing_day
from configurator.errors import ConfiguratorError

CREDIT_COLUMNS = ("date", "credits")
TOKEN_COLUMNS = ("date", "model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
_OPTIONAL = {"cache_read_tokens", "cache_write_tokens"}


#: what a usage CSV holds: credits per day, or tokens per day and model
UsageKind = Literal["credits", "tokens"]


@dataclass
class UsageFile:
    path: Path
    kind: UsageKind
    demand: list[tuple[_dt.date, float]]
    rows: int
    credits_by_model: dict[str, float] = field(default_factory=dict)

    @property
    def first(self) -> _dt.date:
        return min(d for d, _ in self.demand)

    @property
    def last(self) -> _dt.date:
        return max(d for d, _ in self.demand)

    def describe(self) -> str:
        span = (self.last - self.first).days + 1
        what = "credits per day" if self.kind == "credits" else "tokens per model, converted to credits with the catalog's rates"
        return f"{self.path.name}: {self.rows} rows of {what}, {span} days ({self.first} … {self.last})"


def _err(path: Path, line: int, message: str) -> ConfiguratorError:
    return ConfiguratorError(f"{path}:{line}: {message}")


def _parse_date(value: str, path: Path, line: int) -> _dt.date:
    v = value.strip()
    try:
        if len(v) <= 10:
            return _dt.date.fromisoformat(v)
        return billing_day(_dt.datetime.fromisoformat(v.replace("Z", "+00:00")))
    except ValueError:
        raise _err(path, line, f"{v!r} is not a date; write dates like 2026-05-14.") from None


def _parse_number(value: str, column: str, path: Path, line: int, *, whole: bool) -> float:
    v = value.strip()
    try:
        x = float(v)
    except ValueError:
        raise _err(path, line, f"{column} is {v!r}, not a number.") from None
    if not math.isfinite(x) or x < 0:
        raise _err(path, line, f"{column} is {v!r}; it must be a number >= 0.")
    if whole and not x.is_integer():
        raise _err(path, line, f"{column} is {v!r}; token counts are whole numbers.")
    return x


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise _err(path, line, "the file is not valid UTF-8 text; save it as UTF-8 CSV.") from None


def load_usage_csv(path: str | Path, catalog: Catalog) -> UsageFile:
    """Read ``path`` into credits per local day (see the module docstring for the accepted shapes)."""
    p = Path(path).expanduser()
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfiguratorError(f"{p} does not exist; pass a CSV file with --usage FILE.csv.") from None
    except IsADirectoryError:
        raise ConfiguratorError(f"{p} is a folder; pass a CSV file with --usage FILE.csv.") from None
    except PermissionError:
        raise ConfiguratorError(f"{p} cannot be read (permission denied); check its owner and mode.") from None
    text = _decode(raw, p)
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
    header: list[str] | None = None
    header_line = 0
    kind: UsageKind = "credits"  # set from the header
    totals: dict[_dt.date, float] = {}
    by_model: dict[str, float] = {}
    rows = 0
    try:
        for record in reader:
            line = reader.line_num
            if not record or all(not c.strip() for c in record) or record[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [c.strip().lower().replace(" ", "_").replace("-", "_") for c in record]
                header_line = line
                kind = _kind_of(header, p, line)
                continue
            if len(record) != len(header):
                raise _err(p, line, f"expected {len(header)} fields ({','.join(header)}), found {len(record)}.")
            row = dict(zip(header, record, strict=True))
            day = _parse_date(row["date"], p, line)
            if kind == "credits":
                credits = _parse_number(row["credits"], "credits", p, line, whole=False)
            else:
                model = row["model"].strip()
                if not model:
                    raise _err(p, line, "the model is empty.")
                counts = {
                    c: (_parse_number(row[c], c, p, line, whole=True) if row.get(c, "").strip()
                        else (0.0 if c in _OPTIONAL else _missing(c, p, line)))
                    for c in TOKEN_COLUMNS[2:]
                }
                got = catalog.credits_for(model, input_tokens=int(counts["input_tokens"]),
                                          output_tokens=int(counts["output_tokens"]),
                                          cache_read_tokens=int(counts["cache_read_tokens"]),
                                          cache_write_tokens=int(counts["cache_write_tokens"]))
                if got is None:
                    known = ", ".join(m.id for m in catalog.models) or "none"
                    raise _err(p, line, f"unknown model {model!r}: the catalog {catalog.path} has rates for {known} "
                               "(add the model to a catalog and pass --catalog FILE).")
                credits = got
                rate = catalog.model(model)
                key = rate.id if rate is not None else model
                by_model[key] = by_model.get(key, 0.0) + credits
            totals[day] = totals.get(day, 0.0) + credits
            rows += 1
    except csv.Error as e:
        raise _err(p, reader.line_num, f"this is not valid CSV ({e}).") from None
    if header is None:
        raise ConfiguratorError(f"{p}:1: the file is empty; the first line must be a header: date,credits "
                                f"(or {','.join(TOKEN_COLUMNS)}).")
    if not rows:
        raise _err(p, header_line, "the file has a header but no data rows.")
    return UsageFile(p, kind, sorted(totals.items()), rows, by_model)


def _missing(column: str, path: Path, line: int) -> float:
    raise _err(path, line, f"{column} is empty.")


def _kind_of(header: list[str], path: Path, line: int) -> UsageKind:
    cols = set(header)
    if len(cols) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise _err(path, line, f"the column {dup!r} appears twice in the header.")
    if cols == set(CREDIT_COLUMNS):
        return "credits"
    required = set(TOKEN_COLUMNS) - _OPTIONAL
    if required <= cols and cols <= set(TOKEN_COLUMNS):
        return "tokens"
    unknown = sorted(cols - set(TOKEN_COLUMNS) - set(CREDIT_COLUMNS))
    hint = f"unknown column {unknown[0]!r}; " if unknown else ""
    raise _err(path, line, f"{hint}the header must be date,credits or {','.join(TOKEN_COLUMNS)} "
               "(cache columns optional).")
