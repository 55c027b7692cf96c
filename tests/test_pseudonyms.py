"""The pseudonym key (issue 18): the public development key and short keys are refused,
the key in use is fingerprinted in audit, a change of key is named, and pseudonyms made
with a secret key are not reversed by hashing every id of the export's pattern."""

from __future__ import annotations

import pytest

from assets.defs.core.checks import one_pseudonym_key
from observatory.ingest.discover import files_for
from observatory.ingest.stage import stage_file
from observatory.privacy import (
    ALLOW_VARIABLE,
    DEVELOPMENT_KEY,
    KEY_VARIABLE,
    KeyRefused,
    key_fingerprint,
    pseudonym_key,
    pseudonymise,
)
from tests.conftest import SAMPLE, make_resource
from tests.test_refresh import _cli as cli

SECRET = "5f0c1a7e9b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"


def test_refresh_refuses_the_public_development_key_in_one_line(tmp_path):
    env = {
        "OBSERVATORY_RAW_DIR": str(SAMPLE),
        "OBSERVATORY_WAREHOUSE_DIR": str(tmp_path / "w"),
        "OBSERVATORY_REPORTS_DIR": str(tmp_path / "r"),
        "DAGSTER_HOME": str(tmp_path / "d"),
        KEY_VARIABLE: "",
        ALLOW_VARIABLE: "",
    }
    done = cli("refresh", "--wave", "2025", "--country", "FR", env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and f"{KEY_VARIABLE} is not set" in done.stderr
    assert not (tmp_path / "w").exists()  # nothing staged, nothing published


@pytest.mark.parametrize("key", ["short-secret", ""])
def test_short_keys_and_no_key_are_refused(monkeypatch, key):
    monkeypatch.setenv(KEY_VARIABLE, key)
    monkeypatch.delenv(ALLOW_VARIABLE, raising=False)
    with pytest.raises(KeyRefused, match="fewer than 32" if key else "is not set"):
        pseudonym_key()


def _staged_keys(monkeypatch, secret: str) -> set[str]:
    monkeypatch.setenv(KEY_VARIABLE, secret)
    (survey,) = files_for(SAMPLE, 2025, "FR")
    return set(stage_file(survey, None).respondents["respondent_key"])


def test_enumerating_ids_reverses_the_development_key_but_not_a_secret_one(monkeypatch):
    guesses = {
        pseudonymise("FR", f"FR-2025-{i:05d}", DEVELOPMENT_KEY.encode()) for i in range(1, 10_000)
    }  # every id of the export's pattern, up to 9,999
    public = _staged_keys(monkeypatch, "")  # allowed for the sample by conftest
    assert len(public) > 500 and public <= guesses  # the attack works on the public key
    secret = _staged_keys(monkeypatch, SECRET)
    assert len(secret) == len(public) and not secret & guesses


def test_the_key_in_use_is_fingerprinted_in_audit(published):
    fingerprints = published.execute(
        "SELECT DISTINCT key_fingerprint FROM audit.row_accounting"
    ).fetchall()
    assert fingerprints == [(key_fingerprint(DEVELOPMENT_KEY.encode()),)]
    assert key_fingerprint(SECRET.encode()) != fingerprints[0][0]


def test_a_change_of_key_is_a_warning_naming_the_partitions_to_reingest(tmp_path):
    resource = make_resource(tmp_path, tmp_path / "raw")
    with resource.connect() as con:
        con.execute("""INSERT INTO audit.row_accounting
            (wave, country, file, rows_read, rows_loaded, rows_quarantined, key_fingerprint)
            VALUES (2025, 'FR', 'a', 1, 1, 0, 'aaaa'), (2025, 'IT', 'b', 1, 1, 0, 'aaaa'),
                   (2026, 'FR', 'c', 1, 1, 0, 'bbbb')""")
        result = one_pseudonym_key(con)
    assert not result.passed and result.severity.value == "WARN"
    assert "2026 FR (key bbbb)" in result.description and "2025" not in result.description
