"""Named domain errors; front ends turn them into sentences from texts.py."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of the conditions a user can cause."""


class ConsentRequired(DomainError):
    """Personal data would be stored without the worker's consent."""


class NoStation(DomainError):
    """The directory has no station that could take the case."""
