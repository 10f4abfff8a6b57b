"""Billing tests: make ``billing_helpers`` importable (after tests/, so `conftest` stays the shared one)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))
