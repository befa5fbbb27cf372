"""The team page's filter bar: a GET form, so a filtered view can be bookmarked and shared."""

from wtforms import BooleanField, SearchField, SelectField
from wtforms.validators import Length, Optional

from app.forms import AppForm
from app.team.services import SHOW_CHOICES, SORT_CHOICES, TeamFilters

OFF = (False, "false", "", "0", "off", "no")


class TeamFilterForm(AppForm):
    class Meta:
        csrf = False  # read-only GET form

    q = SearchField("Search by name or e-mail", validators=[Optional(), Length(max=100)])
    show = SelectField("Show", choices=list(SHOW_CHOICES.items()), default="all")
    sort = SelectField("Sort by", choices=list(SORT_CHOICES.items()), default="name")
    first_days = BooleanField("In their first 90 days", false_values=OFF)
    indirect = BooleanField("Include indirect reports", false_values=OFF)

    def filters(self) -> TeamFilters:
        """The filters asked for; TeamFilters replaces anything unknown with its default."""
        return TeamFilters(indirect=bool(self.indirect.data), show=self.show.data or "all",
                           first_days=bool(self.first_days.data), q="" if self.q.errors else self.q.data or "", sort=self.sort.data or "name")
