"""Password rules: long enough, not too long to check cheaply, and hard to guess: not among the 30,000
most common passwords, not built from the organization's, the product's or the demo's names, and
rated at least "safely unguessable" (3 of 4) by zxcvbn, which knows common words, names and patterns."""

from __future__ import annotations

import re
from functools import cache

from flask import current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MAX_LENGTH = 128  # checked first: hashing and rating a longer text costs more than a sign-in form should
MIN_SCORE = 3
PRODUCT_WORDS = ("medical home", "hiring", "onboarding", "demo", "clinic", "health center", "pcmh")
DEMO_PASSWORD = "medical-home-demo"  # noqa: S105 (published in the README, so refused for real accounts)


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


@cache
def _common() -> frozenset[str]:
    """The common-password list, each as its letters and digits (so "pass-word" counts as "password")."""
    return frozenset(_letters_and_digits(word) for word in FREQUENCY_LISTS["passwords"])


def _names_of_this_app() -> list[str]:
    config = current_app.config
    return [config["ORGANIZATION_NAME"], *PRODUCT_WORDS, DEMO_PASSWORD, config.get("DEMO_PASSWORD") or ""]


def password_problems(password: str, *, email: str = "", name: str = "", demo: bool = False) -> list[str]:
    """Every reason a password is too weak, in words a person can act on. demo=True checks the demo
    accounts' password, which may (and is meant to) name the demo."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    if len(password) < minimum:
        return [f"Use at least {minimum} characters (a short phrase is easiest to remember)."]
    problems = []
    core = _letters_and_digits(password)
    local_part = email.strip().lower().split("@")[0]
    if len(local_part) >= 4 and _letters_and_digits(local_part) in core:
        problems.append("Do not include your e-mail address in your password.")
    names = [] if demo else [_letters_and_digits(word) for word in _names_of_this_app()]
    if any(len(word) >= 4 and word in core and len(core) - len(word) < 6 for word in names):
        problems.append("Do not build your password from the name of the organization, this app or its demo.")
    if core in _common() or len(set(password)) < 4:
        problems.append("This password is too common or repetitive; choose something less predictable.")
    elif not problems:
        rating = zxcvbn(password, user_inputs=[local_part, name, *([] if demo else _names_of_this_app())])
        if rating["score"] < MIN_SCORE:
            hint = rating["feedback"]["warning"] or "It follows a pattern that is quick to guess."
            problems.append(f"This password is too easy to guess. {hint.rstrip('.')}. "
                            "Add a few unrelated words, or make it longer.")
    return problems
