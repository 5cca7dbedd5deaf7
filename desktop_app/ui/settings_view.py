"""Settings: Meta and LLM credentials (OS keyring), Graph version and default countries, the LLM
endpoint with an async Test connection, the Whisper model, parallel jobs, the data folder, About."""

from __future__ import annotations

import asyncio
import importlib.metadata
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.composition import AppServices
from desktop_app.core.scrub import endpoint_without_credentials, scrub
from desktop_app.core.secrets import get_secret, set_secret
from desktop_app.core.settings import WHISPER_MODEL_ENV, Settings, whisper_model_override
from desktop_app.core.whisper_catalogue import (
    BUNDLED_MODEL,
    CHOICES,
    is_local_folder,
    model_problem,
    models_dir,
    status_text,
)

LOCAL_FOLDER_ITEM = "Local folder..."


async def check_llm(base_url: str, api_key: str, model: str) -> str:
    """Ask the server for its models: a cheap call that proves the URL and the key."""
    import httpx

    url = (base_url or "https://api.openai.com/v1").rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url, headers=headers)
    if response.status_code in (401, 403):
        return f"The server rejected the API key (HTTP {response.status_code})."
    if response.status_code >= 400:
        return f"The server answered HTTP {response.status_code} at {endpoint_without_credentials(url)}."
    names = [m.get("id") for m in (response.json().get("data") or []) if isinstance(m, dict)]
    if names and model not in names:
        return f"Connected, but the server has no model {model!r} (it has {', '.join(map(str, names[:5]))})."
    return "Connected: the server answered and knows the model."


def connection_problem(exc: Exception, base_url: str) -> str:
    """Why a connection test failed, in words (the raw error is kept for the tooltip)."""
    import httpx

    where = endpoint_without_credentials(base_url) if base_url else "api.openai.com"
    if isinstance(exc, httpx.TimeoutException):
        return f"No answer from {where} within 10 s: the server may be busy or unreachable."
    if isinstance(exc, httpx.ConnectError):
        return f"Cannot connect to {where}: check the address, your internet connection, and that the server runs."
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError)):
        return "The server address is not valid: it should look like http://localhost:11434/v1."
    return f"The connection to {where} failed. Check the address and try again."


class SettingsView(QWidget):
    saved = Signal()

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        inner = QWidget()
        layout = QVBoxLayout(inner)
        for box in (self._build_meta(services.settings), self._build_llm(services.settings), self._build_other()):
            layout.addWidget(box)
        layout.addLayout(self._build_buttons())
        layout.addStretch(1)
        scroll = QScrollArea()  # on a small screen, or at a large scale factor, the form scrolls
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.fields: dict[str, QWidget] = {
            "meta_token": self.meta_token,
            "llm_api_key": self.llm_api_key,
            "llm_model": self.llm_model,
            "whisper_model": self.whisper_model,
            "parallel_jobs": self.parallel,
            "transcribe_url": self.transcribe_url,
            "transcribe_api_key": self.transcribe_key,
            "transcribe_model": self.transcribe_model,
        }
        self._test: asyncio.Task[Any] | None = None
        self._secrets_shown = False

    # ---- building -----------------------------------------------------------------------------

    def _build_meta(self, s: Settings) -> QGroupBox:
        self.meta_token = QLineEdit()
        self.meta_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.meta_token.setAccessibleName("Meta access token")
        self.graph_version = QLineEdit(s.graph_version)
        self.countries = QLineEdit(", ".join(s.default_countries))
        meta = QGroupBox("Meta Ad Library")
        meta_form = QFormLayout(meta)
        meta_form.addRow("Access token", self.meta_token)
        meta_form.addRow("Graph API version", self.graph_version)
        meta_form.addRow("Default countries", self.countries)
        return meta

    def _build_llm(self, s: Settings) -> QGroupBox:
        self.llm_base_url = QLineEdit(
            s.llm_base_url, placeholderText="empty: OpenAI; or e.g. http://localhost:11434/v1"
        )
        self.llm_model = QLineEdit(s.llm_model)
        self.llm_api_key = QLineEdit()
        self.llm_api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.llm_api_key.setAccessibleName("LLM API key")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        llm = QGroupBox("AI analysis (any OpenAI-compatible server)")
        llm_form = QFormLayout(llm)
        llm_form.addRow("Base URL", self.llm_base_url)
        llm_form.addRow("Model", self.llm_model)
        llm_form.addRow("API key", self.llm_api_key)
        self.llm_vision = QCheckBox("Send a few keyframes as images (the model must accept images)")
        self.llm_vision.setChecked(s.llm_vision)
        llm_form.addRow("Pictures", self.llm_vision)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        llm_form.addRow("", test_row)
        return llm

    def _build_other(self) -> QGroupBox:
        s, home = self.services.settings, self.services.paths.home
        self.parallel = QSpinBox(minimum=1, maximum=8, value=s.parallel_jobs)
        other = QGroupBox("Transcription and jobs")
        other_form = QFormLayout(other)
        other_form.addRow("Whisper model", self._build_whisper(s))
        self.look_at_videos = QCheckBox("Look at the videos too: keyframes, pacing and on-screen text")
        self.look_at_videos.setChecked(s.look_at_videos)
        self.look_at_videos.setToolTip(
            "Offers and calls to action are often only on screen; off, videos are only heard"
        )
        other_form.addRow("Frames", self.look_at_videos)
        self.transcriber_pool = QSpinBox(minimum=0, maximum=16, value=s.transcriber_pool)
        self.transcriber_pool.setSpecialValueText("Auto (the cores and memory this computer has)")
        self.transcriber_pool.setToolTip("How many videos are transcribed at once on this computer, one core each")
        other_form.addRow("Transcribers at once", self.transcriber_pool)
        self._build_remote(s, other_form)
        other_form.addRow("Jobs at once", self.parallel)
        folder = QPushButton(str(home))
        folder.setToolTip("Open the data folder")
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(home))))
        other_form.addRow("Data folder", folder)
        return other

    def _build_remote(self, s: Settings, form: QFormLayout) -> None:
        """A transcription server instead of the local model: the way to scale past this machine."""
        self.transcribe_url = QLineEdit(
            s.transcribe_url, placeholderText="optional: a transcription server, e.g. http://gpu-box:8000/v1"
        )
        self.transcribe_url.setAccessibleName("Transcription server address")
        self.transcribe_key = QLineEdit()
        self.transcribe_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.transcribe_key.setAccessibleName("Transcription server API key")
        self.transcribe_model = QLineEdit(s.transcribe_model)
        self.transcribe_uploads = QSpinBox(minimum=1, maximum=32, value=s.transcribe_uploads)
        self.transcribe_uploads.setToolTip("How many files are uploaded at once (a server farm takes several)")
        form.addRow("Transcription server", self.transcribe_url)
        form.addRow("Server API key", self.transcribe_key)
        form.addRow("Server model", self.transcribe_model)
        form.addRow("Uploads at once", self.transcribe_uploads)

    def _build_whisper(self, s: Settings) -> QWidget:
        """The catalogue, any folder chosen before, and Local folder...; one line under it says what the chosen
        model is and whether it is downloaded. AD_ANALYSIS_WHISPER_MODEL, when set, decides instead."""
        self.models = models_dir(self.services.paths.home)
        self.whisper_model = QComboBox()
        self.whisper_model.setAccessibleName("Whisper model")
        for name in CHOICES:
            self.whisper_model.addItem(f"{name} (bundled)" if name == BUNDLED_MODEL else name, name)
        self.whisper_model.addItem(LOCAL_FOLDER_ITEM, None)
        self.whisper_model.setToolTip(
            f"{BUNDLED_MODEL} is bundled and works offline; the others download once, before the first transcription"
        )
        self.whisper_status = QLabel()
        self.whisper_status.setObjectName("Muted")
        self.whisper_status.setWordWrap(True)
        self._select_model(s.whisper_model)
        self.whisper_model.activated.connect(self._model_activated)
        if whisper_model_override() is not None:
            self.whisper_model.setEnabled(False)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.whisper_model)
        column.addWidget(self.whisper_status)
        return box

    def _select_model(self, name: str) -> None:
        """Show `name` as the choice; a folder (or an alias typed elsewhere) gets an item of its own."""
        index = self.whisper_model.findData(name)
        if index < 0:
            index = self.whisper_model.count() - 1  # before Local folder...
            self.whisper_model.insertItem(index, name, name)
        self.whisper_model.setCurrentIndex(index)
        self.chosen_model = name
        self._show_model_status()

    def _model_activated(self, index: int) -> None:
        name = self.whisper_model.itemData(index)
        if name is not None:
            self._select_model(name)
            return
        start = self.chosen_model if is_local_folder(self.chosen_model) else str(self.services.paths.home)
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder with a CTranslate2 Whisper model", start)
        self._select_model(folder or self.chosen_model)

    def use_folder(self, folder: str) -> None:
        """Choose a local model folder, as Local folder... does with the folder picked in its dialog."""
        self._select_model(folder)

    def _show_model_status(self) -> None:
        text = status_text(self.chosen_model, self.models)
        if whisper_model_override() == self.chosen_model:
            text = f"Set by {WHISPER_MODEL_ENV} (unset it to choose here). {text}"
        self.whisper_status.setText(text)

    def _build_buttons(self) -> QHBoxLayout:
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("Muted")
        self.keyring_note.setWordWrap(True)
        save = QPushButton("Save")
        save.setDefault(True)
        save.clicked.connect(self.save)
        about = QPushButton("About")
        about.clicked.connect(self.about)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keyring_note, 1)
        buttons.addWidget(about)
        buttons.addWidget(save)
        return buttons

    def showEvent(self, event: QShowEvent) -> None:
        """The secrets are read when the view is first shown: asking the OS keyring takes a while."""
        if not self._secrets_shown:
            self.meta_token.setText(get_secret("meta_token") or "")
            self.llm_api_key.setText(get_secret("llm_api_key") or "")
            self.transcribe_key.setText(get_secret("transcribe_api_key") or "")
            self._secrets_shown = True
        self._show_model_status()  # a job may have downloaded the model meanwhile
        super().showEvent(event)

    def focus_field(self, name: str) -> None:
        """Put the cursor in the field an error points at (an invalid token, say)."""
        widget = self.fields.get(name)
        if widget is not None:
            widget.setFocus()
            if isinstance(widget, QLineEdit):
                widget.selectAll()
            widget.setStyleSheet("border: 2px solid #c62828;")

    def save(self) -> None:
        s = self.services.settings
        problem = model_problem(self.chosen_model) if self.whisper_model.isEnabled() else None
        if problem is not None:  # a folder that went away or lost its model.bin since it was chosen
            self.whisper_status.setText(f"Not saved: {self.chosen_model}: {problem}.")
            self.focus_field("whisper_model")
            return
        s.graph_version = self.graph_version.text().strip() or "v25.0"
        s.default_countries = [c.strip().upper() for c in self.countries.text().split(",") if c.strip()]
        s.llm_base_url = self.llm_base_url.text().strip()
        s.llm_model = self.llm_model.text().strip() or "gpt-4o-mini"
        s.whisper_model = self.chosen_model
        s.parallel_jobs = self.parallel.value()
        s.transcribe_url = self.transcribe_url.text().strip()
        s.transcribe_model = self.transcribe_model.text().strip() or "whisper-1"
        s.transcribe_uploads = self.transcribe_uploads.value()
        s.look_at_videos = self.look_at_videos.isChecked()
        s.transcriber_pool = self.transcriber_pool.value()
        s.llm_vision = self.llm_vision.isChecked()
        s.save(self.services.paths.settings_file)
        stored = (
            [
                set_secret("meta_token", self.meta_token.text().strip()),
                set_secret("llm_api_key", self.llm_api_key.text().strip()),
                set_secret("transcribe_api_key", self.transcribe_key.text().strip()),
            ]
            if self._secrets_shown
            else [True]  # the fields never showed the secrets: leave them as they are
        )
        for widget in self.fields.values():
            widget.setStyleSheet("")
        self.keyring_note.setText(
            "Saved. Secrets are in the OS keyring."
            if all(stored)
            else "Saved. No OS keyring was found: the token and key are kept for this session only."
        )
        self.saved.emit()

    def test_connection(self) -> None:
        """Runs on the qasync loop: the window stays responsive while the server answers."""
        self.test_result.setText("Connecting...")
        self.test_button.setEnabled(False)
        self._test = asyncio.ensure_future(self._run_test())

    async def _run_test(self) -> None:
        base_url, key = self.llm_base_url.text().strip(), self.llm_api_key.text().strip()
        detail = ""
        if not base_url and not key:  # OpenAI itself needs a key: say so without a network call
            message = "Enter an API key to use OpenAI, or the address of your own server (a key may then be optional)."
        else:
            try:
                message = await check_llm(base_url, key, self.llm_model.text().strip())
            except Exception as exc:
                message, detail = connection_problem(exc, base_url), scrub(f"{type(exc).__name__}: {exc}")
        self.test_result.setText(message)
        self.test_result.setToolTip(f"Details: {detail}" if detail else "")
        self.test_button.setEnabled(True)

    def about(self) -> None:
        versions = []
        for package in ("yt-dlp", "faster-whisper", "PySide6-Essentials", "openai"):
            try:
                versions.append(f"{package} {importlib.metadata.version(package)}")
            except importlib.metadata.PackageNotFoundError:
                versions.append(f"{package} (not installed)")
        QMessageBox.about(
            self,
            "About Ad Analysis Desktop",
            f"<h3>Ad Analysis Desktop {__version__}</h3><p>Analyses Meta video ads in background jobs.</p>"
            f"<p>{'<br>'.join(versions)}</p>",
        )
