"""Keyframe (image) backends: the contract, one file per model family, and the service that builds them."""
