"""The one shape of a view that carries out a service call and then redirects: commit and say what
happened, or say why the service refused. A refused call is not committed; the request's session
is discarded when the request ends, so nothing it half-did is kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash

from app.extensions import db

Result = TypeVar("Result")


def carry_out(action: Callable[[], Result], refusal: type[Exception] | tuple[type[Exception], ...],
              success: str | Callable[[Result], str], *, category: str = "success",
              refused_category: str = "danger") -> bool:
    """Run action(); on `refusal` flash its message and commit nothing, otherwise commit and flash
    `success` (a message, or a function of the action's result). True when it went through."""
    try:
        result = action()
    except refusal as problem:
        flash(str(problem), refused_category)
        return False
    db.session.commit()
    flash(success(result) if callable(success) else success, category)
    return True
