"""Ad Analysis Desktop: background analysis of Meta video ads for marketers."""

__version__ = "0.1.0"
