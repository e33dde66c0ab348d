"""Template context every page gets from the web front."""

from __future__ import annotations

from django.conf import settings

from keqi.synth.demo import scale_note


def demo_scale(request) -> dict:
    """``demo_note``: the demo's scale, said on every page (its counts are a share of the real city's);
    empty outside a demo (``KEQI_DEMO_SCALE`` unset)."""
    scale = getattr(settings, "KEQI_DEMO_SCALE", None)
    return {"demo_note": scale_note(scale) if scale else ""}
