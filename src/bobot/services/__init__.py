"""Use cases: the only code that writes. Each takes primitives, an actor and its
collaborators (``deps``), runs one transaction and raises coded errors."""
