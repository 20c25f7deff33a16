"""Weight sharing by k-means (Deep Compression / deep k-means), see DESIGN.md §2 "Deep k-means".

Import from the submodules:

    from engine.compress.kmeans_1d import kmeans_1d, KMeansResult   # exact 1-D k-means; numpy + ckwrap
    from engine.compress.kmeans import kmeans, kmeans_torch         # Lloyd in torch (CPU/CUDA); imports torch

Nothing is re-exported here on purpose: the functions ``kmeans`` and ``kmeans_1d`` share their names with
the submodules, and Python binds a package attribute to the submodule whenever the submodule is first
imported, so a package-level re-export would silently turn into a module. Keeping this file empty also
keeps ``import engine.compress`` free of torch.
"""
