"""Rows under the datasets' Arrow schemas: random (seeded) for big tables, and hypothesis
strategies for property tests."""

from __future__ import annotations

import random
import string
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
from hypothesis import strategies as st

EPOCH = datetime(2026, 11, 19, tzinfo=UTC)


_POOL = "".join(random.Random(7).choices(string.ascii_letters + " ", k=1 << 20))


def random_value(t: pa.DataType, rng: random.Random, text_len: int) -> Any:
    if pa.types.is_string(t):  # a random window of a fixed random pool: fast, incompressible
        start = rng.randrange(len(_POOL) - text_len)
        return _POOL[start : start + rng.randint(1, text_len)]
    if pa.types.is_list(t):
        return [random_value(t.value_type, rng, 12) for _ in range(rng.randint(0, 3))]
    if pa.types.is_timestamp(t):
        return EPOCH + timedelta(microseconds=rng.randint(0, 86_400_000_000 - 1))
    if pa.types.is_date(t):
        return date(2026, 11, 19) - timedelta(days=rng.randint(0, 400))
    if pa.types.is_boolean(t):
        return rng.random() < 0.5
    if pa.types.is_integer(t):
        return rng.randint(0, 2**31 - 1)
    if pa.types.is_floating(t):
        return rng.random()
    if pa.types.is_binary(t):
        return rng.randbytes(16)
    raise TypeError(t)


def random_table(schema: pa.Schema, n: int, seed: int = 0, text_len: int = 4000) -> pa.Table:
    rng = random.Random(seed)
    columns = {f.name: [random_value(f.type, rng, text_len) for _ in range(n)] for f in schema}
    return pa.Table.from_pydict(columns, schema=schema)


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_MICROS = st.integers(0, 2**62 // 1000)  # any instant pyarrow and Parquet keep in microseconds


def strategy_for(t: pa.DataType) -> st.SearchStrategy[Any]:
    if pa.types.is_string(t):
        return _TEXT
    if pa.types.is_list(t):
        return st.lists(strategy_for(t.value_type), max_size=4)
    if pa.types.is_timestamp(t):
        return st.integers(-(2**50), 2**50).map(
            lambda us: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
        )
    if pa.types.is_date(t):
        return st.dates()
    if pa.types.is_boolean(t):
        return st.booleans()
    if pa.types.is_int32(t):
        return st.integers(-(2**31), 2**31 - 1)
    if pa.types.is_int64(t):
        return st.integers(-(2**63), 2**63 - 1)
    if pa.types.is_float32(t):
        return st.floats(width=32, allow_nan=False)
    if pa.types.is_floating(t):
        return st.floats(allow_nan=False)
    if pa.types.is_binary(t):
        return st.binary(max_size=64)
    raise TypeError(t)


def row_strategy(schema: pa.Schema) -> st.SearchStrategy[dict[str, Any]]:
    fields = {}
    for f in schema:
        s = strategy_for(f.type)
        fields[f.name] = s if not f.nullable else st.none() | s
    return st.fixed_dictionaries(fields)
