"""Qt-free pipeline stages. Heavy libraries are imported inside the stages that use them.

This package file stays empty: the transcriber child imports the package and must stay light."""
