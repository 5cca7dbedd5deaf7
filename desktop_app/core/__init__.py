"""Qt-free core: domain types, the SQLite job store, the job service and runner, settings."""
