"""Times as a person reads them: in this computer's time zone. Stamps are kept in UTC (the
revision log, bundles); shown in UTC they were an hour early all summer."""

from __future__ import annotations

import datetime as dt


def local_minute(stamp: str) -> str:
    """'YYYY-MM-DD HH:MM' in this computer's time zone for an ISO stamp with a zone; one
    without a zone is shown as written."""
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp.replace("T", " ")[:16]
    return (when.astimezone() if when.tzinfo else when).strftime("%Y-%m-%d %H:%M")


def approx_time(iso: str | None) -> str:
    """A local time from a device clock, which may be off: it says so."""
    return f"{local_minute(iso)} (approx.)" if iso else "—"
