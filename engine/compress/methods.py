"""The names of the digits-CNN compression methods and Deep k-means bases (``deep_kmeans``), importable
without torch (the page lists them before torch is loaded)."""
METHODS = {"kmeans": "k-means sharing, no retraining", "scalar": "Deep Compression (scalar)",
           "dkm": "Deep k-means (retrained)"}
BASES = ("svd", "hard")
