"""Where the shipped files are: the model, the templates and the sample mail.

In a checkout they sit at the repository root (``models/``, ``templates/``,
``samples/``); a wheel installs the same folders under
``<sys.prefix>/share/intake-bot/`` (pyproject ``data-files``).
"""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
INSTALLED = Path(sys.prefix) / "share" / "intake-bot"


def shipped(*parts: str) -> Path:
    """The checkout's copy if it exists (or neither does), else the installed one."""
    checkout = CHECKOUT.joinpath(*parts)
    installed = INSTALLED.joinpath(*parts)
    return checkout if checkout.exists() or not installed.exists() else installed
