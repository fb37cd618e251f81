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
          'BundleParseBenchmark']


def load(path):
    rows = {}
    for r in json.load(open(path)):
        _, cls, method = r['benchmark'].rsplit('.', 2)
        p = r.get('params', {})
        rows[(cls, method, p.get('implementation'), p.get('issuer') or p.get('alg'))] = r
    return rows


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


def main(paths):
    runs = {os.path.basename(p): load(p) for p in paths}
    best = {}
    for g in GROUPS:
        name = min(runs, key=lambda n: worst_error(runs[n], g))
        best[g] = (name, runs[name], worst_error(runs[name], g))

    def m(g, method, impl, var=None):
        return best[g][1][(g, method, impl, var)]['primaryMetric']

    def source(g):
        name, _, err = best[g]
        return f"\nRun: `{name}`; largest error in this table {100 * err:.0f}% of its score.\n"

    def x(a, b):
        return f"{a / b:.2f}x"

    out = []
    g = 'SpiffeIdParseBenchmark'
    a, b = m(g, 'parse', 'spiffe4j'), m(g, 'parse', 'java-spiffe')
    out += ["| SpiffeId.parse (ns/op) | spiffe4j | java-spiffe | speed-up |", "|---|---|---|---|",
            f"| `spiffe://prod.example.org/ns/payments/sa/api-server` | {fmt(a)} | {fmt(b)} | "
            f"{x(b['score'], a['score'])} |", source(g)]

    g = 'X509SvidWarmBenchmark'
    out += ["| X.509 warm (µs/op) | spiffe4j | java-spiffe | speed-up |", "|---|---|---|---|"]
    for issuer, label in (('intermediate', 'leaf ← intermediate ← root'), ('root', 'leaf ← root')):
        a, b = m(g, 'verify', 'spiffe4j', issuer), m(g, 'verify', 'java-spiffe', issuer)
        out.append(f"| {label} | {fmt(a)} | {fmt(b)} | {x(b['score'], a['score'])} |")
    out.append(source(g))

    g = 'X509SvidColdBenchmark'
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
    out += ["| JWT-SVID validate (µs/op) | spiffe4j | java-spiffe | floor-jdk | floor-bc | speed-up vs java-spiffe "
            "| spiffe4j / floor-bc | spiffe4j / floor-jdk |", "|---|---|---|---|---|---|---|---|"]
    for alg in ('ES256', 'RS256'):
        a, b, fj, fb = (m(g, 'validate', i, alg) for i in ('spiffe4j', 'java-spiffe', 'floor-jdk', 'floor-bc'))
        out.append(f"| {alg} | {fmt(a)} | {fmt(b)} | {fmt(fj)} | {fmt(fb)} | {x(b['score'], a['score'])} "
                   f"| {x(a['score'], fb['score'])} | {x(a['score'], fj['score'])} |")
    out.append(source(g))

    g = 'BundleParseBenchmark'
    out += ["| Bundle parse (µs/op) | spiffe4j | java-spiffe | speed-up |", "|---|---|---|---|"]
    for method, label in (('x509Pem', 'X.509 bundle, PEM, 3 CAs'), ('jwks', 'JWT bundle, JWKS, 3 EC keys')):
        a, b = m(g, method, 'spiffe4j'), m(g, method, 'java-spiffe')
        out.append(f"| {label} | {fmt(a)} | {fmt(b)} | {x(b['score'], a['score'])} |")
    out.append(source(g))
    print("\n".join(out))


if __name__ == '__main__':
    main(sys.argv[1:])
