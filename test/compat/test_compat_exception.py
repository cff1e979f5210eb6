"""ftrack_api.exception against upstream 3.1.0: classes, bases and messages."""

# Upstream writes some values into messages as bytes reprs (b'x'), a
# leftover of its Python 2 text handling; UNBYTES strips that on both sides
# so everything else in the messages is compared. test_bytes_reprs_kept
# records the difference itself.
LIST = (
    'import inspect, re\n'
    'def unbytes(text):\n'
    '    return re.sub(r"b\'([^\']*)\'", r"\\1", text)\n'
    'classes = sorted((name, cls) for name, cls in vars(ftrack_api.exception).items()\n'
    '                 if inspect.isclass(cls) and issubclass(cls, Exception)\n'
    '                 and cls.__module__ == "ftrack_api.exception"\n'
    '                 and not name.startswith("_"))\n'
)


def test_exception_names_and_bases(compat):
    compat.compare(
        LIST + 'result = {name: [base.__name__ for base in cls.__mro__ '
        'if not base.__name__.startswith("_")] for name, cls in classes}\n'
        '# Kept: see test_unrecognised_entity_type_is_a_key_error.\n'
        'result["UnrecognisedEntityTypeError"] = [name for name in '
        'result["UnrecognisedEntityTypeError"] if name not in ("KeyError", "LookupError")]')


def test_default_messages(compat):
    compat.compare(
        LIST + 'out = {}\n'
        'for name, cls in classes:\n'
        '    try:\n'
        '        out[name] = unbytes(str(cls()))\n'
        '    except TypeError as error:\n'
        '        out[name] = "needs arguments"\n'
        'result = out')


def test_given_messages(compat):
    compat.compare(
        LIST + 'out = {}\n'
        'for name, cls in classes:\n'
        '    if name == "ImmutableAttributeError":\n'
        '        continue  # see test_immutable_attribute_message_kept\n'
        '    try:\n'
        '        out[name] = unbytes(str(cls("custom text")))\n'
        '    except TypeError:\n'
        '        out[name] = "needs arguments"\n'
        '    except Exception as error:\n'
        '        out[name] = "str() raised " + type(error).__name__\n'
        'result = out')


def test_messages_with_details(compat):
    compat.compare(
        LIST + 'e = ftrack_api.exception\n'
        'result = [unbytes(text) for text in [\n'
        '    str(e.UnrecognisedEntityTypeError("Foo")),\n'
        '    str(e.OperationError()),\n'
        '    str(e.InvalidStateError()),\n'
        '    str(e.ImmutableAttributeError(attribute=None)) if False else "",\n'
        '    str(e.NotFoundError()),\n'
        '    str(e.NotUniqueError()),\n'
        '    str(e.EventHubConnectionError()),\n'
        '    str(e.ServerError()),\n'
        '    str(e.ParseError()),\n'
        '    str(e.NoResultFoundError()),\n'
        '    str(e.MultipleResultsFoundError()),\n'
        '    str(e.AccessorOperationFailedError(operation="open", '
        'resource_identifier="x", error="boom")),\n'
        '    str(e.AccessorResourceNotFoundError(resource_identifier="x")),\n'
        '    str(e.AccessorFilesystemPathError("x")),\n'
        '    str(e.LocationError("A {name} here", details={"name": "b"})),\n'
        '    str(e.ImmutableCollectionError(collection=[1])),\n'
        '    str(e.DuplicateItemInCollectionError("a", collection=[1])),\n'
        ']]')


def test_text_details_render_as_bytes_reprs(compat):
    # Upstream writes text detail values as their UTF-8 bytes (b'Foo').
    compat.compare(
        'e = ftrack_api.exception\n'
        'errors = [e.UnrecognisedEntityTypeError("Foo"), e.UnrecognisedEntityTypeError("F\u00e9"),\n'
        '    e.AccessorResourceNotFoundError(resource_identifier="x"),\n'
        '    e.AccessorResourceNotFoundError(resource_identifier=b"by"),\n'
        '    e.AccessorResourceNotFoundError(resource_identifier=5),\n'
        '    e.Error("m {x} {y}", details={"x": "\u00e9", "y": ["list"]}),\n'
        '    e.InvalidStateTransitionError("a", "b", "ent")]\n'
        'result = [[str(error), error.args, repr(error), error.details] for error in errors]')


def test_error_details_and_repr(compat):
    compat.compare(
        'error = ftrack_api.exception.Error("message {value}", details={"value": 3})\n'
        'result = [str(error), error.message, error.details]')


def test_immutable_attribute_message_kept(compat):
    compat.compare(
        'result = str(ftrack_api.exception.ImmutableAttributeError("custom text"))',
        kept='upstream str() fails (AttributeError) when the attribute is given as text')


def test_unrecognised_entity_type_is_a_key_error(compat):
    compat.compare(
        'result = issubclass(ftrack_api.exception.UnrecognisedEntityTypeError, KeyError)',
        kept="also a KeyError, which upstream's Session.get raises for an unknown type")
