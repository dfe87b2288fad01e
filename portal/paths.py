"""Where the project's files live. Everything is relative to the repository root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
CONTENT = ROOT / "content"
GEODATA = ROOT / "geodata"
VAR = ROOT / "var"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
