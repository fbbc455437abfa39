"""Print the first working interpreter of the versions named (PATH, then pyenv), or nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


def _candidates(version: str) -> Iterator[str]:
    """Where python<version> may be: PATH (a pyenv shim only works if selected), then pyenv."""
    on_path = shutil.which(f"python{version}")
    if on_path:
        yield on_path
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    installed = sorted(
        (root / "versions").glob(f"{version}.*/bin/python{version}"),
        key=lambda p: [int(x) if x.isdigit() else -1 for x in p.parts[-3].split(".")],
        reverse=True,
    )
    yield from map(str, installed)


def _works(path: str, version: str) -> bool:
    """True if the interpreter at ``path`` starts and is of ``version``."""
    try:
        out = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == version


def find_python(*versions: str) -> str | None:
    """The first interpreter found of ``versions`` (in that order), or None."""
    for version in versions:
        for path in _candidates(version):
            if _works(path, version):
                return path
    return None


if __name__ == "__main__":
    found = find_python(*(sys.argv[1:] or ["3.12", "3.13"]))
    if found:
        print(found)
