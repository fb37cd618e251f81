#!/usr/bin/env python3
"""Prints the README's result tables from JMH JSON results (-rf json) of full runs on one JDK.

Usage: python3 benchmarks/results/tables.py benchmarks/results/jdk17-run*.json

The machine is shared, so one run can catch another job's load in some trials. For each benchmark class this takes
all of its rows from the one run where the class's worst relative error (score error / score) is smallest: ratios are
always between rows of the same run, and which run it was is printed under each table.
"""
import json
import os
import sys

GROUPS = ['SpiffeIdParseBenchmark', 'X509SvidWarmBenchmark', 'X509SvidColdBenchmark', 'JwtSvidValidateBenchmark',
          'BundleParseBenchmark', 'AuthorityMintBenchmark']


def load(path):
    rows = {}
    for r in json.load(open(path)):
        _, cls, method = r['benchmark'].rsplit('.', 2)
        p = r.get('params', {})
        rows[(cls, method, p.get('implementation'), p.get('issuer') or p.get('alg'))] = r
    return rows


def load_average(run):
    """The 1-minute load average at the start and end of a run, from runs.log beside this script, if it logged them."""
    seen = {}
    log = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'runs.log')
    for line in open(log) if os.path.exists(log) else []:
        fields = line.split()
        if len(fields) >= 5 and fields[2] + '.json' == run:
            seen[fields[1]] = fields[4]
    if 'start' not in seen or 'end' not in seen:
        return ''
    return f"; load average {seen['start']} at its start, {seen['end']} at its end"


def worst_error(rows, group):
    errs = [r['primaryMetric']['scoreError'] / r['primaryMetric']['score'] for k, r in rows.items() if k[0] == group]
    return max(errs) if errs else float('inf')


def fmt(m):
    sc, err = m['score'], m['scoreError']
    if sc >= 100:
        return f"{sc:,.0f} ± {err:,.0f}"
    if sc >= 10:
        return f"{sc:.1f} ± {err:.1f}"
    if sc >= 1:
        return f"{sc:.2f} ± {err:.2f}"
    return f"{sc:.3f} ± {err:.3f}"


def authority_mint(m, x):
    """The authority's three operations: time and rate, ratios to the floors of the same work, then to each floor."""
    floors = [('floorJdkKeyGen', 'JDK keygen'), ('floorJdkSign', 'JDK sign'), ('floorBcKeyGen', 'BC keygen'),
              ('floorBcSign', 'BC sign'), ('handRolledJca', 'hand-rolled (JCA)'), ('handRolledBc', 'hand-rolled (BC)')]
    f = {method: m(method)['score'] for method, _ in floors}
    operations = (('mintX509Svid', '`mintX509Svid` (fresh key + leaf)'),
                  ('signX509Svid', '`signX509Svid` (leaf for a given key)'),
                  ('mintJwtSvid', '`mintJwtSvid` (ES256)'))
    # The least the same work costs each way: minting adds a key pair to the certificate; a JWT-SVID is one signature.
    same_work = {
        'mintX509Svid': (f['floorJdkKeyGen'] + f['floorJdkSign'], f['floorBcKeyGen'] + f['floorBcSign'],
                         f['floorJdkKeyGen'] + f['handRolledJca'], f['floorBcKeyGen'] + f['handRolledBc']),
        'signX509Svid': (f['floorJdkSign'], f['floorBcSign'], f['handRolledJca'], f['handRolledBc']),
        'mintJwtSvid': (f['floorJdkSign'], f['floorBcSign'], None, None),
    }
    out = ["| operation, EC P-256 | µs/op | ops/s | ÷ JDK floor | ÷ BC floor | ÷ hand-rolled (JCA) "
           "| ÷ hand-rolled (BC) |", "|---|---|---|---|---|---|---|"]
    for method, label in operations:
        a = m(method)
        ratios = " | ".join(x(a['score'], floor) if floor else "—" for floor in same_work[method])
        out.append(f"| {label} | {fmt(a)} | {rate(a)} | {ratios} |")
    out += ["", "| ratio to each floor alone | " + " | ".join(f"÷ {label}" for _, label in floors) + " |",
            "|---|" + "---|" * len(floors)]
    for method, label in operations:
        out.append(f"| {label} | " + " | ".join(x(m(method)['score'], f[floor]) for floor, _ in floors) + " |")
    out += ["", "| floor, EC P-256 | µs/op | ops/s |", "|---|---|---|"]
    for method, label in floors:
        out.append(f"| {label} (`{method}`) | {fmt(m(method))} | {rate(m(method))} |")
    return out


def rate(metric):
    """Operations per second from an average time in µs/op."""
    return f"{1e6 / metric['score']:,.0f}"


def main(paths):
    runs = {os.path.basename(p): load(p) for p in paths}
    best = {}
    for g in GROUPS:
        name = min(runs, key=lambda n: worst_error(runs[n], g))
        if worst_error(runs[name], g) != float('inf'):
            best[g] = (name, runs[name], worst_error(runs[name], g))

    def m(g, method, impl, var=None):
        return best[g][1][(g, method, impl, var)]['primaryMetric']

    def source(g):
        name, _, err = best[g]
        return f"\nRun: `{name}`; largest error in this table {100 * err:.0f}% of its score{load_average(name)}.\n"

    def x(a, b):
        return f"{a / b:.2f}x"

    out = []
    g = 'SpiffeIdParseBenchmark'
    a, b = m(g, 'parse', 'spiffe4j'), m(g, 'parse', 'java-spiffe')
    out += ["| SpiffeId.parse (ns/op) | spiffe4j | java-spiffe | speed-up |", "|---|---|---|---|",
            f"| `spiffe://prod.example.org/ns/payments/sa/api-server` | {fmt(a)} | {fmt(b)} | "
            f"{x(b['score'], a['score'])} |", source(g)]

    g = 'X509SvidWarmBenchmark'
    if g in best:
        out += ["| X.509 warm (µs/op) | spiffe4j | java-spiffe | speed-up |", "|---|---|---|---|"]
        for issuer, label in (('intermediate', 'leaf ← intermediate ← root'), ('root', 'leaf ← root')):
            a, b = m(g, 'verify', 'spiffe4j', issuer), m(g, 'verify', 'java-spiffe', issuer)
            out.append(f"| {label} | {fmt(a)} | {fmt(b)} | {x(b['score'], a['score'])} |")
        out.append(source(g))

    g = 'X509SvidColdBenchmark'
    if g in best:
        out += ["| X.509 cold (µs/op) | checks | spiffe4j | java-spiffe | floor-jdk | floor-bc | parse-only "
                "| speed-up vs java-spiffe | spiffe4j / floor-bc | (spiffe4j − parse) / floor-bc | spiffe4j cache hits |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        for issuer, label, checks in (('intermediate', 'leaf ← intermediate ← root', 2), ('root', 'leaf ← root', 1)):
            a, b, fj, fb, po = (m(g, 'verify', i, issuer)
                                for i in ('spiffe4j', 'java-spiffe', 'floor-jdk', 'floor-bc', 'parse-only'))
            counters = best[g][1][(g, 'verify', 'spiffe4j', issuer)]['secondaryMetrics']
            hits = counters['cacheHits']['score'] / counters['verifications']['score']
            out.append(f"| {label} | {checks} | {fmt(a)} | {fmt(b)} | {fmt(fj)} | {fmt(fb)} | {fmt(po)} "
                       f"| {x(b['score'], a['score'])} | {x(a['score'], fb['score'])} "
                       f"| {x(a['score'] - po['score'], fb['score'])} | {100 * hits:.1f}% |")
        out.append(source(g))

    g = 'JwtSvidValidateBenchmark'
    if g in best:
        out += ["| JWT-SVID validate (µs/op) | spiffe4j | java-spiffe | floor-jdk | floor-bc | speed-up vs java-spiffe "
                "| spiffe4j / floor-bc | spiffe4j / floor-jdk |", "|---|---|---|---|---|---|---|---|"]
        for alg in ('ES256', 'RS256'):
            a, b, fj, fb = (m(g, 'validate', i, alg) for i in ('spiffe4j', 'java-spiffe', 'floor-jdk', 'floor-bc'))
            out.append(f"| {alg} | {fmt(a)} | {fmt(b)} | {fmt(fj)} | {fmt(fb)} | {x(b['score'], a['score'])} "
                       f"| {x(a['score'], fb['score'])} | {x(a['score'], fj['score'])} |")
        out.append(source(g))

    g = 'BundleParseBenchmark'
    if g in best:
        out += ["| Bundle parse (µs/op) | spiffe4j | java-spiffe | speed-up |", "|---|---|---|---|"]
        for method, label in (('x509Pem', 'X.509 bundle, PEM, 3 CAs'), ('jwks', 'JWT bundle, JWKS, 3 EC keys')):
            a, b = m(g, method, 'spiffe4j'), m(g, method, 'java-spiffe')
            out.append(f"| {label} | {fmt(a)} | {fmt(b)} | {x(b['score'], a['score'])} |")
        out.append(source(g))

    g = 'AuthorityMintBenchmark'
    if g in best:
        out += authority_mint(lambda method: m(g, method, None), x)
        out.append(source(g))
    print("\n".join(out))


if __name__ == '__main__':
    main(sys.argv[1:])
