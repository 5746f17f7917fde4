"""Figures with Chinese labels: functions take analysis DataFrames and an optional ``ax``."""

from govdisclosure.plot._font import cjk_context, cjk_family, use_cjk_font

__all__ = ["cjk_context", "cjk_family", "use_cjk_font"]
