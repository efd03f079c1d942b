"""The price cache: results kept while their fingerprint holds, least recently used dropped, safe across threads."""

from __future__ import annotations

import random
import sys
import threading

from myelectricaldata.services.price_cache import PriceCache


def test_a_result_is_kept_while_its_fingerprint_holds():
    cache: PriceCache[list[int]] = PriceCache(size=2)
    computed = []

    def compute(value: int):
        return lambda: computed.append(value) or [value]

    first = cache.get("a", 1, compute(1))
    assert cache.get("a", 1, compute(2)) is first and computed == [1]
    assert cache.get("a", 2, compute(3)) == [3] and computed == [1, 3]  # its inputs changed
    cache.get("b", 1, compute(4))
    cache.get("a", 2, compute(5))  # "a" used last: "b" is the one dropped next
    cache.get("c", 1, compute(6))
    assert len(cache) == 2 and computed == [1, 3, 4, 6]
    assert cache.get("b", 1, compute(7)) == [7]
    cache.clear()
    assert len(cache) == 0 and cache.get("c", 1, compute(8)) == [8]


def test_a_result_computed_across_a_clear_is_not_kept():
    cache: PriceCache[str] = PriceCache()

    def compute() -> str:
        cache.clear()  # the inputs changed while this result was being computed
        return "stale"

    assert cache.get("a", 1, compute) == "stale"
    assert len(cache) == 0 and cache.get("a", 1, lambda: "fresh") == "fresh"


def test_eight_threads_with_evictions_see_no_error_and_only_right_values():
    """12 keys in 4 places, clears now and then: a thread's hit and another's eviction interleave (the unlocked
    check-then-``move_to_end`` this replaced raised KeyError here)."""
    cache: PriceCache[tuple[str, int]] = PriceCache(size=4)
    errors: list[BaseException] = []
    wrong: list[tuple] = []
    start = threading.Barrier(8)

    def hammer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(20000):
                key, fingerprint = f"pdl{rng.randrange(12)}", rng.randrange(3)
                value = cache.get(key, fingerprint, lambda k=key, f=fingerprint: (k, f))
                if value != (key, fingerprint):
                    wrong.append((key, fingerprint, value))
                if rng.random() < 0.01:
                    cache.clear()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == [] and wrong == []
    assert len(cache) <= 4


def test_reserve_makes_room_beside_the_initial_size_and_never_shrinks():
    cache: PriceCache[int] = PriceCache(4)
    cache.reserve(50)
    assert cache.size == 54
    for n in range(54):
        cache.get(n, "f", lambda n=n: n)
    assert len(cache) == 54 and cache.get(0, "f", lambda: -1) == 0  # the oldest is still there
    cache.reserve(3)
    assert cache.size == 54
