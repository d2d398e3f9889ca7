"""Times scikit-learn's KMeans for bench/kmeans.ts (a baseline measured in the same run).

Usage: kmeans_timing.py MATRIX_FILE INIT_FILE N D K RUNS
MATRIX_FILE holds N x D float64 values, INIT_FILE K x D starting centres, row-major, native byte order.
Prints one JSON object per case: Lloyd from the given start, and k-means++ plus Lloyd (n_init=1),
each the median time over RUNS fits in ms, with n_iter_ and inertia_. tol=1e-4, max_iter=300 as ours.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans


def median_fit(x, runs, **options):
    results = []
    for run in range(runs):
        model = KMeans(tol=1e-4, max_iter=300, algorithm="lloyd", n_init=1, **options)
        started = time.perf_counter()
        model.fit(x)
        results.append({"ms": (time.perf_counter() - started) * 1000, "iterations": int(model.n_iter_), "inertia": float(model.inertia_)})
    results.sort(key=lambda r: r["ms"])
    return results[len(results) // 2]


def main() -> None:
    matrix, init_file, n, d, k, runs = sys.argv[1:7]
    x = np.fromfile(matrix, dtype=np.float64).reshape(int(n), int(d))
    init = np.fromfile(init_file, dtype=np.float64).reshape(int(k), int(d))
    print(json.dumps({
        "sameStart": median_fit(x, int(runs), n_clusters=int(k), init=init),
        "kmeansPlusPlus": median_fit(x, int(runs), n_clusters=int(k), init="k-means++", random_state=0),
        "version": __import__("sklearn").__version__,
    }))


if __name__ == "__main__":
    main()
