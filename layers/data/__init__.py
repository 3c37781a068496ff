"""Bundled data files of :mod:`layers` and the script that builds them (``build.py``)."""
