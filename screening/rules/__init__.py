"""Declarative screening rules: the engine and the bundled, versioned rules file."""

from screening.rules.engine import DEFAULT_RULES_PATH, RuleEngine

__all__ = ["DEFAULT_RULES_PATH", "RuleEngine"]
