"""WSGI entry points for gunicorn: `gunicorn 'jixiao.wsgi:web()'` (and `incidents()`, `reports()`)."""

from __future__ import annotations

from flask import Flask

from jixiao.bootstrap import bootstrap


def incidents() -> Flask:
    return bootstrap().incidents_app()


def reports() -> Flask:
    return bootstrap().reports_app()


def web() -> Flask:
    return bootstrap().web_app()
