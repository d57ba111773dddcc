"""Audio branch after Hallmen, Deuser, Oswald, André 2024 (ABAW6 EMI, 2nd place).

wav2vec 2.0 backbone -> per-step features, each concatenated with the segment's global mean vector
-> LSTM -> EMI head. The backbone's valence/arousal/dominance head (a regression head on the mean
pooled features, as in the MSP-Podcast checkpoint) runs per step and per segment, and its
predictions are fed into the EMI head as well (multi-task fusion).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torchaudio.models import wav2vec2_model

from .config import W2V2_KERNELS_STRIDES, AudioConfig

# Output order of the VAD head (the bundle contract's "vad"). The MSP-Podcast checkpoint's head
# emits arousal, dominance, valence: permute out_proj's rows when converting it.
VAD = ("valence", "arousal", "dominance")

# Names of the ONNX graphs' inputs and outputs (the bundle contract, v2: a backbone graph and a head graph).
INPUTS = ("waveform",)
FEATURES = "features"
BACKBONE_INPUTS = INPUTS
BACKBONE_OUTPUTS = (FEATURES,)
HEAD_INPUTS = (FEATURES,)
OUTPUTS = ("emi_steps", "emi_segment", "vad_steps", "vad_segment")
HEAD_OUTPUTS = OUTPUTS


class VadHead(nn.Module):
    """dense -> tanh -> dropout -> out_proj: the layout of the MSP-Podcast VAD checkpoint's head."""

    def __init__(self, dim: int, dropout: float):
        super().__init__()
        self.dense = nn.Linear(dim, dim)
        self.dropout = nn.Dropout(dropout)
        self.out_proj = nn.Linear(dim, len(VAD))

    def forward(self, x: Tensor) -> Tensor:
        return self.out_proj(self.dropout(torch.tanh(self.dense(x))))


class AudioBranch(nn.Module):
    """Input: 16 kHz mono waveform [batch, samples] in [-1, 1], all rows the same length.

    Outputs: emi_steps [batch, steps, 6], emi_segment [batch, 6], vad_steps [batch, steps, 3],
    vad_segment [batch, 3], all through a sigmoid, in [0, 1].
    """

    # Parts a head-only training run keeps frozen: the backbone and the VAD head trained with it.
    frozen_prefixes = ("backbone.", "vad_head.")

    def __init__(self, cfg: AudioConfig):
        super().__init__()
        self.cfg = cfg
        c = cfg.extractor_channels
        self.backbone = wav2vec2_model(
            extractor_mode=cfg.extractor_mode,
            extractor_conv_layer_config=[(c, k, s) for k, s in W2V2_KERNELS_STRIDES],
            extractor_conv_bias=cfg.extractor_conv_bias,
            encoder_embed_dim=cfg.embed_dim,
            encoder_projection_dropout=cfg.dropout,
            encoder_pos_conv_kernel=cfg.pos_conv_kernel,
            encoder_pos_conv_groups=cfg.pos_conv_groups,
            encoder_num_layers=cfg.num_layers,
            encoder_num_heads=cfg.num_heads,
            encoder_attention_dropout=cfg.dropout,
            encoder_ff_interm_features=cfg.ff_dim,
            encoder_ff_interm_dropout=cfg.dropout,
            encoder_dropout=cfg.dropout,
            encoder_layer_norm_first=cfg.layer_norm_first,
            encoder_layer_drop=0.0,
            aux_num_out=None,
        )
        self.vad_head = VadHead(cfg.embed_dim, cfg.dropout)
        self.lstm = nn.LSTM(
            input_size=2 * cfg.embed_dim,
            hidden_size=cfg.lstm_hidden,
            num_layers=cfg.lstm_layers,
            batch_first=True,
            bidirectional=cfg.bidirectional,
            dropout=cfg.dropout if cfg.lstm_layers > 1 else 0.0,
        )
        directions = 2 if cfg.bidirectional else 1
        self.emi_head = nn.Linear(directions * cfg.lstm_hidden + len(VAD), 6)

    def backbone_steps(self, audio: Tensor) -> Tensor:
        """The backbone graph: waveform [B, samples] -> per-step features [B, T, D]."""
        # Zero mean, unit variance per row, as the wav2vec 2.0 checkpoints expect; done in the graph
        # so the serving side feeds plain PCM.
        mean = audio.mean(dim=-1, keepdim=True)
        var = audio.var(dim=-1, unbiased=False, keepdim=True)
        x = (audio - mean) / torch.sqrt(var + 1e-7)
        steps, _ = self.backbone(x)  # [B, T, D]
        return steps

    def head_inputs(self, steps: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Per-step features, their mean, and the VAD predictions from both (the VAD head is in the head graph)."""
        pooled = steps.mean(dim=1)  # the segment's global mean vector [B, D]
        return steps, pooled, torch.sigmoid(self.vad_head(steps)), torch.sigmoid(self.vad_head(pooled))

    def backbone_features(self, audio: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """The frozen part: per-step features, their mean, and the VAD predictions from both."""
        return self.head_inputs(self.backbone_steps(audio))

    def heads(self, steps: Tensor, pooled: Tensor, vad_steps: Tensor, vad_segment: Tensor):
        """The trainable part, from backbone features to EMI."""
        x = torch.cat([steps, pooled.unsqueeze(1).expand_as(steps)], dim=-1)
        h, _ = self.lstm(x)
        emi_steps = torch.sigmoid(self.emi_head(torch.cat([h, vad_steps], dim=-1)))
        emi_segment = torch.sigmoid(self.emi_head(torch.cat([h.mean(dim=1), vad_segment], dim=-1)))
        return emi_steps, emi_segment

    def forward(self, audio: Tensor):
        steps, pooled, vad_steps, vad_segment = self.backbone_features(audio)
        emi_steps, emi_segment = self.heads(steps, pooled, vad_steps, vad_segment)
        return emi_steps, emi_segment, vad_steps, vad_segment

    def head_graph(self, features: Tensor):
        """The head graph: per-step features [B, T, D] -> emi_steps, emi_segment, vad_steps, vad_segment."""
        steps, pooled, vad_steps, vad_segment = self.head_inputs(features)
        emi_steps, emi_segment = self.heads(steps, pooled, vad_steps, vad_segment)
        return emi_steps, emi_segment, vad_steps, vad_segment

    def example_inputs(self, batch: int = 2, seconds: float = 1.0) -> tuple[Tensor]:
        n = int(self.cfg.sample_rate * seconds)
        return (torch.randn(batch, n, generator=torch.Generator().manual_seed(0)) * 0.1,)


def num_steps(cfg: AudioConfig, samples: int) -> int:
    """Per-step outputs for a segment of `samples` samples (0 below one receptive field)."""
    if samples < cfg.receptive_field_samples:
        return 0
    return (samples - cfg.receptive_field_samples) // cfg.step_samples + 1
