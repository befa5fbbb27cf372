"""Site time zones: IANA names checked with zoneinfo, and times stored in UTC shown in a site's local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_TIME_ZONE = "America/New_York"
NOT_ZONES = {"localtime", "posixrules", "Factory"}  # files of the system's zone database that name no place


@cache
def known_zones() -> frozenset[str]:
    return frozenset(name for name in available_timezones()
                     if name not in NOT_ZONES and not name.startswith(("posix/", "right/")))


def is_time_zone(name: str) -> bool:
    """Whether name is an IANA time zone this machine knows (America/Chicago, Europe/Paris ...)."""
    return name in known_zones()


def zone(name: str | None) -> ZoneInfo:
    """The zone of that name, or the default for a name that is not one (an older row, a typo in the database)."""
    return ZoneInfo(name if name and is_time_zone(name) else DEFAULT_TIME_ZONE)


class NoSuchLocalTime(ValueError):
    """A wall-clock time that the zone skips (the hour clocks move forward)."""


def to_utc(day: date, at: time, zone_name: str) -> datetime:
    """The naive UTC instant of a wall-clock time at a site; refused when the clocks skip it. A time that
    happens twice (the hour clocks move back) is taken the first time."""
    tz = zone(zone_name)
    local = datetime.combine(day, at, tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NoSuchLocalTime(
            f"{at:%-I:%M %p} does not exist on {day:%b %-d, %Y} in {tz.key}: the clocks move forward then. "
            "Choose another time.")
    return instant.replace(tzinfo=None)


def local(instant: datetime, zone_name: str) -> datetime:
    """A naive UTC instant as an aware datetime in the zone."""
    return instant.replace(tzinfo=UTC).astimezone(zone(zone_name))


def local_label(instant: datetime, zone_name: str) -> str:
    """E.g. "Tue, Mar 10, 2026, 9:00 AM EDT": the site's wall-clock time with the zone's abbreviation."""
    there = local(instant, zone_name)
    return f"{there:%a, %b %-d, %Y, %-I:%M %p} {there.tzname()}"
