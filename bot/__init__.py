"""Foshan Cluster Bot: cited answers about the Foshan smart home industrial cluster."""

__version__ = "0.1.0"
