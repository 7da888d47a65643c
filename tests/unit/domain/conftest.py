"""Fixtures for the accounting domain: one SKR03 client."""

from __future__ import annotations

import pytest

from domain.chart import Chart
from domain.mapping import ClientMapping
from tests.unit.domain.factories import make_chart, make_mapping


@pytest.fixture
def mapping() -> ClientMapping:
    return make_mapping()


@pytest.fixture
def chart(mapping: ClientMapping) -> Chart:
    return make_chart(mapping)
