"""Unit tests for ftrack_api.event.expression."""

import operator
import threading

import pytest

import ftrack_api.exception
from ftrack_api.event.expression import (
    All,
    Any,
    Condition,
    Expression,
    Not,
    Parser,
    format_value,
)


@pytest.fixture
def parser():
    return Parser()


CANDIDATE = {
    'topic': 'ftrack.location.component-added',
    'id': 'abc',
    'count': 5,
    'data': {
        'locationId': 'london',
        'nested': {'deep': 'value'},
        'email': 'jane@example.com',
        'text': 'hello world',
    },
    'list': ['a', 'b'],
}


@pytest.mark.parametrize(
    'expression, expected',
    [
        ('topic=ftrack.location.component-added', True),
        ('topic=ftrack.location.component-removed', False),
        ('topic!=ftrack.location.component-removed', True),
        ('topic!=ftrack.location.component-added', False),
        ('data.locationId=london', True),
        ('data.nested.deep=value', True),
        ('data.nested.deep=other', False),
        ('data.missing=value', False),
        ('data.nested.deep.deeper=value', False),
        ('missing.key=value', False),
        ('topic=ftrack.location.component-added and data.locationId=london', True),
        ('topic=ftrack.location.component-added and data.locationId=paris', False),
        ('topic=other or data.locationId=london', True),
        ('topic=other or data.locationId=paris', False),
        ('not topic=other', True),
        ('not topic=ftrack.location.component-added', False),
        ('NOT topic=other AND data.locationId=london', True),
        ('topic=other OR data.locationId=london', True),
        ('topic=a or topic=b and data.locationId=london', False),
        ('(topic=other or topic=ftrack.*) and data.locationId=london', True),
        ('not (topic=other or data.locationId=london)', False),
        ('data.email=jane@example.com', True),
        ('data.text="hello world"', True),
        ("data.text='hello world'", True),
        ('data.text="hello"', False),
        ('id>abb', True),
        ('id>=abc', True),
        ('id<abc', False),
        ('id<=abc', True),
        ('id<abd', True),
        ('', True),
        ('   ', True),
    ],
)
def test_match(parser, expression, expected):
    assert parser.parse(expression).match(CANDIDATE) is expected


@pytest.mark.parametrize(
    'expression, expected',
    [
        ('topic=ftrack.*', True),
        ('topic=*', True),
        # Wildcards are substring tests, not prefix tests.
        ('topic=location.*', True),
        ('topic=component-added*', True),
        ('topic=london*', False),
        ('topic!=ftrack.*', True),  # Only equality treats '*' specially.
        ('data.nested=value*', False),  # Not a string: no substring test.
        ('count=5*', False),
    ],
)
def test_wildcard(parser, expression, expected):
    assert parser.parse(expression).match(CANDIDATE) is expected


def test_values_are_strings(parser):
    # Numbers on the candidate never equal the textual value.
    assert parser.parse('count=5').match(CANDIDATE) is False
    assert parser.parse('count!=5').match(CANDIDATE) is True
    # Ordering a number against text cannot be decided: no match, no error.
    assert parser.parse('count>4').match(CANDIDATE) is False


def test_non_mapping_on_path(parser):
    assert parser.parse('list.a=b').match(CANDIDATE) is False
    assert parser.parse('topic.x=y').match(CANDIDATE) is False
    assert parser.parse('topic=x').match(None) is False
    assert parser.parse('topic=x').match('topic') is False


def test_keyword_prefixed_keys(parser):
    candidate = {'notes': 'a', 'order': 'b', 'android': 'c'}
    assert parser.parse('notes=a and order=b and android=c').match(candidate)


def test_letters_of_any_script(parser):
    candidate = {'topic': 'studio.café-ü', 'data': {'名前': 'ショット'}}
    assert parser.parse('topic=studio.café-ü and data.名前=ショット').match(candidate)
    assert parser.parse('topic=studio.caf*').match(candidate)
    assert not parser.parse('data.名前=other').match(candidate)
    # A key that merely starts with a keyword is a key.
    assert parser.parse('andé=1 and notü=2').match({'andé': '1', 'notü': '2'})


def test_keywords_next_to_parentheses(parser):
    assert parser.parse('not(topic=a)and(topic=b)').match({'topic': 'b'})
    assert parser.parse('(topic=a)or(topic=b)').match({'topic': 'b'})


def test_special_characters_in_bare_values(parser):
    expression = parser.parse('data.value=a-b_c,d./e@f+g')
    assert expression.match({'data': {'value': 'a-b_c,d./e@f+g'}})


@pytest.mark.parametrize(
    'expression',
    [
        'topic',
        'topic=',
        '=value',
        'topic=foo and',
        'and topic=foo',
        'topic==foo',
        '(topic=foo',
        'topic=foo)',
        'topic=foo bar',
        'topic=foo & data=bar',
        'topic="unterminated',
    ],
)
def test_parse_error(parser, expression):
    with pytest.raises(ftrack_api.exception.ParseError) as error:
        parser.parse(expression)
    assert repr(expression) in str(error.value)


def test_parse_error_for_non_string(parser):
    with pytest.raises(ftrack_api.exception.ParseError) as error:
        parser.parse(None)
    assert 'None' in str(error.value)


def test_parse_builds_expected_tree(parser):
    expression = parser.parse('a=1 and (b!=2 or not c>3)')
    assert isinstance(expression, All)
    first, second = expression._expressions
    assert isinstance(first, Condition)
    assert (first.key, first.operator, first.value) == ('a', operator.eq, '1')
    assert isinstance(second, Any)
    assert isinstance(second._expressions[1], Not)


def test_parse_caches_results(parser):
    assert parser.parse('topic=foo') is parser.parse('topic=foo')


def test_combinators_without_expressions():
    assert All().match({}) is True
    assert Any().match({}) is False
    assert Expression().match({}) is True


def test_condition_with_custom_operator():
    condition = Condition('data.size', operator.gt, 3)
    assert condition.match({'data': {'size': 4}})
    assert not condition.match({'data': {'size': 2}})
    assert 'data.size' in repr(condition)


def test_not():
    assert Not(Condition('a', operator.eq, 'x')).match({'a': 'y'})
    assert not Not(Condition('a', operator.eq, 'x')).match({'a': 'x'})


def test_thread_safety():
    # Parsing distinct expressions from many threads at once must neither
    # fail nor mix results up.
    parser = Parser()
    errors = []
    barrier = threading.Barrier(8)

    def work(index):
        try:
            barrier.wait()
            for iteration in range(200):
                value = 'v{0}-{1}'.format(index, iteration)
                expression = parser.parse(
                    'topic={0} and (data.n={1} or not data.x=y)'.format(value, index)
                )
                candidate = {'topic': value, 'data': {'n': str(index)}}
                if not expression.match(candidate):
                    errors.append((value, expression))
                if expression.match({'topic': value + 'x', 'data': {'n': 'z'}}) is not False:
                    errors.append(('false positive', value))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.parametrize(
    'value',
    ['plain-id_1', 'with space', 'colon:inside', 'quote"inside', "single'quote",
     'back\\slash', 'ünïcode ✓', '', 'and', 'a"b\\"c'],
)
def test_format_value_round_trip(parser, value):
    expression = parser.parse('id={0}'.format(format_value(value)))
    assert expression.match({'id': value})
    assert not expression.match({'id': value + 'x'})


def test_format_value_keeps_bare_values_bare():
    assert format_value('5f0e7c1a-2b3c') == '5f0e7c1a-2b3c'
