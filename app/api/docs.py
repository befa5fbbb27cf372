"""The OpenAPI document and a documentation page rendered from it by the app's own template (no
Swagger UI or ReDoc: those load from a CDN, which clinic networks often block)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

docs_bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def spec() -> dict:
    return current_app.extensions["medical_home_api"].spec.to_dict()


@docs_bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 document of /api/v1, generated from the views and their schemas."""
    return jsonify(spec())


def _schema_name(schema: dict | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items'))}"
    return schema.get("type", "object")


def operations(document: dict) -> list[dict]:
    """Every operation, in path order, in the shape the documentation page shows."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            scopes = sorted({scope for requirement in operation.get("security", []) for scope in
                             requirement.get("bearerAuth", [])})
            public = any(not requirement for requirement in operation.get("security", []))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            found.append({
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "description": operation.get("description", ""), "scopes": scopes, "public": public,
                "parameters": [*item.get("parameters", []), *operation.get("parameters", [])],
                "body": _schema_name(body),
                "responses": [(code, answer.get("description", ""),
                               _schema_name(next(iter(answer.get("content", {}).values()), {}).get("schema")))
                              for code, answer in sorted(operation.get("responses", {}).items())],
                "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
            })
    return found


@docs_bp.get("/docs")
def docs():
    """The API reference: operations, parameters, scopes and schemas, from the OpenAPI document."""
    document = spec()
    return render_template("api/docs.html", title="API reference", document=document,
                           operations=operations(document),
                           schemas=sorted(document.get("components", {}).get("schemas", {}).items()))
