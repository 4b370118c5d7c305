"""From a project to a delivery-grade MP4: the compositor and what it draws with.

``compositor`` (the render: timeline, frames, captions, sound, encode, sidecars, published atomically),
``frames`` (each shot's picture at a time: an image with a camera move, a clip fitted to the frame),
``clips`` (one ffmpeg decoder per clip that hands over frames already cropped and scaled), ``labels``
(the visible and metadata AI label), ``encode`` (one ffmpeg process: H.264, AAC, faststart) and ``c2pa``
(signed content credentials when a certificate is configured). Frames are composed with Pillow and streamed
to ffmpeg; MoviePy is the interop layer (``compositor.as_videoclip``).
"""
