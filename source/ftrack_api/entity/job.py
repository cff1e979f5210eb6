"""Job entity: API jobs shown in the web interface's job list."""

from __future__ import annotations

import ftrack_api.entity.base


class Job(ftrack_api.entity.base.Entity):
    """Represent job."""

    def __init__(self, session, data=None, reconstructing=False):
        """Initialise job bound to *session* (see :class:`Entity`).

        *data* may carry a ``data`` key with a JSON serialised mapping
        holding a ``description`` shown in the web interface. Raise
        :exc:`ValueError` when *data* has a ``type`` other than
        ``'api_job'`` (only API jobs can be created through the API);
        the check is skipped when *reconstructing* an existing job.
        """
        if not reconstructing and data is not None:
            job_type = data.get('type')
            if job_type is not None and job_type != 'api_job':
                raise ValueError(
                    'Invalid job type "{0}". Must be "api_job"'.format(job_type)
                )
        super(Job, self).__init__(
            session, data=data, reconstructing=reconstructing
        )
