#!/usr/bin/env python3
"""diff_geo.py -- randomized geo differential test: random points and random
searches (GEOSEARCH / GEOSEARCHSTORE / GEORADIUS* by radius and by box, with
every option), GEOPOS / GEODIST / GEOHASH, replayed on minired and
redis-server by utils/diffcheck.py, which compares every raw reply byte for
byte (members found, their order, distances, hashes and coordinates).

Points cluster around a few random centres (some near the poles' Mercator
limits and the antimeridian) so searches find many members; sets are small
(listpack) in some streams and large (skiplist) in others. Some points
repeat another's coordinates (equal distances: their order under ASC, DESC
and COUNT is the sort algorithm's) or its longitude (distances along one
meridian). Half the streams run in RESP3.

    python3 utils/diff_geo.py --server build/epoll/minired-server [--streams 20] [--length 200] [--seed 1]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

LAT_MAX = 85.05112878
UNITS = ['m', 'km', 'ft', 'mi', 'KM', 'Mi']
KEYS = ['g1', 'g2']


def rand_centre(rng):
    kind = rng.random()
    if kind < 0.15:
        return rng.choice([-1, 1]) * rng.uniform(179, 180), rng.uniform(-60, 60)
    if kind < 0.3:
        return rng.uniform(-180, 180), rng.choice([-1, 1]) * rng.uniform(70, LAT_MAX)
    return rng.uniform(-180, 180), rng.uniform(-80, 80)


def clamp_point(lon, lat):
    lon = max(-180.0, min(180.0, lon))
    lat = max(-LAT_MAX, min(LAT_MAX, lat))
    return lon, lat


def fmt(x):
    return repr(round(x, 10))


def near(rng, centre, spread_deg):
    lon, lat = centre
    return clamp_point(lon + rng.uniform(-spread_deg, spread_deg), lat + rng.uniform(-spread_deg, spread_deg))


def distance_arg(rng):
    unit = rng.choice(UNITS)
    metres = rng.choice([10, 1000, 50000, 200000, 1000000, 5000000, 12000000])
    scale = {'m': 1, 'km': 1000, 'ft': 0.3048, 'mi': 1609.34}[unit.lower()]
    return '%.3f %s' % (metres * rng.uniform(0.2, 1.5) / scale, unit)


def box_arg(rng):
    unit = rng.choice(UNITS)
    scale = {'m': 1, 'km': 1000, 'ft': 0.3048, 'mi': 1609.34}[unit.lower()]
    metres = rng.choice([1000, 50000, 400000, 2000000, 10000000])
    w = metres * rng.uniform(0.2, 2) / scale
    h = metres * rng.uniform(0.2, 2) / scale
    return '%.3f %.3f %s' % (w, h, unit)


def options(rng, allow_with=True):
    opts = []
    if allow_with:
        for o in ('WITHDIST', 'WITHHASH', 'WITHCOORD'):
            if rng.random() < 0.4:
                opts.append(o)
    r = rng.random()
    if r < 0.3:
        opts.append('ASC')
    elif r < 0.5:
        opts.append('DESC')
    r = rng.random()
    if r < 0.3:
        opts.append('COUNT %d' % rng.randint(1, 30))
    elif r < 0.45:
        opts.append('COUNT %d ANY' % rng.randint(1, 30))
    rng.shuffle(opts)
    return ' '.join(opts)


def search(rng, key, members, centre):
    lon, lat = near(rng, centre, 3)
    member = rng.choice(members) if members else 'nobody'
    frm = rng.choice(['FROMLONLAT %s %s' % (fmt(lon), fmt(lat)), 'FROMMEMBER %s' % member])
    by = rng.choice(['BYRADIUS ' + distance_arg(rng), 'BYBOX ' + box_arg(rng)])
    kind = rng.random()
    if kind < 0.35:
        return ['GEOSEARCH %s %s %s %s' % (key, frm, by, options(rng))]
    if kind < 0.5:
        dist = ' STOREDIST' if rng.random() < 0.5 else ''
        return ['GEOSEARCHSTORE dst %s %s %s %s%s' % (key, frm, by, options(rng, False), dist),
                'ZRANGE dst 0 -1 WITHSCORES']
    if kind < 0.7:
        name = rng.choice(['GEORADIUS', 'GEORADIUS_RO'])
        return ['%s %s %s %s %s %s' % (name, key, fmt(lon), fmt(lat), distance_arg(rng), options(rng))]
    if kind < 0.85:
        name = rng.choice(['GEORADIUSBYMEMBER', 'GEORADIUSBYMEMBER_RO'])
        return ['%s %s %s %s %s' % (name, key, member, distance_arg(rng), options(rng))]
    store = rng.choice(['STORE', 'STOREDIST'])
    return ['GEORADIUS %s %s %s %s %s %s dst' % (key, fmt(lon), fmt(lat), distance_arg(rng), options(rng, False),
                                                  store),
            'ZRANGE dst 0 -1 WITHSCORES']


def stream(rng, length, big):
    lines = []
    centres = [rand_centre(rng) for _ in range(3)]
    members = {k: [] for k in KEYS}
    npoints = rng.randint(300, 1500) if big else rng.randint(5, 120)
    points = []
    for key in KEYS:
        batch = []
        for i in range(npoints):
            c = rng.choice(centres)
            lon, lat = near(rng, c, rng.choice([0.05, 0.5, 3, 20]))
            r = rng.random()
            if points and r < 0.1:
                lon, lat = rng.choice(points)  # a tie: equal distances
            elif points and r < 0.15:
                lon = rng.choice(points)[0]  # one meridian
            points.append((lon, lat))
            name = 'm%d' % i if rng.random() < 0.8 else str(i)
            batch.append('%s %s %s' % (fmt(lon), fmt(lat), name))
            members[key].append(name)
            if len(batch) == 50:
                lines.append('GEOADD %s %s' % (key, ' '.join(batch)))
                batch = []
        if batch:
            lines.append('GEOADD %s %s' % (key, ' '.join(batch)))
    for _ in range(length):
        key = rng.choice(KEYS)
        r = rng.random()
        if r < 0.1:
            lines.append('GEOPOS %s %s %s' % (key, rng.choice(members[key]), rng.choice(members[key])))
        elif r < 0.2:
            lines.append('GEODIST %s %s %s %s' % (key, rng.choice(members[key]), rng.choice(members[key]),
                                                   rng.choice(UNITS)))
        elif r < 0.25:
            lines.append('GEOHASH %s %s %s' % (key, rng.choice(members[key]), rng.choice(members[key])))
        elif r < 0.3:
            lon, lat = near(rng, rng.choice(centres), 1)
            opt = rng.choice(['', 'CH ', 'NX ', 'XX ', 'XX CH '])
            lines.append('GEOADD %s %s%s %s %s' % (key, opt, fmt(lon), fmt(lat), rng.choice(members[key])))
        else:
            lines += search(rng, key, members[key], rng.choice(centres))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', required=True)
    ap.add_argument('--streams', type=int, default=20)
    ap.add_argument('--length', type=int, default=200)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory(prefix='diff_geo.') as tmp:
        files = []
        for i in range(args.streams):
            rng = random.Random(args.seed + i)
            lines = ['# seed %d' % (args.seed + i)]
            if i % 2:
                lines += ['!shape', 'HELLO 3']
            lines += stream(rng, args.length, big=(i % 4) >= 2)
            path = os.path.join(tmp, 'geo%03d.txt' % i)
            with open(path, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            files.append(path)
        return subprocess.call([sys.executable, os.path.join(here, 'diffcheck.py'), '--server', args.server] + files)


if __name__ == '__main__':
    sys.exit(main())
