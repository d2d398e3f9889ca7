"""Times scikit-learn's GaussianMixture.fit for bench/gmm.ts.

Usage: gmm_timing.py MATRIX_FILE N D K COVARIANCE_TYPE RUNS SEED [TOL]
MATRIX_FILE holds N x D float64 values, row-major, native byte order. Prints one JSON object:
the median time over RUNS fits in ms, with that run's n_iter_ and score (mean log-likelihood).
Defaults as the TypeScript fit: init_params='kmeans', n_init=1, tol=1e-3 (or TOL), max_iter=100, reg_covar=1e-6.
"""
import json
import sys
import time

import numpy as np
from sklearn.mixture import GaussianMixture


def main() -> None:
    path, n, d, k, covariance_type, runs, seed = sys.argv[1:8]
    tol = float(sys.argv[8]) if len(sys.argv) > 8 else 1e-3
    x = np.fromfile(path, dtype=np.float64).reshape(int(n), int(d))
    results = []
    for run in range(int(runs)):
        model = GaussianMixture(
            n_components=int(k), covariance_type=covariance_type, tol=tol, random_state=int(seed) + run
        )
        started = time.perf_counter()
        model.fit(x)
        elapsed_ms = (time.perf_counter() - started) * 1000
        results.append({"ms": elapsed_ms, "iterations": int(model.n_iter_), "score": float(model.score(x))})
    results.sort(key=lambda r: r["ms"])
    print(json.dumps(results[len(results) // 2]))


if __name__ == "__main__":
    main()
