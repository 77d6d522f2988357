"""ocop: the open digital platform for Vietnam's OCOP programme."""

__version__ = "0.1.0"
