"""Run snippets of client code and describe what happened, as JSON.

This script runs inside two interpreters: the upstream ``ftrack-python-api``
3.1.0 virtualenv and ours. It imports nothing of this project; the same
snippet gets the same treatment on both sides, so the two descriptions can
be compared by the tests in this folder.

Protocol: one JSON request per line on standard input
(``{"code": ..., "log_level": ..., "env": {...}}``), one JSON answer per line
on the original standard output. A snippet runs in a fresh namespace with
``ftrack_api`` imported and these names:

``api_calls``
    the parsed JSON bodies of the requests sent to ``/api`` while it runs;
``api_headers``
    the headers of those requests (the API key replaced by ``<key>``);
``workdir``
    an empty folder of its own, removed once the snippet has run (its path
    is written ``<workdir>`` in the answer);
``describe(value)``
    the portable description also used for ``result``.

It sets ``result``; the answer holds ``result`` (described), ``raised`` (the
exception's class name, the ``ftrack_api.exception`` classes it derives
from and its message), ``logs`` (level and message of each record of the
``ftrack_api`` loggers at or above ``log_level``) and ``stdout``.
"""

import io
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import traceback

_ADDRESS = re.compile(r'0x[0-9a-fA-F]{6,}')


def describe(value, _depth=0):
    """Return a JSON-able description of *value* that keeps its kind."""
    if _depth > 40:
        return {'deep': type(value).__name__}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {'float': repr(value)}
        return value
    if isinstance(value, (bytes, bytearray)):
        return {'bytes': repr(bytes(value))}
    if isinstance(value, tuple):
        return {'tuple': [describe(item, _depth + 1) for item in value]}
    if isinstance(value, list):
        return [describe(item, _depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [describe(item, _depth + 1) for item in value]
        return {'set': sorted(items, key=lambda item: json.dumps(item, sort_keys=True))}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: describe(item, _depth + 1) for key, item in value.items()}
        return {'dict': [
            [describe(key, _depth + 1), describe(item, _depth + 1)]
            for key, item in value.items()
        ]}
    try:
        text = str(value)
    except Exception as error:  # a str() that fails is itself a finding
        text = '<str() raised {0}>'.format(type(error).__name__)
    return {'object': type(value).__name__, 'str': _ADDRESS.sub('0x?', text)}


def _exception_description(error):
    import ftrack_api.exception

    # The public ftrack_api.exception classes it derives from (private
    # helper bases are an implementation detail).
    bases = [
        cls.__name__ for cls in type(error).__mro__
        if cls.__module__ == ftrack_api.exception.__name__
        and not cls.__name__.startswith('_')
    ]
    try:
        message = str(error)
    except Exception as failure:
        message = '<str() raised {0}>'.format(type(failure).__name__)
    return {
        'type': type(error).__name__,
        'bases': bases,
        'message': _ADDRESS.sub('0x?', message),
    }


class _Records(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self, level=logging.DEBUG)
        self.records = []
        self.threshold = logging.WARNING

    def emit(self, record):
        if record.levelno < self.threshold:
            return
        if not record.name.startswith('ftrack_api'):
            return
        try:
            message = record.getMessage()
        except Exception as error:
            message = '<getMessage() raised {0}>'.format(type(error).__name__)
        self.records.append([record.levelname, _ADDRESS.sub('0x?', message)])


def _install_recorder(calls, headers):
    import requests.adapters

    original = requests.adapters.HTTPAdapter.send

    def send(adapter, request, *args, **kwargs):
        if request.url.split('?', 1)[0].endswith('/api'):
            body = request.body
            if isinstance(body, bytes):
                body = body.decode('utf-8')
            try:
                calls.append(json.loads(body))
            except Exception:
                calls.append({'unparsed': body})
            seen = {}
            for name, value in request.headers.items():
                if name.lower() == 'ftrack-api-key':
                    value = '<key>'
                seen[name.lower()] = value
            headers.append(seen)
        return original(adapter, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = send


def main():
    output = sys.stdout
    records = _Records()
    root = logging.getLogger()
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    calls = []
    headers = []
    _install_recorder(calls, headers)
    import ftrack_api  # noqa: F401  (import once, outside any snippet)

    for line in sys.stdin:
        request = json.loads(line)
        del calls[:]
        del headers[:]
        del records.records[:]
        records.threshold = getattr(logging, request.get('log_level', 'WARNING'))
        for name, value in request.get('env', {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        captured = io.StringIO()
        namespace = {
            '__name__': '__compat__',
            'ftrack_api': sys.modules['ftrack_api'],
            'api_calls': calls,
            'api_headers': headers,
            'workdir': tempfile.mkdtemp(prefix='compat-'),
            'describe': describe,
        }
        answer = {}
        sys.stdout = captured
        try:
            exec(compile(request['code'], '<snippet>', 'exec'), namespace)
        except BaseException as error:  # the snippet's own exception is data
            answer['raised'] = _exception_description(error)
            answer['traceback'] = traceback.format_exc()
        finally:
            sys.stdout = output
        try:
            answer['result'] = describe(namespace.get('result'))
        except Exception:
            answer['result'] = {'undescribable': traceback.format_exc()}
        answer['logs'] = list(records.records)
        answer['stdout'] = _ADDRESS.sub('0x?', captured.getvalue())
        shutil.rmtree(namespace['workdir'], ignore_errors=True)
        text = json.dumps(answer)
        # Each side has its own folder: name it the same in the answers.
        for form in (namespace['workdir'], json.dumps(namespace['workdir'])[1:-1]):
            text = text.replace(form, '<workdir>')
        output.write(text + '\n')
        output.flush()


if __name__ == '__main__':
    main()
