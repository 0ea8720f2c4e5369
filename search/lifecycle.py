"""Elasticsearch index lifecycle: versioned mappings, aliases, zero-downtime reindex.

* Mappings come from ``search/schema.py`` (fields declared once for both backends); a
  breaking change bumps the index's version N there and is rolled out with ``reindex``.
* The app reads and writes through the alias ``<prefix><name>``; it points at one
  concrete index ``<prefix><name>-v<N>-<timestamp>``.
* ``ensure`` creates a missing alias with its first index. That first index's timestamp is
  fixed (``00000000000000``) so that processes starting together converge on one index
  instead of racing to create several.
* ``reindex`` creates a new concrete index, bulk-loads the documents (periodic refreshes
  off until the load ends; versioned, so a write arriving meanwhile through the alias is
  not lost on the old index and is caught up from the outbox), refreshes, swaps the alias
  in ONE ``update_aliases`` call (remove from the old indices + add to the new one, atomic)
  and then deletes the old indices.
* Replicas: the schema says 0 (single-node development and tests); production sets
  ``SEARCH_INDEX_REPLICAS``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable

from .schema import mapping

INITIAL_STAMP = "00000000000000"
MERGE_TIMEOUT = 600.0  # seconds the rebuilt index's merge to one segment may take


def alias_name(prefix: str, name: str) -> str:
    return f"{prefix}{name}"


def concrete_name(prefix: str, name: str, version: int, stamp: str | None = None) -> str:
    stamp = stamp or time.strftime("%Y%m%d%H%M%S") + f"{int(time.time() * 1e6) % 1_000_000:06d}"
    return f"{prefix}{name}-v{version}-{stamp}"


def concrete_pattern(prefix: str, name: str | None = None) -> re.Pattern:
    names = re.escape(name) if name else r"[a-z]+"
    return re.compile(rf"^{re.escape(prefix)}{names}-v\d+-\d+$")


def _body(name: str, replicas: int | None) -> tuple[int, dict]:
    version, body = mapping(name)
    body = json.loads(json.dumps(body))
    if replicas is not None:
        body.setdefault("settings", {})["number_of_replicas"] = int(replicas)
    return version, body


def create_index(
    client,
    prefix: str,
    name: str,
    replicas: int | None = None,
    stamp: str | None = None,
    with_alias: bool = False,
    overrides: dict | None = None,
) -> str:
    version, body = _body(name, replicas)
    index = concrete_name(prefix, name, version, stamp)
    settings = body.get("settings")
    if overrides:
        settings = dict(settings or {})
        settings["index"] = {**(settings.get("index") or {}), **overrides}
    kwargs = {"settings": settings, "mappings": body.get("mappings")}
    if with_alias:
        kwargs["aliases"] = {alias_name(prefix, name): {}}
    client.indices.create(index=index, **kwargs)
    return index


def alias_targets(client, prefix: str, name: str) -> list[str]:
    alias = alias_name(prefix, name)
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias).body.keys())


def ensure(client, prefix: str, name: str, replicas: int | None = None) -> None:
    if alias_targets(client, prefix, name):
        return
    alias = alias_name(prefix, name)
    if client.indices.exists(index=alias):
        raise RuntimeError(f"{alias} is a concrete index, expected an alias")
    try:
        create_index(client, prefix, name, replicas, stamp=INITIAL_STAMP, with_alias=True)
    except Exception as exc:  # another process created it first
        if "resource_already_exists_exception" not in str(exc):
            raise
        if not alias_targets(client, prefix, name):
            index = concrete_name(prefix, name, mapping(name)[0], INITIAL_STAMP)
            client.indices.put_alias(index=index, name=alias)
    client.cluster.health(index=alias, wait_for_status="yellow", timeout="30s")


def swap_alias(client, prefix: str, name: str, new_index: str) -> list[str]:
    """Point the alias at ``new_index`` only, in one atomic call; returns the old targets."""
    alias = alias_name(prefix, name)
    old = [i for i in alias_targets(client, prefix, name) if i != new_index]
    actions = [{"remove": {"index": i, "alias": alias}} for i in old]
    actions.append({"add": {"index": new_index, "alias": alias}})
    client.indices.update_aliases(actions=actions)
    return old


def reindex(
    client,
    prefix: str,
    name: str,
    actions: Iterable[dict],
    bulk: Callable[[str, Iterable[dict], Callable[[int], None] | None], int],
    progress: Callable[[int], None] | None = None,
    replicas: int | None = None,
) -> int:
    """Build a new index from ``actions`` and swap it in; returns the document count.

    The new index is loaded with periodic refreshes off (nobody reads it before the swap);
    its refresh interval goes back to the mapping's (or the default) before the final
    refresh, and it is merged into one segment before the swap.
    """
    new_index = create_index(client, prefix, name, replicas, overrides={"refresh_interval": "-1"})
    try:
        client.cluster.health(index=new_index, wait_for_status="yellow", timeout="30s")
        count = bulk(new_index, actions, progress)
        settings = _body(name, replicas)[1].get("settings") or {}
        interval = (settings.get("index") or {}).get(
            "refresh_interval", settings.get("refresh_interval")
        )
        client.indices.put_settings(
            index=new_index, settings={"index": {"refresh_interval": interval}}
        )
        client.indices.refresh(index=new_index)
        # One segment: a match's exact vector search and its first phase visit each segment
        # once (at 100,000 providers, six segments made a 1,000-nearest search ~5× slower).
        client.options(request_timeout=MERGE_TIMEOUT).indices.forcemerge(
            index=new_index, max_num_segments=1
        )
        old = swap_alias(client, prefix, name, new_index)
    except BaseException:
        client.indices.delete(index=new_index, ignore_unavailable=True)
        raise
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    return count


def list_concrete(client, prefix: str) -> list[str]:
    pattern = concrete_pattern(prefix)
    found = client.indices.get(
        index=f"{prefix}*", expand_wildcards="all", ignore_unavailable=True, allow_no_indices=True
    ).body
    return sorted(i for i in found if pattern.match(i))


def drop_all(client, prefix: str) -> None:
    indices = list_concrete(client, prefix)
    for i in range(0, len(indices), 50):
        client.indices.delete(index=",".join(indices[i : i + 50]), ignore_unavailable=True)
