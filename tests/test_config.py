"""Configuration: production refuses to start without its secrets; tests never touch DATABASE_URL."""

import pytest

from app import create_app
from config import DevelopmentConfig, ProductionConfig, TestingConfig, config_from_environment


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without_secret_or_database(monkeypatch, missing):
    monkeypatch.setenv("SECRET_KEY", "a-long-production-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db/app")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app(ProductionConfig)


def test_production_starts_with_both_and_uses_psycopg(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-production-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db/app")
    app = create_app(ProductionConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db/app"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_app_env_defaults_to_production_so_servers_are_safe(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    assert config_from_environment() is ProductionConfig
    monkeypatch.setenv("APP_ENV", "development")
    assert config_from_environment() is DevelopmentConfig
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(RuntimeError, match="APP_ENV"):
        config_from_environment()


def test_database_url_is_used_in_development(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    assert DevelopmentConfig().SQLALCHEMY_DATABASE_URI == "sqlite:////tmp/elsewhere.db"


def test_testing_ignores_database_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://real@prod/app")
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    assert TestingConfig().SQLALCHEMY_DATABASE_URI == "sqlite://"
