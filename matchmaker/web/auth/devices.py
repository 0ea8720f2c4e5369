"""A short name for a browser from its User-Agent header, for the list of signed-in devices."""

from __future__ import annotations

import re

# (mark, name, where its version is). First match wins: Edge and WeChat also say "Chrome",
# Chrome also says "Safari".
BROWSERS = (
    ("MicroMessenger/", "WeChat", r"MicroMessenger/(\d+)"),
    ("Edg/", "Edge", r"Edg/(\d+)"),
    ("Firefox/", "Firefox", r"Firefox/(\d+)"),
    ("Chrome/", "Chrome", r"Chrome/(\d+)"),
    ("Safari/", "Safari", r"Version/(\d+)"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def _browser(agent: str) -> str | None:
    for mark, name, version_pattern in BROWSERS:
        if mark in agent:
            version = re.search(version_pattern, agent)
            return f"{name} {version.group(1)}" if version else name
    return None


def describe(user_agent: str | None) -> str:
    """e.g. "Chrome 126 · Windows"; the start of the raw header when nothing is recognised."""
    agent = user_agent or ""
    system = next((name for mark, name in SYSTEMS if mark in agent), None)
    named = " · ".join(part for part in (_browser(agent), system) if part)
    return named or agent[:60] or "—"
