import re
import subprocess
import sys
from pathlib import Path

import pytest

from portal import paths
from portal.settings import DEV_SECRET, SETTINGS, Settings, SettingsError

TEST_SETTINGS = ["PORTAL_TEST_DATABASE_URL", "PORTAL_TEST_BACKENDS"]


def documented_in_env_example() -> set[str]:
    text = (paths.ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def test_every_setting_is_in_env_example():
    missing = {s.name for s in SETTINGS} - documented_in_env_example()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_lists_nothing_unknown():
    unknown = documented_in_env_example() - {s.name for s in SETTINGS} - set(TEST_SETTINGS)
    assert not unknown, f".env.example lists settings the portal does not read: {sorted(unknown)}"


def test_every_setting_is_in_the_readme():
    readme = (paths.ROOT / "README.md").read_text()
    missing = [name for name in [s.name for s in SETTINGS] + TEST_SETTINGS if f"`{name}`" not in readme]
    assert not missing, f"document in README.md: {missing}"


def test_every_setting_read_in_code_is_declared():
    declared = {s.name for s in SETTINGS}
    for path in Path(paths.ROOT / "portal").rglob("*.py"):
        for name in re.findall(r"config\(\s*['\"]([A-Z][A-Z0-9_]+)['\"]", path.read_text()):
            assert name in declared, f"{path}: {name} is read but not declared in SETTINGS"


def test_defaults():
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{paths.VAR / 'portal.sqlite3'}"
    assert (settings.port, settings.host, settings.map_tiles_url) == (8000, "127.0.0.1", "")


def test_environment_overrides(tmp_path):
    settings = Settings.from_env(
        {
            "PORT": "9001",
            "DATABASE_URL": "postgresql://x@h/db",
            "VAR_DIR": str(tmp_path),
            "MAP_TILES_URL": "https://t.example/{z}/{x}/{y}.png",
        }
    )
    assert settings.port == 9001 and settings.database_url == "postgresql://x@h/db"
    assert settings.var_dir == tmp_path and settings.map_tiles_url.startswith("https://t.example")


def test_sqlite_follows_var_dir(tmp_path):
    assert (
        Settings.from_env({"VAR_DIR": str(tmp_path)}).database_url
        == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORT": "eighty"}, "PORT must be a whole number"),
        ({"ENVIRONMENT": "production"}, "SECRET_KEY must be set in production"),
        ({"ENVIRONMENT": "staging"}, "ENVIRONMENT must be"),
    ],
)
def test_bad_settings_are_refused_clearly(environ, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def test_production_with_a_real_secret():
    assert Settings.from_env({"ENVIRONMENT": "production", "SECRET_KEY": "x" * 40}).secret_key != DEV_SECRET


def test_cli_reports_bad_settings_without_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "portal", "locate", "RM6 4AB"],
        env={"PORT": "eighty", "PATH": ""},
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "Settings error: PORT must be a whole number" in done.stderr
    assert "Traceback" not in done.stderr
