"""Server errors are logged on the session's logger, as upstream logs them."""


def test_failed_call_and_commit_log_the_server_error(compat, ftrack_server):
    compat.compare(
        'session = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'outcome = []\n'
        'try:\n'
        '    session.call([{"action": "explode"}])\n'
        'except ftrack_api.exception.ServerError as error:\n'
        '    outcome.append(str(error))\n'
        'session.create("Scope", {"id": "no-name-scope"})\n'
        'try:\n'
        '    session.commit()\n'
        'except ftrack_api.exception.ServerError as error:\n'
        '    outcome.append(str(error))\n'
        'session.rollback()\n'
        'session.close()\n'
        'result = outcome', server=ftrack_server)


def test_session_logger_is_named_after_its_class(compat, ftrack_server):
    compat.compare(
        'class StudioSession(ftrack_api.Session):\n'
        '    pass\n'
        'session = StudioSession(auto_connect_event_hub=False)\n'
        'plain = ftrack_api.Session(auto_connect_event_hub=False)\n'
        'result = [session.logger.name, plain.logger.name]\n'
        'session.close()\n'
        'plain.close()', server=ftrack_server)
