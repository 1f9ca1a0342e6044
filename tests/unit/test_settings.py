import pytest

from pmc_common.settings import CommonSettings, ConfigurationError, load, reset


class NeedsTable(CommonSettings):
    some_table_name: str


def test_missing_variables_are_named_at_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CURSOR_SECRET", raising=False)
    reset()
    with pytest.raises(ConfigurationError) as raised:
        load(NeedsTable)
    assert "CURSOR_SECRET" in str(raised.value)
    assert "SOME_TABLE_NAME" in str(raised.value)
    reset()


def test_settings_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_TABLE_NAME", "T1")
    reset()
    first = load(NeedsTable)
    monkeypatch.setenv("SOME_TABLE_NAME", "T2")
    assert load(NeedsTable) is first
    assert first.some_table_name == "T1"
    reset()


def test_a_function_without_the_bucket_still_reads_its_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from grievance.settings import GrievanceTable, PhotosBucket

    monkeypatch.setenv("GRIEVANCES_TABLE_NAME", "GrievancesTable")
    monkeypatch.delenv("PHOTOS_BUCKET_NAME", raising=False)
    reset()
    assert load(GrievanceTable).grievances_table_name == "GrievancesTable"
    with pytest.raises(ConfigurationError) as raised:
        load(PhotosBucket)
    assert (
        str(raised.value)
        == "PhotosBucket: environment variables missing or invalid: PHOTOS_BUCKET_NAME (field required)"
    )
    reset()
