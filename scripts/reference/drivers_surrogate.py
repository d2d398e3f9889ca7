#!/usr/bin/env python3
"""Regenerate test/fixtures/reference/drivers_surrogate.json: scikit-learn multinomial logistic regression.

Usage (from any working directory):

    /usr/bin/python3 scripts/reference/drivers_surrogate.py [DATA_DIR]

DATA_DIR defaults to ../shared/data next to the repository. Requirements: numpy and scikit-learn 1.2
(Debian bookworm: apt-get install python3-sklearn).

The engine's surrogate (src/engine/drivers/surrogate.ts) minimises
    (1/n) * sum_i cross_entropy(softmax(W x_i + b), y_i) + (l2 / 2) * ||W||_F^2     (b unpenalised),
and scikit-learn's LogisticRegression(multi_class='multinomial', solver='lbfgs') minimises
    C * sum_i cross_entropy(...) + (1/2) * ||W||_F^2,
which has the same minimiser when C = 1 / (n * l2). Softmax logits are defined up to one constant per row;
the L2 penalty pins W (its class sums are 0 at the optimum) but not b, so both sides report b centred to
sum 0 over the classes (scikit-learn's L-BFGS, started at 0, already keeps that sum at 0; the script
centres explicitly and records how far it was).

Cases (each stores its input matrix and labels, so the TypeScript test needs no CSV parsing):
- mall_k5: the standardised Mall Customers matrix of kmeans_lloyd.json (200 x 3) with its run_a k-means
  labels (k = 5), l2 = 1e-2 (C = 0.5);
- bank_mixed: 400 rows of Bank Marketing drawn with numpy seed 7; age, balance, duration, campaign
  z-scored with the population std, marital and education one-hot encoded (3 + 4 columns); labels from
  KMeans(n_clusters=4, n_init=10, random_state=0) on that matrix; l2 = 1e-3 (C = 2.5).
Every fit uses tol=1e-12 and max_iter=10000 so scikit-learn stops at the optimum, not at its default
tolerance. SciPy's L-BFGS still stops on its relative-decrease test (ftol = 64 eps) with a gradient
max-norm near 1e-6, which leaves the coefficients up to ~4e-4 from the optimum on the ill-conditioned
bank case (one-hot blocks are collinear with the intercept, so the smallest Hessian eigenvalue is about
l2). The script therefore also takes five Newton steps on the exact objective from scikit-learn's answer
and stores the result (`optimum_coefficients`, `optimum_intercepts`, gradient max-norm ~1e-17) together
with the largest change they made (`newton_polish_max_change`), which is how far scikit-learn's own
coefficients are from the optimum.
"""

import csv
import json
import platform
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "reference" / "drivers_surrogate.json"


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def objective_gradient(x, y, k, l2, w, b):
    n = x.shape[0]
    p = softmax(x @ w.T + b)
    onehot = np.eye(k)[y]
    loss = -np.log(p[np.arange(n), y]).mean() + 0.5 * l2 * (w * w).sum()
    r = (p - onehot) / n
    return loss, r.T @ x + l2 * w, r.sum(axis=0)


def newton_polish(x, y, k, l2, w, b, steps=5):
    """Full Newton steps on (W, b) with the Hessian restricted to b summing to 0 (pseudo-inverse)."""
    n, d = x.shape
    xa = np.hstack([x, np.ones((n, 1))])
    for _ in range(steps):
        p = softmax(x @ w.T + b)
        onehot = np.eye(k)[y]
        g = ((p - onehot).T @ xa) / n
        g[:, :d] += l2 * w
        h = np.zeros((k * (d + 1), k * (d + 1)))
        for c in range(k):
            for e in range(k):
                weight = p[:, c] * ((c == e) - p[:, e]) / n
                h[c * (d + 1):(c + 1) * (d + 1), e * (d + 1):(e + 1) * (d + 1)] = (xa * weight[:, None]).T @ xa
        for c in range(k):
            for j in range(d):
                h[c * (d + 1) + j, c * (d + 1) + j] += l2
        step = np.linalg.pinv(h, rcond=1e-12) @ g.reshape(-1)
        step = step.reshape(k, d + 1)
        w = w - step[:, :d]
        b = b - step[:, d]
        b = b - b.mean()
    return w, b


def fit_case(x: np.ndarray, y: np.ndarray, k: int, l2: float) -> dict:
    n = x.shape[0]
    c = 1.0 / (n * l2)
    model = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=c, tol=1e-12, max_iter=10000)
    model.fit(x, y)
    w = model.coef_.copy()
    b = model.intercept_.copy()
    intercept_sum = float(b.sum())
    b = b - b.mean()
    loss, gw, gb = objective_gradient(x, y, k, l2, w, b)
    pw, pb = newton_polish(x, y, k, l2, w, b)
    _, pgw, pgb = objective_gradient(x, y, k, l2, pw, pb)
    proba = model.predict_proba(x[:10])
    return {
        "X": x.tolist(),
        "labels": y.tolist(),
        "k": k,
        "l2": l2,
        "C": c,
        "coefficients": w.tolist(),
        "intercepts": b.tolist(),
        "raw_intercept_sum": intercept_sum,
        "objective": float(loss),
        "gradient_max_norm": float(max(np.abs(gw).max(), np.abs(gb).max())),
        "newton_polish_max_change": float(max(np.abs(pw - w).max(), np.abs(pb - b).max())),
        "optimum_coefficients": pw.tolist(),
        "optimum_intercepts": pb.tolist(),
        "newton_polish_gradient_max_norm": float(max(np.abs(pgw).max(), np.abs(pgb).max())),
        "n_iter": int(model.n_iter_[0]),
        "train_accuracy": float((model.predict(x) == y).mean()),
        "predict_proba_first10": proba.tolist(),
    }


def mall_case() -> dict:
    kmeans = json.loads((ROOT / "test" / "fixtures" / "reference" / "kmeans_lloyd.json").read_text())
    x = np.array(kmeans["input"]["X"], dtype=np.float64)
    y = np.array(kmeans["run_a"]["labels"], dtype=np.int64)
    return fit_case(x, y, 5, 1e-2)


def bank_case(data: Path) -> dict:
    with (data / "bank_marketing" / "bank-full.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    pick = np.sort(np.random.default_rng(7).choice(len(rows), size=400, replace=False))
    rows = [rows[i] for i in pick]
    numeric = np.array([[float(r[name]) for name in ("age", "balance", "duration", "campaign")] for r in rows])
    numeric = (numeric - numeric.mean(axis=0)) / numeric.std(axis=0)
    blocks = []
    for name in ("marital", "education"):
        levels = sorted({r[name] for r in rows})
        blocks.append(np.array([[1.0 if r[name] == level else 0.0 for level in levels] for r in rows]))
    x = np.hstack([numeric] + blocks)
    y = KMeans(n_clusters=4, n_init=10, random_state=0).fit(x).labels_.astype(np.int64)
    case = fit_case(x, y, 4, 1e-3)
    case["columns"] = ["age", "balance", "duration", "campaign"] + [
        f"{name}={level}" for name in ("marital", "education") for level in sorted({r[name] for r in rows})
    ]
    return case


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    fixture = {
        "description": "Multinomial L2 logistic regression (scikit-learn lbfgs) for the persona-driver surrogate",
        "recipe": {
            "script": "scripts/reference/drivers_surrogate.py",
            "objective": "(1/n) sum cross-entropy + (l2/2) ||W||_F^2, intercepts unpenalised and centred; C = 1/(n l2)",
            "estimator": "LogisticRegression(multi_class='multinomial', solver='lbfgs', C=1/(n*l2), tol=1e-12, max_iter=10000)",
            "library_versions": {
                "python": platform.python_version(),
                "numpy": np.__version__,
                "scikit-learn": sklearn.__version__,
            },
        },
        "cases": {"mall_k5": mall_case(), "bank_mixed": bank_case(data)},
    }
    OUT.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    for name, case in fixture["cases"].items():
        print(name, "n_iter", case["n_iter"], "grad", case["gradient_max_norm"], "polish change",
              case["newton_polish_max_change"], "polished grad", case["newton_polish_gradient_max_norm"],
              "raw intercept sum", case["raw_intercept_sum"], "acc", case["train_accuracy"])


if __name__ == "__main__":
    main()
