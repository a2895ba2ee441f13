"""The documented configuration is the real one."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from tests.conftest import REPO
from tracker.config import Secrets, Settings, load_settings
from tracker.errors import ConfigError

EXAMPLE = REPO / "config.example.toml"


def _documented_keys(text: str) -> set[str]:
    """Keys set or shown commented-out in the example, as ``table.key``."""
    keys: set[str] = set()
    table = ""
    for raw in text.splitlines():
        line = raw.lstrip("# ").strip()
        if line.startswith("[") and line.endswith("]") and " " not in line:
            table = line.strip("[]") + "."
        elif (
            "=" in line and not raw.startswith("#   ") and line.split("=")[0].strip().isidentifier()
        ):
            keys.add(table + line.split("=")[0].strip())
    return keys


def _setting_keys() -> set[str]:
    keys: set[str] = set()
    for name, field in Settings.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys |= {f"{name}.{sub}" for sub in ann.model_fields}
        else:
            keys.add(name)
    return keys


def test_example_loads_and_equals_the_defaults() -> None:
    loaded = load_settings(EXAMPLE)
    assert loaded == Settings()


def test_example_documents_every_setting() -> None:
    documented = _documented_keys(EXAMPLE.read_text())
    missing = _setting_keys() - documented
    assert not missing, f"config.example.toml does not document: {sorted(missing)}"


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "pmt.toml"
    cfg.write_text('timezone = "Europe/Paris"\n[github]\nrepo = "a/file"\n[deadlines]\nP1 = 10\n')
    monkeypatch.setenv("PMT_GITHUB_REPO", "b/env")
    monkeypatch.setenv("PMT_GITHUB_API_URL", "https://ghe.example.com/api/v3")
    monkeypatch.setenv("PMT_DEADLINES_P1", "3")
    s = load_settings(cfg)
    assert s.timezone == "Europe/Paris"
    assert s.github.repo == "b/env"
    assert s.github.api_url == "https://ghe.example.com/api/v3"
    assert s.deadlines.P1 == 3


def test_pmt_toml_in_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pmt.toml").write_text('[parsing]\ndate_order = "dmy"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings().parsing.date_order == "dmy"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[github]\ntoken = "ghp_x"\n', "must not be in a file"),
        ('[githib]\nrepo = "a/b"\n', "unknown setting 'githib'"),
        ('[github]\nrepository = "a/b"\n', "unknown setting github.repository"),
        ('timezone = "Mars/Olympus"\n', "unknown time zone"),
        ("timezone = \n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "pmt.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert message in str(err.value)
    assert str(cfg) in str(err.value)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_tokens_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Secrets().github() is None
    monkeypatch.setenv("GITHUB_TOKEN", "fallback")
    assert Secrets().github() == "fallback"
    monkeypatch.setenv("PMT_GITHUB_TOKEN", "primary")
    assert Secrets().github() == "primary"
    # Secrets in the environment do not disturb the nested settings.
    monkeypatch.setenv("PMT_JIRA_TOKEN", "t")
    monkeypatch.setenv("PMT_JIRA_EMAIL", "e@example.com")
    assert load_settings().jira.project is None


def test_example_parses_as_toml() -> None:
    tomllib.loads(EXAMPLE.read_text())


def test_a_bad_environment_value_names_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError) as err:
        load_settings()
    # The variable itself is named (it wins over a file, so it is where the value came from).
    assert str(err.value).startswith("PMT_TIMEZONE: timezone")
