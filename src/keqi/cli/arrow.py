"""Arrow in a short command, without pandas.

pyarrow imports pandas, when it is installed, the first time it converts Python values (it looks for
pandas' missing-value types): ~0.2 s, a good part of a one-firm ``keqi evaluate``, for objects no such
verb ever hands it. ``without_pandas`` makes pandas unimportable in this process; a verb that calls it
must not need pandas (pyarrow works without it)."""

from __future__ import annotations

import sys


class _NoPandas:
    """A finder that refuses pandas."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} is not used by this command", name=name)
        return None


def without_pandas() -> None:
    if "pandas" not in sys.modules and _NoPandas not in sys.meta_path:
        sys.meta_path.insert(0, _NoPandas)
