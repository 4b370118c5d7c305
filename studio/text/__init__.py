"""Text on the picture and beside it.

``fonts`` (finding CJK and colour-emoji fonts, a fallback chain per character), ``layout`` (pixel-width line
breaking with Chinese line-breaking rules, emoji clusters, right-to-left runs), ``captions`` (captions, the hook
title and labels drawn with Pillow in a style) and ``subtitles`` (SRT and VTT sidecars from the timeline).
"""
