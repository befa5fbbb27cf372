"""Configuration: production refuses to start without its required settings; tests never touch DATABASE_URL."""

import pytest

from app import create_app
from config import DevelopmentConfig, ProductionConfig, TestingConfig, config_from_environment

PRODUCTION_ENV = {"SECRET_KEY": "a-long-production-secret", "DATABASE_URL": "postgresql://app@db/app",
                  "BASE_URL": "https://hr.clinic.example", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}


@pytest.mark.parametrize("missing", list(PRODUCTION_ENV))
def test_production_refuses_to_start_without_its_required_settings(monkeypatch, missing):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app(ProductionConfig)


def test_production_starts_with_its_settings_and_uses_psycopg(monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
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
