"""Idempotency-Key for writes: the same key and body replay the first answer; the same key with
another body is refused with 409."""

from __future__ import annotations

import hashlib
import json

from flask import jsonify, request
from sqlalchemy import select

from app.api.problems import ApiProblem
from app.extensions import db
from app.models import ApiToken, IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY = 200
REPLAYED = "Idempotent-Replayed"


def presented_key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ApiProblem(400, f"The {HEADER} header must be 1 to {MAX_KEY} printable characters.")
    return key


def fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def replay(token: ApiToken, key: str | None, data: dict):
    """The first answer for this key as a response, or None when the key is new (or absent)."""
    if key is None:
        return None
    earlier = db.session.scalar(select(IdempotentRequest).where(IdempotentRequest.token_id == token.id,
                                                                IdempotentRequest.key == key))
    if earlier is None:
        return None
    if earlier.request_hash != fingerprint(data):
        raise ApiProblem(409, f"This {HEADER} was already used with a different body; use a new key for a "
                              "new request.")
    response = jsonify(earlier.body)
    response.status_code = earlier.status
    response.headers[REPLAYED] = "true"
    return response


def remember(token: ApiToken, key: str | None, data: dict, status: int, body: dict) -> None:
    """Keep the answer with the change it describes (same transaction); the unique key makes a
    concurrent twin fail at commit, so only one of them happens."""
    if key is not None:
        db.session.add(IdempotentRequest(token_id=token.id, key=key, request_hash=fingerprint(data), status=status,
                                         body=body))
