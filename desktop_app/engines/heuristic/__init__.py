"""The offline analyser, as data plus a short engine: rules.py says what to look for, judgements.py how to
judge it, engine.py applies both by explicit priority, and analyser.py assembles the analysis schema."""

from desktop_app.engines.heuristic.analyser import PROMPT_VERSION, HeuristicAnalyser, analyse

__all__ = ["PROMPT_VERSION", "HeuristicAnalyser", "analyse"]
