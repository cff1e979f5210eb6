"""Tests for :mod:`ftrack_api.logging`."""

import logging

import pytest

from ftrack_api.logging import LazyLogMessage


class _CountingValue(object):
    """Value counting how often it is formatted."""

    def __init__(self):
        self.formatted = 0

    def __format__(self, spec):
        self.formatted += 1
        return 'value'


def test_formats_with_positional_and_keyword_arguments():
    """str() fills the template from both kinds of argument."""
    message = LazyLogMessage('{0} and {name}', 'first', name='second')
    assert str(message) == 'first and second'


def test_not_formatted_until_rendered():
    """Formatting happens only on str(), not on construction."""
    value = _CountingValue()
    message = LazyLogMessage('{0}', value)
    assert value.formatted == 0
    assert str(message) == 'value'
    assert value.formatted == 1


def test_not_formatted_when_record_filtered(caplog):
    """A filtered log record never formats the message."""
    value = _CountingValue()
    logger = logging.getLogger('test_client_logging.filtered')
    logger.setLevel(logging.INFO)
    logger.debug(LazyLogMessage('{0}', value))
    assert value.formatted == 0


def test_rendered_by_logging(caplog):
    """An emitted record shows the formatted message."""
    logger = logging.getLogger('test_client_logging.emitted')
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        logger.debug(LazyLogMessage('Loaded {count} items', count=3))
    assert 'Loaded 3 items' in caplog.text


def test_missing_argument_raises_on_render():
    """A template needing a missing argument fails when rendered."""
    message = LazyLogMessage('{missing}')
    with pytest.raises(KeyError):
        str(message)


def test_repr_shows_template():
    """repr() shows the template without formatting it."""
    assert repr(LazyLogMessage('{0}', 1)) == "<LazyLogMessage '{0}'>"
