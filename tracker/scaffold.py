"""``pmt new``: a fresh postmortem from the canonical template, never over an existing file.

The template (``tracker/templates/postmortem.md``) has two kinds of holes: ``${name}`` fields
that pmt fills in (title, date, time zone, id, file name) and ``{{blanks}}`` left for the
author, which ``pmt lint`` reports as ``placeholder`` until they are filled.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.errors import InputError, OutputError

TEMPLATE = "postmortem.md"
_MAX_SLUG = 60


def slugify(title: str) -> str:
    """``"Checkout: 502s for EU users!"`` -> ``"checkout-502s-for-eu-users"``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > _MAX_SLUG:
        cut = slug[:_MAX_SLUG]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "postmortem"


def today(timezone: str, now: datetime | None = None) -> date:
    """The calendar day in ``timezone`` (an IANA name): late evening in San Francisco is
    already tomorrow in UTC."""
    zone = ZoneInfo(timezone)
    moment = now.astimezone(zone) if now is not None else datetime.now(zone)
    return moment.date()


@dataclass(frozen=True)
class NewPostmortem:
    path: Path
    text: str


def render(title: str, day: date, timezone: str, *, file_name: str) -> str:
    """The template with pmt's own fields filled in."""
    source = resources.files("tracker").joinpath("templates", TEMPLATE).read_text(encoding="utf-8")
    slug = slugify(title)
    return string.Template(source).substitute(
        id=f"{day.isoformat()}-{slug}",
        # JSON strings are valid YAML scalars: quotes, colons and '#' in a title stay intact.
        title_yaml=json.dumps(title, ensure_ascii=False),
        title=title,
        date=day.isoformat(),
        timezone=timezone,
        file_name=file_name,
    )


def plan(
    title: str,
    day: date,
    timezone: str,
    *,
    folder: Path | None = None,
    output: Path | None = None,
) -> NewPostmortem:
    """Where the new postmortem goes and what it says; nothing is written yet."""
    title = " ".join(title.split())
    if not title:
        raise InputError("TITLE", "the title is empty")
    if output is not None:
        path = output
    else:
        path = (folder or Path(".")) / f"{day.isoformat()}-{slugify(title)}.md"
    return NewPostmortem(path, render(title, day, timezone, file_name=path.name))


def write(new: NewPostmortem) -> Path:
    """Create the file; an existing file (or a race with another writer) is never overwritten."""
    folder = new.path.parent
    if not folder.is_dir():
        # Not created: a typo in --dir must not leave a new folder behind (exit 2).
        what = "is not a folder" if folder.exists() else "does not exist"
        raise OutputError(str(folder), f"{what}; create it first or pick another --dir")
    try:
        with new.path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(new.text)
    except FileExistsError:
        raise InputError(
            str(new.path),
            "already exists; pmt new never overwrites a file (pick another title or --output)",
        ) from None
    except OSError as exc:
        raise InputError(str(new.path), f"cannot write: {exc.strerror or exc}") from exc
    return new.path
