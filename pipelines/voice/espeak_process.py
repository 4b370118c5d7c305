"""The espeak-ng worker: a separate process that loads libespeak-ng (GPL-3.0) so that the studio's never does.

Started by ``pipelines.voice.espeak`` as ``python -I .../espeak_process.py``; it imports only the standard
library (so it starts in tens of milliseconds) and serves requests until its stdin closes. One request per line
of JSON on stdin, ``{"text", "voice", "rate", "out"}``; it writes a mono 16-bit WAV at ``out`` and answers one
line of JSON on stdout: ``{"ok": true, "sample_rate", "samples", "words": [[text_position, length, ms], ...]}``
(espeak's WORD events: 1-based character positions in ``text``), or ``{"ok": false, "error"}``.

Text is synthesised as plain text (no SSML flag): markup in a line is read as characters, never obeyed.
"""

import ctypes
import ctypes.util
import json
import sys
import wave

EVT_LIST_TERMINATED, EVT_WORD = 0, 1
AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
CHARS_UTF8 = 1
RATE = 1


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _EventId)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class Engine:
    def __init__(self) -> None:
        lib = ctypes.CDLL(ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1")
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
        lib.espeak_Synchronize.restype = ctypes.c_int
        self.sample_rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, None, 0)
        if self.sample_rate <= 0:
            raise RuntimeError("espeak_Initialize failed (is espeak-ng-data installed?)")
        self.lib = lib
        self.pcm = bytearray()
        self.words: list[list[int]] = []
        self._callback = _CALLBACK(self._on_audio)  # kept alive as long as the engine
        lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav, samples, events):  # type: ignore[no-untyped-def]
        if samples > 0:
            self.pcm.extend(ctypes.string_at(wav, samples * 2))
        i = 0
        while events[i].type != EVT_LIST_TERMINATED:
            event = events[i]
            if event.type == EVT_WORD:
                self.words.append([event.text_position, event.length, event.audio_position])
            i += 1
        return 0

    def speak(self, text: str, voice: str, rate: int, out: str) -> dict:
        self.pcm.clear()
        self.words.clear()
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            return {"ok": False, "error": f"espeak-ng has no voice {voice!r}"}
        self.lib.espeak_SetParameter(RATE, rate, 0)
        raw = text.encode("utf-8") + b"\0"
        buffer = ctypes.create_string_buffer(raw)
        err = self.lib.espeak_Synth(buffer, len(raw), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        if err != 0:
            return {"ok": False, "error": f"espeak_Synth failed with code {err}"}
        self.lib.espeak_Synchronize()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(bytes(self.pcm))
        return {"ok": True, "sample_rate": self.sample_rate, "samples": len(self.pcm) // 2, "words": self.words}


def main() -> int:
    engine = Engine()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            reply = engine.speak(str(request["text"]), str(request["voice"]), int(request["rate"]),
                                 str(request["out"]))
        except Exception as err:  # one bad request must not end the worker
            reply = {"ok": False, "error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
