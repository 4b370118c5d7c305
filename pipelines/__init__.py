"""Model backends: script writers, video generators and audio, one class per file with one ``__call__``.

Backends import torch/diffusers/transformers inside the functions that need them, so importing this
package is cheap. The compositor in ``studio/`` consumes what they produce (a shot's clip file)
through the same media slot as a user's own image or clip.
"""
