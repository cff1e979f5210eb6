"""Collections, attributes and data behave as the upstream client's do.

Issue 7, section 3: collections hold any value that
:func:`ftrack_api.inspection.identity` describes (looked up at call time),
proxies pass ``mutable`` through, ``collection_class`` is a class attribute,
attributes are members of :class:`Attributes` by name, ``String`` data reads
back text when text was written, and entities have a ``logger``.
"""

import logging

import pytest

import ftrack_api.attribute
import ftrack_api.collection
import ftrack_api.data
import ftrack_api.entity.base
import ftrack_api.entity.factory
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol
from ftrack_local_server.testing import offline_session
from ftrack_local_server.testing import reconstruct as existing

NOT_SET = ftrack_api.symbol.NOT_SET


@pytest.fixture
def session():
    yield from offline_session()


@pytest.fixture
def plain_identity(monkeypatch):
    """Make every value its own identity, as integrations' tests do."""
    monkeypatch.setattr(
        ftrack_api.inspection, 'identity', lambda item: ('Plain', [repr(item)])
    )


def test_collection_holds_plain_values_through_patched_identity(plain_identity):
    collection = ftrack_api.collection.Collection(None, None, data=[1, 2, 'a'])
    assert list(collection) == [1, 2, 'a']
    assert 1 in collection and 'a' in collection
    assert 3 not in collection
    with pytest.raises(ftrack_api.exception.DuplicateItemInCollectionError) as error:
        collection.append(1)
    assert 'Item 1 already exists' in str(error.value)


def test_duplicate_in_initial_data_names_the_item(plain_identity):
    with pytest.raises(ftrack_api.exception.DuplicateItemInCollectionError) as error:
        ftrack_api.collection.Collection(None, None, data=['x', 'x'])
    assert "Item b'x' already exists in collection" in str(error.value)


def test_identity_is_looked_up_at_call_time(monkeypatch):
    collection = ftrack_api.collection.Collection(None, None)
    with pytest.raises(AttributeError, match='entity_type'):
        collection.append(5)
    monkeypatch.setattr(
        ftrack_api.inspection, 'identity', lambda item: ('Plain', [item % 2])
    )
    collection.append(5)
    # 7 has the same (patched) identity as 5.
    assert 7 in collection
    with pytest.raises(ftrack_api.exception.DuplicateItemInCollectionError):
        collection.append(7)


def test_collection_equality_compares_identities(plain_identity):
    make = ftrack_api.collection.Collection
    first = make(None, None, data=[1, 2])
    assert first == make(None, None, data=[2, 1])
    assert first != make(None, None, data=[1, 3])
    # A plain list is never equal to a collection.
    assert first != [1, 2]


def test_reordered_collection_still_counts_as_modified(session):
    task = existing(session, 'Task', id='t1', scopes=[])
    first = existing(session, 'Scope', id='s1')
    second = existing(session, 'Scope', id='s2')
    task['scopes'] = [first, second]
    attribute = type(task).attributes.get('scopes')
    attribute.set_remote_value(task, [first, second])
    task['scopes'].reverse()
    assert attribute.is_modified(task)


class _ListProxy(ftrack_api.collection.MappedCollectionProxy):
    """The smallest concrete proxy: position to item."""

    def __getitem__(self, key):
        return self.collection[key]

    def __setitem__(self, key, value):
        self.collection[key] = value

    def __delitem__(self, key):
        del self.collection[key]

    def __iter__(self):
        return iter(range(len(self.collection)))

    def __len__(self):
        return len(self.collection)


@pytest.mark.parametrize('make_proxy', [
    lambda collection: _ListProxy(collection),
    lambda collection: ftrack_api.collection.KeyValueMappedCollectionProxy(
        collection, None, 'key', 'value'),
    lambda collection: ftrack_api.collection.CustomAttributeCollectionProxy(collection),
])
def test_proxy_mutable_passes_through(plain_identity, make_proxy):
    collection = ftrack_api.collection.Collection(None, None, data=[1])
    proxy = make_proxy(collection)
    assert proxy.mutable is True
    proxy.mutable = False
    assert collection.mutable is False and proxy.mutable is False
    with pytest.raises(ftrack_api.exception.ImmutableCollectionError):
        collection.append(2)
    proxy.mutable = True
    collection.append(2)
    assert list(collection) == [1, 2]


def test_collection_class_is_a_class_attribute():
    attribute = ftrack_api.attribute
    collection = ftrack_api.collection
    assert attribute.AbstractCollectionAttribute.collection_class is None
    assert attribute.CollectionAttribute.collection_class is collection.Collection
    assert (attribute.KeyValueMappedCollectionAttribute.collection_class
            is collection.KeyValueMappedCollectionProxy)
    assert (attribute.CustomAttributeCollectionAttribute.collection_class
            is collection.CustomAttributeCollectionProxy)


def test_custom_attribute_collection_attribute_takes_attribute_arguments():
    attribute = ftrack_api.attribute.CustomAttributeCollectionAttribute(
        'custom_attributes', 'default', False, True)
    assert attribute.name == 'custom_attributes'
    assert attribute.default_value == 'default'
    assert attribute.mutable is False
    assert attribute.computed is True
    assert (attribute.key_attribute, attribute.value_attribute) == ('key', 'value')


def test_attributes_membership_by_name():
    Attribute = ftrack_api.attribute.Attribute
    attributes = ftrack_api.attribute.Attributes([Attribute('x')])

    class Named(object):
        name = 'x'

    assert Attribute('x') in attributes
    assert Attribute('y') not in attributes
    assert 'x' not in attributes
    assert Named() not in attributes


def test_attributes_duplicate_message_names_the_attribute():
    Attribute = ftrack_api.attribute.Attribute
    first = Attribute('x')
    attributes = ftrack_api.attribute.Attributes([first])
    with pytest.raises(ftrack_api.exception.NotUniqueError) as error:
        attributes.add(Attribute('x'))
    assert str(error.value) == 'Attribute with name x already added as {0!r}'.format(first)


def test_entity_storage_gives_every_value(session):
    user = existing(session, 'User', id='u1', username='jo')
    user['first_name'] = 'Jo'
    storage = type(user).attributes.get('username').get_entity_storage(user)
    assert storage['username'] == {'local': NOT_SET, 'remote': 'jo'}
    assert storage['first_name']['local'] == 'Jo'
    assert storage['unknown'] == {'local': NOT_SET, 'remote': NOT_SET}


@pytest.mark.parametrize('content, expected', [
    ('abc', 'abc'), (b'abc', b'abc'), ('', ''), (None, b''),
])
def test_string_reads_back_the_type_written(content, expected):
    assert ftrack_api.data.String(content).read() == expected


def test_string_turns_to_text_once_text_is_written():
    data = ftrack_api.data.String(b'x')
    data.write('y')
    data.seek(0)
    assert data.read() == 'y'


def test_file_wrapper_errors_come_from_the_file(tmp_path):
    path = tmp_path / 'content.bin'
    path.write_bytes(b'0123')
    data = ftrack_api.data.File(str(path))
    assert data.seek(2) is None
    assert data.read() == b'23'
    data.close()
    with pytest.raises(ValueError, match='read of closed file'):
        data.read()


def test_entity_logger_is_named_after_the_type(session):
    user = existing(session, 'User', id='u1')
    assert isinstance(user.logger, logging.Logger)
    assert user.logger.name == 'ftrack_api.entity.base.User'
    assert user.logger is user.logger


def test_memoise_defaults_binds_arguments_with_defaults():
    calls = []

    @ftrack_api.entity.factory.memoise_defaults
    def compute(x, y=1):
        calls.append((x, y))
        return [x, y]

    first = compute(1)
    assert compute(1, 1) is first and compute(x=1) is first
    compute([1])
    compute([1])
    assert calls == [(1, 1), ([1], 1)]
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        compute()


def test_memoise_session_without_a_session_keeps_result():
    @ftrack_api.entity.factory.memoise_session
    def compute(first):
        return object()

    assert compute('not a session') is compute('not a session')


def test_custom_attribute_proxy_names_configuration_id_as_key_attribute(plain_identity):
    collection = ftrack_api.collection.Collection(None, None)
    proxy = ftrack_api.collection.CustomAttributeCollectionProxy(collection)
    assert (proxy.key_attribute, proxy.value_attribute) == ('configuration_id', 'value')


def test_copy_of_key_value_proxy_copies_the_collection(session):
    import copy

    user = existing(session, 'User', id='u1', username='jo')
    proxy = user['metadata']
    duplicate = copy.copy(proxy)
    assert type(duplicate) is type(proxy)
    assert duplicate.collection is not proxy.collection
    assert duplicate.collection.entity is user
    assert (duplicate.creator, duplicate.key_attribute, duplicate.value_attribute) == (
        proxy.creator, proxy.key_attribute, proxy.value_attribute)


def test_proxies_compare_as_mappings(session):
    first = existing(session, 'User', id='u1', metadata=[])
    second = existing(session, 'User', id='u2', metadata=[])
    first['metadata']['a'] = '1'
    second['metadata']['a'] = '1'
    assert first['metadata'] == second['metadata']
    assert first['metadata'] == {'a': '1'}
    second['metadata']['a'] = '2'
    assert first['metadata'] != second['metadata']


def test_per_session_default_key_maker_joins_strings():
    import ftrack_api.cache

    maker = ftrack_api.collection.PerSessionDefaultKeyMaker()
    assert isinstance(maker, ftrack_api.cache.KeyMaker)
    assert maker.key(1, 'a') == '1a'
    assert maker.key() == ''


def test_memoise_session_memo_is_per_session(session):
    calls = []

    @ftrack_api.collection.memoise_session
    def compute(first, extra=None):
        calls.append(extra)
        return object()

    user = existing(session, 'User', id='u1')
    assert compute(session) is compute(user)
    assert compute(session, 'x') is not compute(session)
    assert calls == [None, 'x']


def test_entity_debug_logs_name_unknown_attributes_and_merges(session, caplog):
    user = existing(session, 'User', id='u1', username='old')
    other = type(user)(session, {'id': 'u1', 'username': 'new'}, reconstructing=True)
    with caplog.at_level(logging.DEBUG, logger='ftrack_api.entity.base.User'):
        user.merge(other)
        session.create('User', {'username': 'x', 'bogus': 1})
    messages = [record.getMessage() for record in caplog.records
                if record.name == 'ftrack_api.entity.base.User']
    assert 'Merged remote_attribute "username": \'old\' -> \'new\'' in messages
    assert any(message.startswith('Constructing entity from {') for message in messages)
    assert any(
        message.startswith("Cannot populate 'bogus' attribute as no such attribute")
        for message in messages
    )


def test_job_type_error_uses_upstream_wording(session):
    with pytest.raises(ValueError) as error:
        session.create('Job', {'type': 'other'})
    assert str(error.value) == 'Invalid job type "other". Must be "api_job"'


def test_project_schema_unknown_schema_message(session):
    schema = existing(session, 'ProjectSchema', id='ps1', _schemas=[])
    with pytest.raises(ValueError) as error:
        schema.get_statuses('Bogus')
    assert str(error.value) == 'Schema Bogus does not exist.'
    with pytest.raises(ValueError) as error:
        schema.get_types('User')
    assert str(error.value) == 'Schema User does not have types.'


def test_start_timer_refusal_names_the_user_id(session, monkeypatch):
    user = existing(session, 'User', id='u1')

    def commit():
        raise ftrack_api.exception.ServerError(
            'DuplicateEntryError(User u1 already has a running timer)')

    monkeypatch.setattr(session, 'commit', commit)
    with pytest.raises(ftrack_api.exception.NotUniqueError) as error:
        user.start_timer()
    assert str(error.value) == (
        'Failed to start a timelog for user with id: u1, it is likely that a timer '
        'is already running. Either use force=True or stop the timer first.')
