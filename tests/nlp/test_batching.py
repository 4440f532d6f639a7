"""Posts per inference batch: the setting, else the device's default."""

from __future__ import annotations

from nlp.batching import CPU_BATCH_SIZE, GPU_BATCH_SIZE, inference_batch_size


def test_a_set_batch_size_wins_and_zero_means_the_devices_default() -> None:
    assert inference_batch_size(0, "cpu") == CPU_BATCH_SIZE == 32
    assert inference_batch_size(0, "cuda") == GPU_BATCH_SIZE == 64
    assert inference_batch_size(5, "cuda") == inference_batch_size(5, "cpu") == 5
