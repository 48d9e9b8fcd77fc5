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
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%H" not in fmt:
            return parsed.date().isoformat()
        return parsed.isoformat()
    return None
