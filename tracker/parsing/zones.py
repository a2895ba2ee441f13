"""Time zones as people write them: "UTC-4", "+05:30", "PDT", "Europe/Paris", "Eastern time",
"West Africa Time"; the pattern that finds one and the tzinfo it names."""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from functools import lru_cache

# Abbreviations as fixed offsets in minutes. Ambiguous ones take their most common reading
# in English-language postmortems (CST = US Central, IST = India).
_ZONE_OFFSETS = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60,
    "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "IST": 330,
    "SGT": 480, "HKT": 480, "AWST": 480, "JST": 540, "KST": 540, "ACST": 570, "AEST": 600,
    "AEDT": 660, "NZST": 720, "NZDT": 780, "EST": -300, "EDT": -240, "CST": -360,
    "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540,
    "AKDT": -480, "HST": -600, "BRT": -180, "ART": -180, "WAT": 60, "CAT": 120, "EAT": 180,
    "SAST": 120, "PKT": 300, "WIB": 420, "ICT": 420, "PHT": 480, "NZT": 720,
}  # fmt: skip

# African zones written out ("East Africa Time", "Central African Time"): fixed offsets, and
# never the US "Central" or "Eastern" their first word would otherwise read as.
_AFRICA = re.compile(r"^(west|central|east|eastern|south)[ -]african?(?: standard)? time$")

_AFRICA_OFFSETS = {"west": 60, "central": 120, "east": 180, "eastern": 180, "south": 120}

# Zones named by region follow daylight saving, so they map to IANA names.
_REGION_ZONES = {
    "eastern": "America/New_York", "et": "America/New_York",
    "pacific": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "central": "America/Chicago", "ct": "America/Chicago",
    "mountain": "America/Denver", "mt": "America/Denver",
}  # fmt: skip

_ABBRS = "|".join(sorted((k for k in _ZONE_OFFSETS if k != "Z"), key=len, reverse=True))

ZONE_RE = (
    r"(?:(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?(?![\d:])"
    r"|[+\-−](?:0\d|1[0-4]):?(?:00|30|45)(?![\d:])(?!\s*\(?(?:UTC|GMT|[A-Z]{3,4})\b)"
    r"|Z(?![\w])"
    r"|[A-Z][a-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?"
    r"|(?:[Ww]est|[Cc]entral|[Ee]ast|[Ee]astern|[Ss]outh)[ -][Aa]frican?(?:\s[Ss]tandard)?\s[Tt]ime"
    r"|(?:[Ee]astern|[Pp]acific|[Cc]entral|[Mm]ountain)(?![ -][Aa]frica)(?:\s(?:[Ss]tandard|[Dd]aylight))?(?:\s[Tt]ime)?"
    r"|(?:ET|PT|CT|MT)(?![\w])"
    rf"|(?:{_ABBRS})(?![\w])"
    r")"
)

_ZONE_ONLY = re.compile(ZONE_RE)

_OFFSET = re.compile(r"(?:UTC|GMT)?\s?([+\-−])\s?(\d{1,2}):?(\d{2})?$", re.IGNORECASE)


def zone_info(text: str) -> tzinfo | None:
    """The tzinfo for a zone as written ("UTC-4", "PDT", "Europe/Paris", "Eastern time")."""
    return _zone_info(text.strip().strip("()"))


@lru_cache(maxsize=256)
def _zone_info(text: str) -> tzinfo | None:
    if not text:
        return None
    upper = text.upper()
    if upper in _ZONE_OFFSETS:
        minutes = _ZONE_OFFSETS[upper]
        return UTC if minutes == 0 else timezone(timedelta(minutes=minutes), upper)
    m = _OFFSET.match(text)
    if m and (text[0] in "+-−" or upper.startswith(("UTC", "GMT"))):
        sign = -1 if m.group(1) in "-−" else 1
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes > 59:
            return None
        offset = sign * (hours * 60 + minutes)
        return UTC if offset == 0 else timezone(timedelta(minutes=offset))
    africa = _AFRICA.match(" ".join(text.lower().split()))
    if africa:
        return timezone(timedelta(minutes=_AFRICA_OFFSETS[africa.group(1)]), text)
    region = text.split()[0].lower()
    name = _REGION_ZONES.get(region) if region in _REGION_ZONES else None
    if name is None and "/" in text:
        name = text
    if name is None:
        return None
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # unknown or malformed IANA name
        return None


def find_zone(text: str) -> str | None:
    """The first zone written in ``text`` ("All times in CEST" -> "CEST")."""
    for m in _ZONE_ONLY.finditer(text):
        found = m.group(0)
        # A bare offset or "Z" only counts right after a time; here there is none.
        if found[0] in "+-−Z" and len(found) <= 6:
            continue
        if zone_info(found) is not None:
            return found
    return None
