"""Media monitor for Vietnamese education offices.

Data flows one way: config -> fetch -> feeds/extract -> store -> classify -> triage -> digest/notify.
"""

__version__ = "0.1.0"
