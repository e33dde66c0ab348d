"""The test harness itself: runtimes that tests need are never missed silently in CI."""

import pytest


def test_a_missing_runtime_fails_in_ci_and_skips_elsewhere(monkeypatch):
    import conftest

    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        conftest.skip_or_fail("Spark needs a Java runtime (17)")
    monkeypatch.setattr(conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="Java"):
        conftest.skip_or_fail("Spark needs a Java runtime (17)")
