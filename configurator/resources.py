"""Find the data in ``templates/`` from a checkout, an editable install or an installed wheel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("configurator's templates/ folder is missing from this installation; reinstall it")


def template_path(*parts: str) -> Path:
    return templates_dir().joinpath(*parts)
