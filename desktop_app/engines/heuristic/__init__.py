"""The offline analyser: reader.py (two fine-tuned MiniLMs, averaged) and learned.py (a linear model) decide the
labels, as decisions.py combines them; rules.py says what to quote as evidence, judgements.py how to score it,
engine.py applies both by explicit priority, and analyser.py assembles the analysis schema."""

from desktop_app.engines.heuristic.analyser import PROMPT_VERSION, HeuristicAnalyser, analyse

__all__ = ["PROMPT_VERSION", "HeuristicAnalyser", "analyse"]
