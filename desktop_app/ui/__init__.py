"""Qt widgets and the adapter that runs jobs on QThreadPool workers."""
