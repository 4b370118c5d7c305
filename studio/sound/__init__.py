"""The clip's sound.

``decode`` (any file to 48 kHz float32, gains, fades, WAV), ``beats`` (tempo, beats and downbeats of a song),
``music`` (a song fitted to the clip's length on bar lines), ``beat_sync`` (cuts moved onto the beats),
``mix`` (clip sound, voice-over and music, ducked under the voice), ``loudness`` (BS.1770 measurement and
mastering to the platform's target) and ``library`` (the bundled music). Imports point one way:
decode <- beats <- music <- beat_sync, and mix uses decode and music.
"""
