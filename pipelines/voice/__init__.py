"""Voices: text in, a WAV and the time of every word out (``contract``), one backend per file (``espeak``,
``piper``, ``openai``), the service that chooses and caches them (``backends``)."""
