"""The digits data of /compress, cached for every session (and filled at server start by ``ui/warm_up.py``)."""
from ui.bounded_cache import MiB, bounded_cache


@bounded_cache(max_entries=4, max_bytes=64 * MiB)
def digits(seed: int):
    """The digits split for a seed (read once per server; never modified)."""
    from engine.compress.digits import load_data

    return load_data(seed)
