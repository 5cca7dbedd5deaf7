"""Choosing and fetching the Whisper model: faster-whisper's real download (huggingface_hub underneath) against
a loopback Hub double, the catalogue, the setting and its variable, the CLI option and the Settings view."""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.cli import main
from desktop_app.cli.arguments import parse, source_spec
from desktop_app.composition import AppServices
from desktop_app.core.context import CancelToken, JobCancelled, JobError, StopReason
from desktop_app.core.settings import WHISPER_MODEL_ENV, Settings
from desktop_app.core.whisper_catalogue import CATALOGUE, CHOICES, describe, is_downloaded, models_dir, status_text
from desktop_app.engines.whisper_models import ensure_model, progress_text
from desktop_app.ui.settings_view import LOCAL_FOLDER_ITEM, SettingsView
from tests.hf_double import HubDouble, faster_whisper_repo, hub_double
from tests.user_messages import RAW

REPO_ID = "Systran/faster-whisper-small"
MODEL_BYTES = 12 * 1024 * 1024  # over huggingface_hub's 10 MB write chunk, so a partial file shows mid-download
OFFLINE = (
    "Cannot download the Whisper model 'small': no internet connection. "
    "Choose the bundled tiny.en or connect and try again."
)


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no token or cache of the machine's own
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return models_dir(tmp_path / "data")


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubDouble]:
    with hub_double(HubDouble({REPO_ID: faster_whisper_repo(MODEL_BYTES)})) as double:
        monkeypatch.setenv("HF_ENDPOINT", double.url)
        yield double


def downloads(double: HubDouble) -> list[str]:
    return [path.rsplit("/", 1)[-1] for method, path in double.requests if method == "GET" and "/resolve/" in path]


def test_catalogue_is_the_models_faster_whisper_knows() -> None:
    from faster_whisper.utils import _MODELS, available_models

    assert set(CATALOGUE) == set(available_models())
    for entry in CATALOGUE.values():  # an alias is downloaded under the model it stands for
        assert entry.same_as is None or _MODELS[entry.same_as] == _MODELS[entry.name]
    assert describe("base") == "base: multilingual, about 145 MB download, about 0.4 GB of memory"
    assert describe("medium.en").startswith("medium.en: English only, about 1.5 GB download")


def test_download_lands_in_the_data_folder_with_byte_progress_then_needs_no_network(
    hub: HubDouble, models: Path
) -> None:
    hub.slow = {"model.bin": (MODEL_BYTES - 1024 * 1024, 2 * 1024 * 1024)}  # the last MB takes half a second
    seen: list[tuple[int, int]] = []
    assert not is_downloaded("small", models)

    path = ensure_model("small", models, CancelToken(), lambda done, total: seen.append((done, total)))

    served = hub.repos[REPO_ID]
    assert path == models / "small" and is_downloaded("small", models)
    assert (path / "model.bin").read_bytes() == served["model.bin"]
    assert sorted(p.name for p in path.iterdir() if p.is_file()) == sorted(
        n for n in served if n not in ("README.md", ".gitattributes")
    )
    total = sum(len(data) for name, data in served.items() if name not in ("README.md", ".gitattributes"))
    assert {t for _, t in seen} == {total}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (total, total)
    assert any(0 < done < total for done, _ in seen)  # bytes, not just whole files
    assert "downloaded" in status_text("small", models)
    assert progress_text("small", 120_000_000, 484_000_000) == "Downloading the Whisper model 'small': 120 of 484 MB"

    hub.requests.clear()
    started = time.monotonic()
    assert ensure_model("small", models, CancelToken(), lambda d, t: seen.append((-1, -1))) == path
    assert hub.requests == [] and seen[-1] != (-1, -1)
    assert time.monotonic() - started < 0.2


def test_cancel_mid_file_returns_within_a_second_and_leaves_no_half_model(hub: HubDouble, models: Path) -> None:
    hub.slow = {"model.bin": (0, 256 * 1024)}  # 48 s for the whole file
    token = CancelToken()
    stopped_at: list[float] = []

    def cancel_when_streaming() -> None:
        assert hub.body_started.setdefault("model.bin", threading.Event()).wait(20)
        time.sleep(0.5)  # the small files finish meanwhile
        stopped_at.append(time.monotonic())
        token.stop(StopReason.CANCEL)

    threading.Thread(target=cancel_when_streaming, daemon=True).start()
    with pytest.raises(JobCancelled):
        ensure_model("small", models, token)
    assert time.monotonic() - stopped_at[0] < 1.0
    assert not is_downloaded("small", models) and not (models / "small").exists()
    assert list(models.rglob("*.incomplete")) == []
    assert not [p for p in multiprocessing.active_children() if p.name == "whisper-model-download"]
    assert (models / ".partial" / "small" / "config.json").is_file()  # finished files are kept

    hub.slow, hub.requests[:] = {}, []
    path = ensure_model("small", models, CancelToken())  # the next attempt resumes: only what was missing
    assert is_downloaded("small", models) and (path / "model.bin").stat().st_size == MODEL_BYTES
    assert downloads(hub) == ["model.bin"]


def test_offline_is_one_plain_sentence(models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HF_ENDPOINT", closed)
    with pytest.raises(JobError) as failure:
        ensure_model("small", models, CancelToken())
    assert failure.value.message == OFFLINE and failure.value.settings_field == "whisper_model"
    assert not is_downloaded("small", models)


def test_bundled_and_local_folders_need_no_download(models: Path, tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"weights")
    token = CancelToken()
    assert (ensure_model("tiny.en", models, token) / "model.bin").is_file()
    assert ensure_model(str(folder), models, token) == folder.resolve()
    assert is_downloaded(str(folder), models) and not models.exists()
    with pytest.raises(JobError) as failure:
        ensure_model(str(tmp_path / "gone"), models, token)
    assert "there is no such folder" in failure.value.message and not RAW.search(failure.value.message)


def test_cli_refuses_an_unknown_model_in_words(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["run", "--whisper-model", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ad-analysis: error: --whisper-model nonsense: not a Whisper model: choose tiny.en")
    assert err.count("\n") == 1 and not RAW.search(err)

    monkeypatch.setenv(WHISPER_MODEL_ENV, "nonsense")
    assert main(["run"]) == 2
    assert capsys.readouterr().err.startswith(f"ad-analysis: error: {WHISPER_MODEL_ENV} nonsense: not a Whisper")

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"weights")
    assert source_spec(parse(["run", "--whisper-model", "base"])).params == {"whisper_model": "base"}
    assert source_spec(parse(["run", "--whisper-model", str(folder)])).params["whisper_model"] == str(folder)


def test_the_variable_overrides_the_setting_without_replacing_it(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = home / "settings.json"
    home.mkdir(parents=True)
    Settings(whisper_model="base").save(path)
    monkeypatch.setenv(WHISPER_MODEL_ENV, "small")
    settings = Settings.load(path)
    assert settings.whisper_model == "small" and settings.whisper_model_problem() is None
    settings.save(path)  # the variable's choice is not written over the user's
    monkeypatch.setenv(WHISPER_MODEL_ENV, "nonsense")
    problem = Settings.load(path).whisper_model_problem()
    assert problem is not None and problem.startswith(f"{WHISPER_MODEL_ENV} 'nonsense': not a Whisper model")
    monkeypatch.delenv(WHISPER_MODEL_ENV)
    assert Settings.load(path).whisper_model == "base"


def test_settings_view_offers_the_catalogue_and_a_folder(
    qtbot: QtBot, services: AppServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = SettingsView(services)
    qtbot.addWidget(view)
    combo = view.whisper_model
    assert [combo.itemData(i) for i in range(combo.count())] == [*CHOICES, None]
    assert combo.itemText(combo.count() - 1) == LOCAL_FOLDER_ITEM
    assert view.whisper_status.text().startswith("tiny.en: English only, bundled")

    combo.activated.emit(combo.findData("base"))
    assert view.whisper_status.text().endswith("not downloaded yet: it downloads once, before the first transcription")
    model = models_dir(services.paths.home) / "base"
    model.mkdir(parents=True)
    (model / "model.bin").write_bytes(b"weights")
    combo.activated.emit(combo.findData("base"))
    assert view.whisper_status.text().endswith("; downloaded")

    folder = tmp_path / "ct2-model"
    folder.mkdir()
    view.use_folder(str(folder))  # no model.bin: shown, and not saved
    assert "has no model.bin" in view.whisper_status.text()
    view.save()
    assert Settings.load(services.paths.settings_file).whisper_model == "tiny.en"
    (folder / "model.bin").write_bytes(b"weights")
    view.save()
    assert Settings.load(services.paths.settings_file).whisper_model == str(folder)

    monkeypatch.setenv(WHISPER_MODEL_ENV, "small")
    services.settings = Settings.load(services.paths.settings_file)
    locked = SettingsView(services)
    qtbot.addWidget(locked)
    assert not locked.whisper_model.isEnabled()
    assert locked.whisper_status.text().startswith(f"Set by {WHISPER_MODEL_ENV}")


def test_a_job_with_its_own_model_downloads_it_first_with_progress(
    hub: HubDouble, services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run --whisper-model small`: the transcribe stage fetches the model into the data folder before the first
    transcription, saying so on the job's line; this double's model is filler, so loading it then fails the job
    in words, pointing at the setting."""
    from desktop_app.core.types import JobStatus, SourceSpec
    from tests.conftest import wait_final

    seen: list[str] = []
    services.listeners.add(lambda update: seen.append(getattr(getattr(update, "job", None), "message", "")))
    runner = services.make_runner()
    runner.start()
    job = services.service.start_analysis(SourceSpec("sample", {"whisper_model": "small"})).job_id
    ended = wait_final(services, job, timeout=120)
    runner.shutdown()
    assert is_downloaded("small", services.models), "downloaded into the data folder's models/"
    assert any(m.startswith("Downloading the Whisper model 'small'") for m in seen), seen[-5:]
    assert ended.status == JobStatus.FAILED and ended.error is not None and not RAW.search(ended.error), ended.error
    assert (ended.result or {}).get("error", {}).get("settings_field") == "whisper_model"
