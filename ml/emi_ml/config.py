"""Size presets for both branches.

`tiny` exists for tests and the committed reference bundle; `base` and `large` are the sizes the
benchmarks and a lab's real training use. `large` is the audio backbone of Hallmen et al. 2024: the
robust wav2vec 2.0 large model as pruned to 12 transformer layers and fine-tuned on MSP-Podcast for
valence/arousal/dominance, so that checkpoint's weights (converted to torchaudio's layout) load into it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

# wav2vec 2.0's convolutional feature extractor: (kernel, stride) per layer. Every preset keeps
# these, so every preset has the same step rate: one step per 320 samples (50 per second at 16 kHz)
# with a receptive field of 400 samples.
W2V2_KERNELS_STRIDES = ((10, 5), (3, 2), (3, 2), (3, 2), (3, 2), (2, 2), (2, 2))

# OpenFace 2 action-unit intensities, the usual AU feature set of the ABAW challenges.
ACTION_UNITS = (
    "AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12",
    "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU45",
)

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class AudioConfig:
    # Backbone (torchaudio.models.wav2vec2_model arguments).
    extractor_mode: str
    extractor_channels: int
    extractor_conv_bias: bool
    embed_dim: int
    num_layers: int
    num_heads: int
    ff_dim: int
    pos_conv_kernel: int
    pos_conv_groups: int
    layer_norm_first: bool
    # Heads.
    lstm_hidden: int
    lstm_layers: int = 1
    bidirectional: bool = True
    dropout: float = 0.1
    # Signal contract.
    sample_rate: int = 16000
    segment_seconds: float = 12.0
    overlap_seconds: float = 1.0

    @property
    def step_samples(self) -> int:
        stride = 1
        for _, s in W2V2_KERNELS_STRIDES:
            stride *= s
        return stride

    @property
    def receptive_field_samples(self) -> int:
        field_, jump = 1, 1
        for k, s in W2V2_KERNELS_STRIDES:
            field_ += (k - 1) * jump
            jump *= s
        return field_


@dataclass(frozen=True)
class VisualConfig:
    resnet_width: int  # 64 is torchvision's ResNet18; smaller widths scale every stage alike
    image_size: int
    model_dim: int
    tcn_levels: int
    tcn_kernel: int
    num_layers: int
    num_heads: int
    ff_dim: int
    dropout: float = 0.1
    action_units: tuple[str, ...] = ACTION_UNITS
    au_max: float = 5.0
    frame_rate: float = 5.0
    segment_seconds: float = 12.0
    overlap_seconds: float = 1.0
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD

    @property
    def feature_dim(self) -> int:
        return 8 * self.resnet_width


@dataclass(frozen=True)
class Preset:
    name: str
    audio: AudioConfig
    visual: VisualConfig
    fusion_weights: dict = field(default_factory=lambda: {"audio": 0.5, "visual": 0.5})


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        "tiny",
        AudioConfig(
            extractor_mode="group_norm", extractor_channels=32, extractor_conv_bias=False,
            embed_dim=64, num_layers=2, num_heads=4, ff_dim=128,
            pos_conv_kernel=16, pos_conv_groups=4, layer_norm_first=False,
            lstm_hidden=32,
        ),
        VisualConfig(
            resnet_width=16, image_size=64, model_dim=64, tcn_levels=2, tcn_kernel=3,
            num_layers=1, num_heads=4, ff_dim=128,
        ),
    ),
    # wav2vec 2.0 base (Baevski et al. 2020) and full-width ResNet18.
    "base": Preset(
        "base",
        AudioConfig(
            extractor_mode="group_norm", extractor_channels=512, extractor_conv_bias=False,
            embed_dim=768, num_layers=12, num_heads=12, ff_dim=3072,
            pos_conv_kernel=128, pos_conv_groups=16, layer_norm_first=False,
            lstm_hidden=256,
        ),
        VisualConfig(
            resnet_width=64, image_size=224, model_dim=256, tcn_levels=3, tcn_kernel=3,
            num_layers=2, num_heads=4, ff_dim=512,
        ),
    ),
    # wav2vec2-large-robust pruned to 12 layers (the MSP-Podcast VAD checkpoint the audio paper builds on).
    "large": Preset(
        "large",
        AudioConfig(
            extractor_mode="layer_norm", extractor_channels=512, extractor_conv_bias=True,
            embed_dim=1024, num_layers=12, num_heads=16, ff_dim=4096,
            pos_conv_kernel=128, pos_conv_groups=16, layer_norm_first=True,
            lstm_hidden=256,
        ),
        VisualConfig(
            resnet_width=64, image_size=224, model_dim=256, tcn_levels=3, tcn_kernel=3,
            num_layers=2, num_heads=4, ff_dim=512,
        ),
    ),
}


def preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None


def as_dict(cfg) -> dict:
    """A JSON-ready view of a config (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(cfg).items()}


def audio_from_dict(d: dict) -> AudioConfig:
    return AudioConfig(**d)


def visual_from_dict(d: dict) -> VisualConfig:
    d = dict(d)
    for k in ("action_units", "mean", "std"):
        if k in d:
            d[k] = tuple(d[k])
    return VisualConfig(**d)
