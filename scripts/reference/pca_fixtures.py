#!/usr/bin/env python3
"""Regenerate test/fixtures/reference/pca.json: scikit-learn PCA on two customer datasets.

Usage (from any working directory):

    /usr/bin/python3 scripts/reference/pca_fixtures.py [DATA_DIR]

DATA_DIR defaults to ../shared/data next to the repository (the shared/ folder beside it). Requirements:
numpy and scikit-learn 1.2 (Debian bookworm: apt-get install python3-sklearn).

Each case stores its input matrix, so the TypeScript test needs no CSV parsing:
- mall: Mall Customers, Age / Annual Income (k$) / Spending Score (1-100), standardised with the
  population std (as kmeans_lloyd.json), PCA(n_components=2);
- wholesale: Wholesale customers, log1p of the six spending columns (not standardised, so the columns
  keep different variances), PCA(n_components=3) and PCA(n_components=6).
PCA uses svd_solver='full' (what 'auto' picks for these shapes) and scikit-learn 1.2's sign rule
(svd_flip with u_based_decision=True: in each component the row score of largest magnitude is positive).
"""

import json
import platform
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.decomposition import PCA

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "reference" / "pca.json"


def load_csv(path: Path, columns: list[str]) -> np.ndarray:
    with path.open(newline="") as handle:
        header = handle.readline().strip().split(",")
        index = [header.index(name) for name in columns]
        rows = [line.strip().split(",") for line in handle if line.strip()]
    return np.array([[float(row[i]) for i in index] for row in rows], dtype=np.float64)


def fit(x: np.ndarray, components: int) -> dict:
    pca = PCA(n_components=components, svd_solver="full").fit(x)
    return {
        "n_components": components,
        "mean": pca.mean_.tolist(),
        "components": pca.components_.tolist(),
        "explained_variance": pca.explained_variance_.tolist(),
        "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
        "singular_values": pca.singular_values_.tolist(),
        "noise_variance": float(pca.noise_variance_),
        "transform_first20": pca.transform(x[:20]).tolist(),
    }


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    mall_columns = ["Age", "Annual Income (k$)", "Spending Score (1-100)"]
    mall = load_csv(data / "mall_customers" / "Mall_Customers.csv", mall_columns)
    mall = (mall - mall.mean(axis=0)) / mall.std(axis=0)
    spend_columns = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"]
    wholesale = np.log1p(load_csv(data / "wholesale_customers" / "Wholesale customers data.csv", spend_columns))
    fixture = {
        "description": "scikit-learn PCA (svd_solver='full', whiten=False) on standardised Mall Customers and log1p Wholesale spending",
        "recipe": {
            "script": "scripts/reference/pca_fixtures.py",
            "mall": "Mall_Customers.csv, columns " + ", ".join(mall_columns) + ", (x - mean) / std with ddof = 0",
            "wholesale": "Wholesale customers data.csv, columns " + ", ".join(spend_columns) + ", log1p, not scaled",
            "sign_rule": "svd_flip(U, Vt), u_based_decision=True (scikit-learn 1.2)",
            "library_versions": {
                "python": platform.python_version(),
                "numpy": np.__version__,
                "scikit-learn": sklearn.__version__,
            },
        },
        "cases": {
            "mall_2": {"X": mall.tolist(), **fit(mall, 2)},
            "wholesale_3": {"X": wholesale.tolist(), **fit(wholesale, 3)},
            "wholesale_6": {"X": None, "same_input_as": "wholesale_3", **fit(wholesale, 6)},
        },
    }
    OUT.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
