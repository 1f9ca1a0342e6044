import pytest

from pmc_common.settings import CommonSettings, ConfigurationError, load


class NeedsTable(CommonSettings):
    some_table_name: str


def test_missing_variables_are_named_at_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CURSOR_SECRET", raising=False)
    load.cache_clear()
    with pytest.raises(ConfigurationError) as raised:
        load(NeedsTable)
    assert "CURSOR_SECRET" in str(raised.value)
    assert "SOME_TABLE_NAME" in str(raised.value)
    load.cache_clear()


def test_settings_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_TABLE_NAME", "T1")
    load.cache_clear()
    first = load(NeedsTable)
    monkeypatch.setenv("SOME_TABLE_NAME", "T2")
    assert load(NeedsTable) is first
    assert first.some_table_name == "T1"
    load.cache_clear()
