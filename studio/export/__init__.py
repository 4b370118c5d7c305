"""Hand-offs to real editors: a project as a folder that Shotcut, Resolve, Premiere, Final Cut or Jianying opens
as an editable 9:16 timeline, with the media it plays.

``timeline`` (the project as an editor timeline in whole frames, by the compositor's own rule), ``texts`` (captions,
title and AI label as editable text laid out as the MP4 has them), ``media`` (link, tag, convert or render each file
into ``media/``), ``plan`` (check the project and plan all of it, writing nothing), ``formats`` (the formats, how to
open each and what each cannot carry), one writer per format (``mlt``, ``otio``, ``fcpxml``, ``fcp7``, ``edl``,
``jianying``), ``readme`` (the folder's README) and ``folder`` (the whole export, published atomically, and its zip).
"""
