"""Local dates of log timestamps, in a given IANA time zone (default: the system zone).

Agent logs stamp every record in UTC (``2026-10-01T07:12:45.123Z``). A day of usage is a *local*
day, so each timestamp is converted to a date in the user's zone. The conversion is cached per UTC
minute: every zone in use since 1972 has whole-minute offsets and changes them on whole minutes,
so all timestamps of one UTC minute fall on the same local date. That makes bucketing a dictionary
lookup for the hundreds of thousands of records a history holds.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import NamedTuple

from configurator.errors import ConfiguratorError

UTC = _dt.timezone.utc
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
#: local dates a usage record may have; a timestamp outside (a bogus 9999-12-31 or 0001-01-01, an
#: epoch of 0) makes the record invalid: it would stretch a history over centuries (and a day after
#: 9999-12-31 does not exist), so it is skipped and counted like any other malformed record
FIRST_YEAR = 2000
LAST_YEAR = 2099


class ZoneSpec(NamedTuple):
    """How to rebuild a zone in a worker process: by IANA name, from a TZif file, or a fixed offset.

    (A NamedTuple, not a dataclass: the status line imports this module, and ``dataclasses`` costs it ~10 ms.)
    """

    kind: str  # "name" | "file" | "offset"
    value: str
    label: str

    def build(self) -> _dt.tzinfo:
        from zoneinfo import ZoneInfo

        if self.kind == "name":
            return ZoneInfo(self.value)
        if self.kind == "file":
            with open(self.value, "rb") as fh:
                return ZoneInfo.from_file(fh, key=self.label)
        return _dt.timezone(_dt.timedelta(seconds=int(self.value)))


def resolve_zone(name: str | None) -> ZoneSpec:
    """The zone to bucket days in: ``name`` (an IANA name such as ``Asia/Tokyo``), else the system zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name:
        candidate = name.strip()
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ConfiguratorError(
                f"unknown time zone {name!r}: use an IANA name such as UTC, Europe/Berlin or America/Los_Angeles."
            ) from None
        return ZoneSpec("name", candidate, candidate)
    return _system_zone()


def _system_zone() -> ZoneSpec:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    tz_env = os.environ.get("TZ", "").strip()
    if tz_env:
        key = tz_env[1:] if tz_env.startswith(":") else tz_env
        try:
            ZoneInfo(key)
            return ZoneSpec("name", key, key)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass  # a POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0": fall through to the fixed offset
    else:
        from pathlib import Path

        localtime = Path("/etc/localtime")
        try:
            target = str(localtime.resolve())
            if "zoneinfo/" in target:
                key = target.split("zoneinfo/", 1)[1]
                ZoneInfo(key)
                return ZoneSpec("name", key, key)
            if localtime.is_file():
                return ZoneSpec("file", str(localtime), "localtime")
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    offset = _dt.datetime.now().astimezone().utcoffset() or _dt.timedelta(0)
    return ZoneSpec("offset", str(int(offset.total_seconds())), "local")


class Bucketer:
    """Maps timestamps (ISO strings or epoch milliseconds) to ``YYYY-MM-DD`` local dates."""

    __slots__ = ("zone", "cache", "hours")

    def __init__(self, zone: _dt.tzinfo) -> None:
        self.zone = zone
        #: "YYYY-MM-DDTHH:MM" (UTC) -> local date
        self.cache: dict[str, str] = {}
        #: "YYYY-MM-DDTHH" (UTC) -> local date of the whole hour, or "" when local midnight or an offset
        #: change falls inside that hour (then minutes are looked up one by one)
        self.hours: dict[str, str] = {}

    def utc_hour(self, key: str) -> str:
        """Local date shared by every minute of the UTC hour ``YYYY-MM-DDTHH``, or "" if there is none."""
        first = self.utc_minute(key + ":00")
        last = self.utc_minute(key + ":59")
        date = ""
        if first is not None and first == last:
            start = _dt.datetime.fromisoformat(key + ":00+00:00")
            end = start + _dt.timedelta(minutes=59)
            if start.astimezone(self.zone).utcoffset() == end.astimezone(self.zone).utcoffset():
                date = first
        self.hours[key] = date
        return date

    def utc_minute(self, key: str) -> str | None:
        """Local date of the UTC minute ``YYYY-MM-DDTHH:MM`` (the cache is filled by the caller)."""
        if key[4] != "-" or key[7] != "-" or key[13] != ":" or not (key[:4] + key[5:7] + key[8:10]
                                                                       + key[11:13] + key[14:16]).isdigit():
            return None
        try:
            moment = _dt.datetime(int(key[0:4]), int(key[5:7]), int(key[8:10]), int(key[11:13]), int(key[14:16]),
                                  tzinfo=UTC)
            local = moment.astimezone(self.zone).date()
        except (ValueError, OverflowError):  # not a time, or its local date is before year 1 or after 9999
            return None
        if not FIRST_YEAR <= local.year <= LAST_YEAR:
            return None
        date = self.cache[key] = local.isoformat()
        return date

    def epoch_ms(self, ts: str) -> int | None:
        """Milliseconds since the epoch of an ISO timestamp (milliseconds truncated like ccusage)."""
        text = ts.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            moment = _dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        delta = moment - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000

    def date_of(self, ts: object) -> str | None:
        """Local date of any timestamp a log may hold, or None when it is not one."""
        if type(ts) is str:
            if len(ts) == 24 and ts[23] == "Z" and ts[10] == "T":
                hour = self.hours.get(ts[:13])
                if hour is None:
                    hour = self.utc_hour(ts[:13])
                if hour:
                    return hour
                key = ts[:16]
                hit = self.cache.get(key)
                return hit if hit is not None else self.utc_minute(key)
            return self._parse_iso(ts)
        if type(ts) is int or type(ts) is float:
            return self._epoch(float(ts))
        return None

    def _parse_iso(self, ts: str) -> str | None:
        text = ts.strip()
        if len(text) < 19 or text[10] not in "Tt ":
            return None
        if text[-1] in "Zz":
            text = text[:-1] + "+00:00"
        try:
            moment = _dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:  # no offset: the tools write UTC
            moment = moment.replace(tzinfo=UTC)
        return _local_date(moment, self.zone)

    def _epoch(self, value: float) -> str | None:
        seconds = value / 1000.0 if value > 1e11 else value  # milliseconds (OpenClaw) or seconds
        try:
            moment = _dt.datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return _local_date(moment, self.zone)


def _local_date(moment: _dt.datetime, zone: _dt.tzinfo) -> str | None:
    """``YYYY-MM-DD`` of ``moment`` in ``zone``; None outside ``FIRST_YEAR``..``LAST_YEAR`` (or out of range)."""
    try:
        local = moment.astimezone(zone).date()
    except (OverflowError, ValueError):  # a local date before year 1 or after 9999 (0001-01-01 west of UTC)
        return None
    return local.isoformat() if FIRST_YEAR <= local.year <= LAST_YEAR else None


def parse_day(value: str, option: str) -> _dt.date:
    """``YYYY-MM-DD`` or ``YYYYMMDD`` (ccusage's form) -> date, or a one-line user error."""
    text = value.strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise ConfiguratorError(f"{option} {value!r} is not a date: use YYYY-MM-DD, for example 2026-10-01.") from None
