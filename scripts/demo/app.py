"""A small WSGI app for the uwsgitop-ts demo and tests: fast, slow, failing and cache-using routes."""
import os
import select

try:
    import uwsgi  # present when running under uWSGI
except ImportError:  # pragma: no cover
    uwsgi = None

# /slow without ?s= sleeps this long: the sample capture keeps a request's URI exact yet in flight for long.
SLOW_DEFAULT_S = os.environ.get('UWSGITOP_SLOW_DEFAULT_S', '2')


def pause(seconds):
    # select() rather than time.sleep(): under Debian's libfaketime (the suite's calendar pass) with
    # FAKETIME_DONT_FAKE_MONOTONIC=1, time.sleep fails with EINVAL while select's timeout still works.
    select.select([], [], [], seconds)


def application(env, start_response):
    path = env.get('PATH_INFO', '/')
    if path.startswith('/slow'):
        query = dict(p.split('=', 1) for p in env.get('QUERY_STRING', '').split('&') if '=' in p)
        pause(min(float(query.get('s', SLOW_DEFAULT_S)), 120.0))
    elif path.startswith('/error'):
        raise RuntimeError('demo exception')
    elif path.startswith('/cache') and uwsgi is not None and uwsgi.cache_exists is not None:
        key = env.get('QUERY_STRING', 'k') or 'k'
        try:
            if uwsgi.cache_get(key) is None:
                uwsgi.cache_set(key, b'v')
        except Exception:  # a cache-less instance: still answer
            pass
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok\n']
