"""ftrack_api.event.expression against upstream 3.1.0: parsing, str(), match."""

import pytest

EXPRESSIONS = [
    'topic=foo', 'data.x!=1', 'topic>"a b"', "topic='quoted'", 'not topic=foo',
    'topic=foo or (a=1 and b<=2)', 'a>=3', 'a<3', 'a=*b', 'a=b*', 'a=*',
    'topic=foo and not data.x=1 or data.y>2', '(a=1)', 'a=1 and b=2 and c=3',
    'data.nested.key="x y z"', 'source.user.username=john',
]

BAD = ['topic', 'topic=', 'and', '(a=1', 'a=1)', 'a==1', 'not', 'a=1 and']

# Text values only: upstream raises TypeError on ordering or wildcard
# conditions over numbers (see test_numbers_kept).
CANDIDATES = [
    {'topic': 'foo', 'data': {'x': '1', 'y': '3', 'nested': {'key': 'x y z'}}, 'a': 'ab',
     'b': '2', 'c': '3', 'source': {'user': {'username': 'john'}}},
    {'topic': 'bar', 'data': {'x': '2', 'y': '1'}, 'a': '3', 'b': '1'},
    {'topic': 'a b c', 'a': 'b', 'data': {}},
    {},
]


@pytest.mark.parametrize('expression', EXPRESSIONS)
def test_parse_str_and_match(compat, expression):
    compat.compare(
        'import ftrack_api.event.expression as x\n'
        'parsed = x.Parser().parse({0!r})\n'
        'result = [str(parsed), [parsed.match(c) for c in {1!r}]]'.format(
            expression, CANDIDATES))


@pytest.mark.parametrize('expression', BAD)
def test_bad_syntax(compat, expression):
    compat.compare(
        'import ftrack_api.event.expression as x\n'
        'try:\n'
        '    x.Parser().parse({0!r})\n'
        '    result = "parsed"\n'
        'except Exception as error:\n'
        '    result = [type(error).__name__, isinstance(error, '
        'ftrack_api.exception.ParseError)]'.format(expression))


def test_node_strings(compat):
    compat.compare(
        'import ftrack_api.event.expression as x\n'
        'import operator\n'
        'result = [str(x.Expression()), str(x.All([])), str(x.Any()), '
        'str(x.Not(x.All())), str(x.Condition("k", operator.eq, 5)), '
        'str(x.Condition("k", None, 5))]')


@pytest.mark.parametrize('expression', ['a<3', 'a=b*'])
def test_numbers_kept(compat, expression):
    compat.compare(
        'import ftrack_api.event.expression as x\n'
        'result = x.Parser().parse({0!r}).match({{"a": 3}})'.format(expression),
        kept='a number compared with an ordering or wildcard condition does not '
             'match; upstream raises TypeError inside the event hub')


def test_empty_expression_kept(compat):
    compat.compare(
        'import ftrack_api.event.expression as x\n'
        'x.Parser().parse("")', fields=('raised',),
        kept='upstream fails with AttributeError on an empty expression')


def test_subscription_parser_and_str(compat):
    compat.compare(
        'import ftrack_api.event.subscription as s\n'
        'x = s.Subscription("topic=foo and data.a=1")\n'
        'result = [str(x), type(x.parser).__name__, x.parser is s.Subscription("a=1").parser, '
        '"parser" in vars(x), x.includes({"topic": "foo", "data": {"a": "1"}}), '
        'x.includes({"topic": "bar"})]')
