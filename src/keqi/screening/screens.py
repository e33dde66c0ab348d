"""The four ways to screen, and the one place that decides which a source takes.

1. the registry (``flows.run_screening``): every stored firm, the results kept for the pages;
2. a file in the import format (``files.screen_file``): an officer's workbook, nothing stored; checked
   as an import, converted once to flat rows (``files.flatten``), then judged by path 3's batches;
3. a Parquet file of flat rows on DuckDB (``flatfile.screen_flat_parquet``);
4. flat rows on Spark (``sparkfile.screen_flat_spark``): a file, a folder or a URL of the cluster.

:func:`kind_of` picks the path for a source and an engine, :func:`check_output` refuses an output a
path cannot write (with the Chinese message the CLI shows), so the fronts only translate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from .flatfile import FileError, is_flat

Kind = Literal["spark", "flat", "import"]
ENGINES = ("duckdb", "spark")


def kind_of(source: str, *, engine: str) -> Kind:
    """Which path screens ``source``: ``spark`` (flat rows, a folder or a URL on Spark), ``flat`` (a
    flat Parquet file on DuckDB) or ``import`` (a workbook or file in the import format)."""
    if engine not in ENGINES:
        raise FileError(f"未知的计算引擎：{engine}（可选 duckdb、spark）")
    if engine == "spark":
        from .sparkfile import is_url

        if is_url(source) or Path(source).is_dir() or is_flat(source):
            return "spark"
    if not Path(source).is_file():
        raise FileError(f"文件不存在：{source}")
    return "flat" if engine == "duckdb" and is_flat(source) else "import"


def check_output(kind: Kind, output: str | None) -> None:
    """Refuse an output the path cannot write (before any work)."""
    if output is None or kind == "import":
        return
    if kind == "flat" and Path(output).suffix.lower() != ".parquet":
        raise FileError(f"逐行宽表（Parquet）的筛选结果只能写入 .parquet 文件：{output}")
    if kind == "spark":
        from .sparkfile import is_url

        if Path(output).suffix.lower() not in ("", ".parquet") and not is_url(output):
            raise FileError(f"逐行宽表（Parquet）的筛选结果只能写入 .parquet 文件或文件夹：{output}")
