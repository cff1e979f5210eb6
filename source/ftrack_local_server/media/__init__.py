"""Encoding media for ``encode_media``: finding ffmpeg, probing, transcoding, job lifecycle.

Work in progress (issue 10): :mod:`.encoder`, :mod:`.probe` and
:mod:`.transcode` are in place; :mod:`.jobs` (the job pool) is not wired
into the server yet, so ``encode_media`` still answers through
:mod:`ftrack_local_server.actions.media`.
"""
