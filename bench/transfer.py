"""Upload and download a large file through the ftrack.server location.

Against a local server with a database file: the client's upload
(multipart) and download of ``--size`` MiB (default 2048), next to a plain
``requests`` PUT / GET of the same bytes to the same server (the floor;
target: at least 0.8 of its throughput); the peak memory of the client
process while it transfers (target under 100 MB); and, for a failure
injected at 90 % of the parts, how long the resumed upload takes against
a whole upload.

    python bench/transfer.py [--size MIB]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CLIENT = r'''
import os, sys, time, resource, requests, json
import ftrack_api
import ftrack_api.accessor._transfer as transfer
path, mode = sys.argv[1], sys.argv[2]
session = ftrack_api.Session(auto_connect_event_hub=False)
location = session.query('Location where name is "ftrack.server"').one()
origin = session.query('Location where name is "ftrack.origin"').one()
size = os.path.getsize(path)
result = {}
if mode == 'client':
    start = time.perf_counter()
    component = session.create_component(path, location=location)
    result['upload'] = time.perf_counter() - start
    start = time.perf_counter()
    handle = location.accessor.open(location.get_resource_identifier(component), 'rb')
    while handle.read(8 * 1024 * 1024):
        pass
    handle.close()
    result['download'] = time.perf_counter() - start
elif mode == 'floor':
    component = session.create_component(path, location=None)
    session.commit()
    metadata = session.get_upload_metadata(component['id'], 'floor.bin', size)
    start = time.perf_counter()
    with open(path, 'rb') as stream:
        requests.put(metadata['url'], data=stream, headers=metadata['headers']).raise_for_status()
    result['upload'] = time.perf_counter() - start
    session.create('ComponentLocation', {'component': component, 'location': location,
                                         'resource_identifier': component['id']})
    session.commit()
    start = time.perf_counter()
    response = requests.get(location.accessor.get_url(component['id']), stream=True)
    with open(os.devnull, 'wb') as sink:
        for block in response.iter_content(8 * 1024 * 1024):
            sink.write(block)
    result['download'] = time.perf_counter() - start
else:  # resume: fail the last 10 % of the parts once, then add again
    real_put = requests.put
    state = {'fail': True}
    parts = -(-size // transfer.part_size_for(size))
    first_failing = int(parts * 0.9) + 1
    def put(url, *args, **kwargs):
        if state['fail'] and '/parts/' in url and int(url.rsplit('/', 1)[1]) >= first_failing:
            raise requests.ConnectionError('injected')
        return real_put(url, *args, **kwargs)
    requests.put = put
    transfer.PART_ATTEMPTS = 1
    component = session.create_component(path, location=None)
    start = time.perf_counter()
    try:
        location.add_component(component, origin)
    except ftrack_api.exception.LocationError:
        pass
    result['failed_attempt'] = time.perf_counter() - start
    state['fail'] = False
    start = time.perf_counter()
    location.add_component(component, origin)
    result['resume'] = time.perf_counter() - start
result['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps(result))
session.close()
'''


def run_client(environment, path, mode):
    output = subprocess.run([sys.executable, '-c', CLIENT, path, mode], env=environment,
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, default=2048, help='file size in MiB')
    options = parser.parse_args(arguments)
    from ftrack_local_server import LocalServer

    folder = tempfile.mkdtemp(prefix='bench-transfer-')
    path = os.path.join(folder, 'plate.bin')
    block = os.urandom(8 * 1024 * 1024)
    with open(path, 'wb') as stream:
        for _ in range(max(1, options.size // 8)):
            stream.write(block)
    size_mb = os.path.getsize(path) / 1e6
    with LocalServer(database=os.path.join(folder, 'studio.sqlite'), mode='process') as server:
        environment = dict(os.environ, FTRACK_SERVER=server.url,
                           FTRACK_API_USER=server.api_user, FTRACK_API_KEY=server.api_key)
        floor = run_client(environment, path, 'floor')
        ours = run_client(environment, path, 'client')
        resumed = run_client(environment, path, 'resume')
    for kind in ('upload', 'download'):
        print('{0:<9} {1:7.1f} MB/s  floor (plain requests) {2:7.1f} MB/s  ratio {3:.2f} '
              '(target at least 0.80)'.format(
                  kind, size_mb / ours[kind], size_mb / floor[kind],
                  floor[kind] / ours[kind]))
    print('peak client memory {0:.0f} MB (target under 100 MB; floor process '
          '{1:.0f} MB)'.format(ours['peak_rss_mb'], floor['peak_rss_mb']))
    print('resume after a failure at 90 %: {0:.2f} s, against {1:.2f} s for the whole '
          'upload ({2:.0%})'.format(resumed['resume'], ours['upload'],
                                    resumed['resume'] / ours['upload']))



if __name__ == '__main__':
    main()
