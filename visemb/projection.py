"""2-D coordinates of store vectors for the map: PCA, t-SNE and UMAP."""

from __future__ import annotations


import numpy as np

PROJECTIONS = ("pca", "tsne", "umap")


def project(unit_vectors: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """[n, d] unit vectors -> [n, 2] float32 coordinates, scaled to [-1, 1].

    Raises:
        ValueError: unknown method; ImportError: ``umap`` without umap-learn installed.
    """
    x = np.asarray(unit_vectors, np.float32)
    n = len(x)
    if n < 3:
        return np.zeros((n, 2), np.float32)
    if method == "pca":
        from sklearn.decomposition import PCA

        xy = PCA(n_components=2, random_state=seed).fit_transform(x)
    elif method == "tsne":
        from sklearn.decomposition import PCA
        from sklearn.manifold import TSNE

        reduced = PCA(n_components=min(50, n - 1, x.shape[1]), random_state=seed).fit_transform(x)
        xy = TSNE(n_components=2, metric="cosine", init="pca", random_state=seed,
                  perplexity=min(30.0, (n - 1) / 3)).fit_transform(reduced)
    elif method == "umap":
        import umap

        xy = umap.UMAP(n_components=2, metric="cosine", random_state=seed,
                       n_neighbors=min(15, n - 1)).fit_transform(x)
    else:
        raise ValueError(f"Unknown projection {method!r}; expected one of {PROJECTIONS}")
    xy = xy - xy.mean(axis=0)
    return (xy / max(float(np.abs(xy).max()), 1e-9)).astype(np.float32)
