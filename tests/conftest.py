"""Shared fixtures: the demo schools on loopback, and crawls of them run as users run them."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from demo.server import DemoServer
from tests.helpers import run_cli


@pytest.fixture(scope="session")
def demo():
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="session")
def demo_config(demo, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "sites.toml"
    path.write_text(demo.config_toml(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def crawled(demo, demo_config, tmp_path_factory):
    """One full crawl of the demo into a fresh database: (process result, database)."""
    db_path = tmp_path_factory.mktemp("db") / "reports.db"
    result = run_cli("--once", "--config", str(demo_config), "--db", str(db_path))
    assert result.returncode == 0, result.stderr[-3000:]
    return result, sqlite_utils.Database(db_path)
