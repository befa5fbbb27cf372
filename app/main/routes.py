"""Home: where each role starts."""


from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.extensions import db
from app.main import bp
from app.models import Posting, PostingStatus, Progress, ProgressStatus, Role, User


@bp.get("/")
def index():
    """Send visitors to sign in, and signed-in users home."""
    return redirect(url_for("main.home" if current_user.is_authenticated else "auth.login"))


@bp.get("/home")
@login_required
def home():
    """A short summary of what the signed-in user can do next."""
    my_progress = db.session.execute(
        select(Progress.status, func.count()).where(Progress.employee_id == current_user.id).group_by(Progress.status)
    ).all()
    counts = {status: count for status, count in my_progress}
    summary = {
        "modules": sum(counts.values()),
        "completed": counts.get(ProgressStatus.COMPLETED, 0) + counts.get(ProgressStatus.WAIVED, 0),
    }
    team_size = None
    if current_user.role is Role.MANAGER:
        team_size = db.session.scalar(select(func.count(User.id)).where(User.manager_id == current_user.id, User.active))
    open_postings = None
    if current_user.role in (Role.HR, Role.ADMIN):
        open_postings = db.session.scalar(select(func.count(Posting.id)).where(Posting.status == PostingStatus.OPEN))
    return render_template("main/home.html", summary=summary, team_size=team_size, open_postings=open_postings)

