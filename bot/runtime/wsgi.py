"""The WSGI app for gunicorn (the Procfile's `web`), its settings from the environment."""

from __future__ import annotations

from bot.runtime.process import Runtime
from bot.runtime.settings import load_settings
from bot.runtime.web import WebApp


def wsgi_from_env() -> WebApp:
    """Built in the gunicorn worker; alerts stored while no process was up are posted first."""
    runtime = Runtime.build(load_settings())
    runtime.background.submit(runtime.ingest.deliver)
    return runtime.web
