"""Use cases: one module per capability, between the edges and the rest."""
