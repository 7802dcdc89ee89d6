"""The npm clients under ``tests/js`` (``npm ci`` there): run a script of theirs with Node, or
skip the test, saying why, where Node or the installed packages are missing."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).parent / "js"


def node_script(name: str, *arguments: str) -> list[str]:
    """The command line running ``tests/js/<name>``; skips the test when it cannot run."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the npm clients need it)")
    if not (JS / "node_modules").is_dir():
        pytest.skip("the npm clients are not installed: run `npm ci` in tests/js")
    return [node, str(JS / name), *arguments]


async def run_node(name: str, *arguments: str, seconds: float = 120) -> str:
    """Run ``tests/js/<name>`` to completion (off the event loop); its standard output."""
    command = node_script(name, *arguments)
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=seconds, cwd=JS
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
