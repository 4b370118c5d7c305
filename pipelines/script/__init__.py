"""Script writing: one idea to a storyboard a video model can follow.

``contract`` (the request, plan, result and the ``ScriptWriter`` protocol), ``prompts`` (what a model is told
and the JSON it must answer), ``storyboard`` (checking, planning, and turning an untrusted draft into a
storyboard), ``chat`` (what the chat-model backends share), the backends ``local``, ``openai`` and
``template`` (one file each), and ``writers`` (the service that picks one and falls back). Imports point one
way: prompts <- contract <- storyboard <- chat <- backends <- writers.
"""
