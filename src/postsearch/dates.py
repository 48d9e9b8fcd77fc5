"""Dates as generators write them (front matter, file names, pages' marks), read into one
ISO 8601 string: date-only stays date-only."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%Y.%m.%d",
)
# The shapes most sites write (a date, a time after T or a space, an offset as `%z` reads it
# once `date_of_text` has tidied it), read without strptime: strptime keeps five compiled
# formats, so trying thirteen in turn compiles them again and again (0.3 s on 838 posts).
_COMMON = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:([T ])([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(?:( ?)([+-])([0-9]{2})([0-5][0-9]))?)?"
)


def normalize_date(value: Any) -> str | None:
    """Any date a generator accepts, as one ISO 8601 string; None when unreadable."""
    if isinstance(value, dt.date):  # a datetime is one too: isoformat keeps its time
        return value.isoformat()
    if not isinstance(value, str):
        return None
    return date_of_text(value)


@functools.lru_cache(maxsize=4096)
def date_of_text(value: str) -> str | None:
    """normalize_date of a string. Kept: posts share dates (a docs site's `ms.date`), and
    trying the formats one by one costs a dozen strptime calls for the last of them."""
    text = value.strip()
    text = re.sub(r"T(\d):", r"T0\1:", text)  # `2019-01-05T9:00`
    text = re.sub(r"(?<=[+-]\d\d):(?=\d\d$)", "", text)  # `+09:00` -> `+0900` for %z
    text = re.sub(r"Z$", "+0000", text)
    text = re.sub(r"\.\d+(?=[+-]\d{4}$|$)", "", text)  # drop fractions of a second
    text = re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", lambda m: f"{m[1]}/{int(m[2]):02d}/{int(m[3]):02d}", text)
    common = common_date(text)
    if common is not None:
        return common
    return date_by_formats(text)


def common_date(text: str) -> str | None:
    """What `date_by_formats` gives a text of a common shape (`_COMMON`), or None to let it
    say: an impossible date or a shape none of the formats has."""
    m = _COMMON.fullmatch(text)
    if m is None:
        return None
    year, month, day, sep, hour, minute, second, gap, sign, tz_hours, tz_minutes = m.groups()
    with_seconds = second is not None
    if sign is not None and not (gap == sep == " " or (gap == "" and sep == "T" and with_seconds)):
        return None  # `%z` follows a space, or `T` and seconds: the formats have no other
    try:
        if sep is None:
            return dt.date(int(year), int(month), int(day)).isoformat()
        zone = None
        if sign is not None:
            offset = dt.timedelta(hours=int(tz_hours), minutes=int(tz_minutes))
            zone = dt.timezone(-offset if sign == "-" else offset)
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=zone)
        return moment.isoformat()
    except ValueError:
        return None


def date_by_formats(text: str) -> str | None:
    """A tidied date text read by the first of `_DATE_FORMATS` that reads it."""
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%H" not in fmt:
            return parsed.date().isoformat()
        return parsed.isoformat()
    return None
