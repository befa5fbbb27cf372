"""The compliance view's filters: a GET form read from the query string, so a view can be bookmarked."""

from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import Optional

from app.forms import PlainForm
from app.models import RoleFamily, Site
from app.reports.compliance import ComplianceFilters


class ComplianceFilterForm(PlainForm):
    """Site and role family; a value that cannot be used is ignored with a message."""

    site = SelectField("Site", validators=[Optional()])
    family = SelectField("Role family", choices=[("", "All role families"), *RoleFamily.choices()],
                         validators=[Optional()])

    def __init__(self, formdata=None, *, sites: list[Site], **kwargs):
        super().__init__(formdata, **kwargs)
        self.site.choices = [("", "All sites")] + [(str(site.id), site.name) for site in sites]

    def filters(self) -> ComplianceFilters:
        self.validate()
        site = self.site.data if self.site.data and not self.site.errors else None
        family = RoleFamily(self.family.data) if self.family.data and not self.family.errors else None
        return ComplianceFilters(int(site) if site else None, family)
