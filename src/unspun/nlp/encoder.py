"""What the narrative detector and the paragraph heads need of a sentence encoder: the packaged MiniLM
(nlp/minilm.py) and the multilingual encoder (nlp/multilingual.py) both are one, and tests pass stand-ins."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float32]


class Encoder(Protocol):
    """A packaged sentence encoder: unit-length vectors, one row per text."""

    def encode(self, texts: list[str]) -> FloatArray: ...
