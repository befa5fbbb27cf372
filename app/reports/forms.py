"""The validity report's filters: a GET form read from the query string, so a view can be bookmarked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.forms import PlainForm
from app.models import RoleFamily, Site
from app.onboarding.services import add_months

DEFAULT_MONTHS = 24  # the hire period when no date is given: the last two years


@dataclass(frozen=True)
class ValidityFilters:
    """A site and a role family (None: all) and a hire period, start dates inclusive at both ends."""

    site_id: int | None = None
    role_family: RoleFamily | None = None
    start: date | None = None
    end: date | None = None
    problems: tuple[str, ...] = ()

    def args(self) -> dict[str, str]:
        """The query-string arguments that reproduce these filters (for the CSV link)."""
        args = {"site": str(self.site_id) if self.site_id else "",
                "family": self.role_family.value if self.role_family else "",
                "hired_from": self.start.isoformat() if self.start else "",
                "hired_to": self.end.isoformat() if self.end else ""}
        return {key: value for key, value in args.items() if value}


class ValidityFilterForm(PlainForm):
    """Site, role family and hire period; a value that cannot be used is ignored with a message."""

    site = SelectField("Site", validators=[Optional()])
    family = SelectField("Role family", choices=[("", "All role families"), *RoleFamily.choices()],
                         validators=[Optional()])
    hired_from = DateField("Hired from", validators=[Optional()])
    hired_to = DateField("Hired to", validators=[Optional()])

    def __init__(self, formdata=None, *, sites: list[Site], **kwargs):
        super().__init__(formdata, **kwargs)
        self.site.choices = [("", "All sites")] + [(str(site.id), site.name) for site in sites]

    def filters(self, today: date) -> ValidityFilters:
        """What parsed. With neither date given (or usable) the period is the last two years up to
        today; dates the wrong way round are swapped, with a message."""
        self.validate()
        problems: list[str] = []
        site = self.site.data if self.site.data and not self.site.errors else None
        family = RoleFamily(self.family.data) if self.family.data and not self.family.errors else None
        start = None if self.hired_from.errors else self.hired_from.data
        end = None if self.hired_to.errors else self.hired_to.data
        if start is None and end is None:  # neither given (or neither usable)
            start, end = add_months(today, -DEFAULT_MONTHS), today
        if start and end and start > end:
            problems.append("Hired from was after Hired to, so the two were swapped.")
            start, end = end, start
        return ValidityFilters(int(site) if site else None, family, start, end, tuple(problems))
