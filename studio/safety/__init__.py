"""Safety checks that run before anything is generated, loaded or contacted.

``prompts``: ideas, storyboards and prompts against data-driven rules (``assets/safety/rules.json``).
``inputs``: model references and LLM endpoint URLs, with stricter rules for visitors than for the operator.
"""
