"""The expression parser's fast path gives exactly what the grammar gives."""

import pytest

import ftrack_api.event.expression as expression

SIMPLE = [
    'topic=foo',
    'topic=ftrack.storage-scenario.activate and '
    'data.storage_scenario.scenario="ftrack.centralized-storage"',
    'topic = foo   AND data.x != 3',
    "a>=1 and b<=2 and c>3 and d<4 and e='single quoted'",
    'data.entity.id=abc-123,d/e@f+g*',
    'a="" and b="with spaces and and"',
    '  a=1  ',
    'a="x"and b=c',
    'andy=1 and order.x=2 and notes=3',
    'k=\u00e9t\u00e9 and \u00fcber.key=\u00c5',
]

FALLBACK = [
    'a=1 or b=2',
    'not a=1',
    '(a=1 and b=2)',
    'a="escaped \\" quote"',
    'and=1',
    'a=1 and',
    'a=1 andb=2',
    'a=b c',
    'a="x"y',
    'a==1',
]


def _description(parsed):
    if isinstance(parsed, expression.Condition):
        return ('condition', parsed.key, parsed.operator, parsed.value)
    return (type(parsed).__name__, [_description(item) for item in parsed._expressions])


@pytest.mark.parametrize('text', SIMPLE)
def test_fast_path_matches_the_grammar(text):
    fast = expression._parse_simple(text)
    assert fast is not None
    grammar = expression._grammar().parse_string(text, parse_all=True)[0]
    assert _description(fast) == _description(grammar)
    assert str(fast) == str(grammar)


@pytest.mark.parametrize('text', FALLBACK)
def test_anything_else_goes_to_the_grammar(text):
    assert expression._parse_simple(text) is None


def test_parser_results_are_the_same_either_way():
    parser = expression.Parser()
    for text in SIMPLE + ['a=1 or b=2', 'not a=1']:
        parsed = parser.parse(text)
        assert str(parsed) == str(expression._grammar().parse_string(text, parse_all=True)[0])
    with pytest.raises(ftrack_api.exception.ParseError):
        parser.parse('and=1')


import ftrack_api.exception  # noqa: E402
