"""Speech to text: captions from the creator's own voice (Whisper through faster-whisper or transformers) and
word timings for known text (the Qwen3 forced aligner). ``contract`` names what every backend takes and returns,
``service`` chooses and holds backends (one per process, in ``pipelines.services.Services``), ``captions`` turns
a transcript into caption cues and SRT, ``align`` times known text."""
