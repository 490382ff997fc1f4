"""finance: a self-hosted personal finance tracker."""
