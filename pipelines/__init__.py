"""Model backends and the orchestration that runs them: ``script/`` (script writers), ``video/`` (video
generators), ``shots``, ``make`` and ``batch`` (the flows), and ``services`` (what one process holds once).

One backend is one class in one file behind its kind's contract, registered by name (``registry``); backends
import torch/diffusers/transformers inside the functions that need them, so importing this package is cheap.
"""
