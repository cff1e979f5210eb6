"""Benchmark the event hub against a local server: latency and throughput.

Starts a :class:`ftrack_local_server.LocalServer` in a subprocess and two
sessions connected to its event server, then measures:

* the round trip: session A publishes, a handler in session B replies, and
  A's ``on_reply`` callback runs (median and 99th percentile);
* sustained throughput from A to a handler in B over ``--duration`` seconds;
* the server process's resident memory before, during (every 5 s) and
  after (Linux only), to show whether it grows;
* how long ``--subscribers`` subscriptions take to make and to reach the
  server.

Run: ``python bench/events.py [--round-trips N] [--duration SECONDS]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time

import ftrack_api
from ftrack_api.event.base import Event
from ftrack_local_server import LocalServer
from ftrack_local_server.events.testing import serving, sync_subscriptions


def resident_memory_kib(pid):
    """Return the resident memory of process *pid* in KiB, or None."""
    try:
        with open('/proc/{0}/status'.format(pid)) as handle:
            for line in handle:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def make_session(server):
    session = ftrack_api.Session(
        server_url=server.url,
        api_user=server.api_user,
        api_key=server.api_key,
        auto_connect_event_hub=False,
    )
    session.event_hub.connect()
    return session


def measure_round_trips(publisher, count):
    """Return the round-trip times in seconds of *count* request/replies.

    The publisher's events (the replies) are handled by a thread waiting on
    its hub, as in a real service; this thread blocks until ``on_reply`` ran.
    """
    replied = threading.Event()
    times = []
    for _ in range(count):
        replied.clear()
        started = time.perf_counter()
        publisher.publish(Event(topic='bench.ping'), on_reply=lambda event: replied.set())
        if not replied.wait(30):
            raise RuntimeError('No reply within 30 seconds.')
        times.append(time.perf_counter() - started)
    return times


def measure_throughput(publisher, received, duration, window, sample=None):
    """Publish for *duration* seconds; return (sent, delivered, elapsed).

    At most *window* events are in flight, so the measure is what the
    receiver sustains rather than how much can be buffered. *sample*, if
    given, is called about every five seconds meanwhile.
    """
    sent = 0
    started = time.perf_counter()
    deadline = started + duration
    next_sample = started + 5
    while time.perf_counter() < deadline:
        publisher.publish(Event(topic='bench.flood', data={'n': sent}))
        sent += 1
        while sent - received[0] > window:
            time.sleep(0.0005)
        if sample is not None and time.perf_counter() >= next_sample:
            sample()
            next_sample += 5
    drain = time.perf_counter() + 30
    while received[0] < sent and time.perf_counter() < drain:
        time.sleep(0.001)
    return sent, received[0], time.perf_counter() - started


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--round-trips', type=int, default=2000)
    parser.add_argument('--duration', type=float, default=30.0)
    parser.add_argument('--window', type=int, default=1000)
    parser.add_argument('--mode', choices=['process', 'thread'], default='process')
    parser.add_argument('--subscribers', type=int, default=5000)
    options = parser.parse_args(arguments)

    server = LocalServer(mode=options.mode)
    server.start()
    try:
        pid = server.pid
        publisher = make_session(server)
        responder = make_session(server)
        received = [0]

        def count(event):
            received[0] += 1

        responder.event_hub.subscribe('topic=bench.ping', lambda event: 'pong')
        responder.event_hub.subscribe('topic=bench.flood', count)
        sync_subscriptions(responder.event_hub)

        with serving(responder.event_hub, publisher.event_hub, interval=0.2):
            measure_round_trips(publisher.event_hub, 200)  # Warm up.
            memory_before = resident_memory_kib(pid)
            times = sorted(measure_round_trips(publisher.event_hub, options.round_trips))
            median = statistics.median(times) * 1000
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
            print('round trip over {0} events: median {1:.3f} ms, p99 {2:.3f} ms'.format(
                len(times), median, p99
            ))

            samples = []
            sent, delivered, elapsed = measure_throughput(
                publisher.event_hub,
                received,
                options.duration,
                options.window,
                sample=lambda: samples.append(resident_memory_kib(pid)),
            )
            memory_after = resident_memory_kib(pid)
            print('throughput: {0} sent, {1} delivered in {2:.1f} s = {3:.0f} events/s'.format(
                sent, delivered, elapsed, delivered / elapsed
            ))
            if memory_before is not None and memory_after is not None:
                print('server resident memory ({0}): {1} KiB before, {2} KiB after '
                      '({3:+d} KiB); every 5 s during the run: {4}'.format(
                          'server process' if options.mode == 'process' else 'whole process',
                          memory_before, memory_after, memory_after - memory_before,
                          ', '.join(str(value) for value in samples)))
            else:
                print('server resident memory: not available on this platform')

            started = time.perf_counter()
            identifiers = [
                responder.event_hub.subscribe(
                    'topic=bench.many and data.n={0}'.format(index), lambda event: None
                )
                for index in range(options.subscribers)
            ]
            subscribed = time.perf_counter() - started
            sync_subscriptions(responder.event_hub)
            announced = time.perf_counter() - started
            print('{0} subscribers: subscribe() calls {1:.3f} s, known to the server '
                  'after {2:.3f} s'.format(len(identifiers), subscribed, announced))

        publisher.close()
        responder.close()
    finally:
        server.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
