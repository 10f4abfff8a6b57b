"""``plan simulate --usage FILE.csv``: a CSV of past or expected usage -> credits per local day.

Two shapes, told apart by the header row (column order free, names case-insensitive):

- ``date,credits`` — credits per day;
- ``date,model,input_tokens,output_tokens[,cache_read_tokens][,cache_write_tokens]`` — tokens per
  model; converted to credits with the catalog's rates (rule 8). Missing cache columns count as 0.

``date`` is a local date (``2026-05-14``, taken as given) or an ISO timestamp; a timestamp with a UTC
offset (or ``Z``) is moved to its day in the zone given (``--timezone``, default this machine's zone;
rule 2: the allowance resets at local midnight); a timestamp without an offset is taken as local. Rows for the same day are
summed; blank lines and lines starting with ``#`` are skipped. Any problem is one
:class:`ConfiguratorError` naming ``FILE:LINE``.

Limits (issue 17 item 14), each one clear error instead of a crash or a hang: the file must be a regular
file (never a FIFO or a device such as ``/dev/zero``) of at most :data:`MAX_FILE_BYTES`; dates lie in
``FIRST_YEAR``-01-01 … ``LAST_YEAR``-12-31 (the usage reader's window, :mod:`configurator.usage.dates`);
credits are finite, >= 0 and at most :data:`MAX_CREDITS_PER_DAY` a day; token counts at most
:data:`MAX_TOKENS`; the dates span at most :data:`MAX_SPAN_DAYS` days (the longest ``--days``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from configurator.billing.catalog import Catalog
from configurator.billing.rules import billing_day
from configurator.errors import ConfiguratorError
from configurator.usage.dates import FIRST_YEAR, LAST_YEAR

CREDIT_COLUMNS = ("date", "credits")
TOKEN_COLUMNS = ("date", "model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
_OPTIONAL = {"cache_read_tokens", "cache_write_tokens"}

#: the largest usage file read (50 MB: years of daily rows per model fit in well under 1 MB)
MAX_FILE_BYTES = 50 * 1024 * 1024
#: credits a day may total (a million times the largest tier's daily allowance)
MAX_CREDITS_PER_DAY = 1e12
#: tokens one cell may count
MAX_TOKENS = 1e12
#: the longest history: first to last date, inclusive (the same bound as ``--days``)
MAX_SPAN_DAYS = 3650
_FIRST_DAY = _dt.date(FIRST_YEAR, 1, 1)
_LAST_DAY = _dt.date(LAST_YEAR, 12, 31)


#: what a usage CSV holds: credits per day, or tokens per day and model
UsageKind = Literal["credits", "tokens"]


@dataclass
class UsageFile:
    path: Path
    kind: UsageKind
    demand: list[tuple[_dt.date, float]]
    rows: int
    credits_by_model: dict[str, float] = field(default_factory=dict)
    #: tokens per day, model and kind (token files only): for the reference-price comparison
    tokens_by_day: dict[_dt.date, dict[str, dict[str, float]]] = field(default_factory=dict)
    #: rows whose timestamp carried a UTC offset, moved to the zone's day
    converted: int = 0

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


def _parse_date(value: str, path: Path, line: int, zone: _dt.tzinfo | None = None) -> tuple[_dt.date, bool]:
    """The row's day, and whether it was moved from a timestamp with an offset into ``zone``."""
    v = value.strip()
    day: _dt.date | None
    moved = False
    try:
        if len(v) <= 10:
            day = _dt.date.fromisoformat(v)
        else:
            moment = _dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
            moved = moment.tzinfo is not None
            day = billing_day(moment, zone)
    except ValueError:
        raise _err(path, line, f"{_short(v)} is not a date; write dates like 2026-05-14.") from None
    except OverflowError:  # a timestamp whose local day falls after 9999-12-31 or before 0001-01-01
        day = None
    if day is None or not _FIRST_DAY <= day <= _LAST_DAY:
        raise _err(path, line, f"the date {_short(v)} is outside {_FIRST_DAY} … {_LAST_DAY}; "
                   "usage dates must lie within that range.")
    return day, moved


def _parse_number(value: str, column: str, path: Path, line: int, *, whole: bool) -> float:
    v = value.strip()
    try:
        x = float(v)
    except ValueError:
        raise _err(path, line, f"{column} is {_short(v)}, not a number.") from None
    limit = MAX_TOKENS if whole else MAX_CREDITS_PER_DAY
    if not math.isfinite(x) or x < 0 or x > limit:
        raise _err(path, line, f"{column} is {_short(v)}; it must be a number >= 0 and at most {limit:,.0f}.")
    if whole and not x.is_integer():
        raise _err(path, line, f"{column} is {v!r}; token counts are whole numbers.")
    return x


def _short(value: str) -> str:
    return repr(value) if len(value) <= 40 else f"{value[:20]!r}… ({len(value)} characters)"


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of ``offset`` in ``raw``."""
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _decode(raw: bytes, path: Path) -> str:
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _position(raw, nul)
        raise _err(path, line, f"the file is binary (a NUL byte at column {col}), not CSV text; "
                   "pass a UTF-8 CSV file with --usage FILE.csv.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line, col = _position(raw, e.start)
        raise _err(path, line, f"the file is not valid UTF-8 (byte 0x{raw[e.start]:02x} at column {col}); "
                   "save it as UTF-8 CSV.") from None


def _read_regular_file(p: Path) -> bytes:
    """The bytes of ``p``, only if it is a regular file of at most :data:`MAX_FILE_BYTES`.

    ``os.stat`` comes first, so a FIFO or a device (``/dev/zero``) is refused without being opened;
    the file is then opened non-blocking and checked again, in case it was swapped in between.
    """
    hint = "pass a CSV file with --usage FILE.csv"
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise ConfiguratorError(f"{p} does not exist; {hint}.") from None
    except PermissionError:
        raise ConfiguratorError(f"{p} cannot be read (permission denied); check its owner and mode.") from None
    except (OSError, ValueError) as e:
        raise ConfiguratorError(f"{p} cannot be read ({getattr(e, 'strerror', None) or e}); {hint}.") from None
    if stat.S_ISDIR(st.st_mode):
        raise ConfiguratorError(f"{p} is a folder; {hint}.")
    if not stat.S_ISREG(st.st_mode):
        raise ConfiguratorError(f"{p} is not a regular file (a device, pipe or socket); {hint}.")
    too_big = (f"{p} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, the most a usage file may be; "
               "pass daily totals (one row per day and model).")
    if st.st_size > MAX_FILE_BYTES:
        raise ConfiguratorError(too_big)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except PermissionError:
        raise ConfiguratorError(f"{p} cannot be read (permission denied); check its owner and mode.") from None
    except OSError as e:
        raise ConfiguratorError(f"{p} cannot be read ({e.strerror or e}); {hint}.") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise ConfiguratorError(f"{p} is not a regular file (a device, pipe or socket); {hint}.")
        try:
            raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            raise ConfiguratorError(f"{p} cannot be read ({e.strerror or e}); {hint}.") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfiguratorError(too_big)
    return raw


def load_usage_csv(path: str | Path, catalog: Catalog, zone: _dt.tzinfo | None = None) -> UsageFile:
    """Read ``path`` into credits per day in ``zone`` (None: this machine's; see the module docstring)."""
    p = Path(path).expanduser()
    raw = _read_regular_file(p)
    text = _decode(raw, p)
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
    header: list[str] | None = None
    header_line = 0
    first_line: dict[_dt.date, int] = {}
    kind: UsageKind = "credits"  # set from the header
    totals: dict[_dt.date, float] = {}
    by_model: dict[str, float] = {}
    tokens: dict[_dt.date, dict[str, dict[str, float]]] = {}
    rows = converted = 0
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
            day, moved = _parse_date(row["date"], p, line, zone)
            converted += moved
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
                kinds = tokens.setdefault(day, {}).setdefault(key, {})
                for tk, column in zip(("input", "output", "cache_read", "cache_write"), TOKEN_COLUMNS[2:],
                                      strict=True):
                    kinds[tk] = kinds.get(tk, 0.0) + counts[column]
            total = totals.get(day, 0.0) + credits
            if total > MAX_CREDITS_PER_DAY:
                raise _err(p, line, f"the credits of {day} add up to more than {MAX_CREDITS_PER_DAY:,.0f}, the most "
                           "a day may use; check the numbers (credits, not micro-credits or tokens).")
            totals[day] = total
            first_line.setdefault(day, line)
            rows += 1
    except csv.Error as e:
        raise _err(p, reader.line_num, f"this is not valid CSV ({e}).") from None
    if header is None:
        raise ConfiguratorError(f"{p}:1: the file is empty; the first line must be a header: date,credits "
                                f"(or {','.join(TOKEN_COLUMNS)}).")
    if not rows:
        raise _err(p, header_line, "the file has a header but no data rows.")
    first, last = min(totals), max(totals)
    if (last - first).days + 1 > MAX_SPAN_DAYS:
        raise _err(p, first_line[last], f"the dates span {(last - first).days + 1:,} days ({first} … {last}); "
                   f"a usage file may cover at most {MAX_SPAN_DAYS:,} days, so pass the most recent years only.")
    return UsageFile(p, kind, sorted(totals.items()), rows, by_model, tokens, converted)


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
