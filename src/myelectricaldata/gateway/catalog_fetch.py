"""Fetch the supplier catalog and the Zen Flex calendar from the gateway, parsed and ready to store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..energy.catalog import CatalogGrid, HistoryKey
from .catalog import (
    OfferType,
    Provider,
    group_history,
    parse_offer_types,
    parse_offers,
    parse_providers,
    parse_zen_flex_days,
)
from .client import GatewayClient
from .errors import UnexpectedPayload


@dataclass(frozen=True)
class CatalogFetch:
    """Suppliers and every grid the gateway publishes, grouped per offer; the rows that could not be read."""

    providers: list[Provider]
    history: dict[HistoryKey, tuple[CatalogGrid, ...]]
    received: int  # offer rows in the answer
    refused: list[str]  # one message per unreadable row, naming supplier, offer, kVA, id and field


def fetch_catalog(client: GatewayClient) -> CatalogFetch:
    """``GET /energy/providers`` then ``GET /energy/offers?include_history=true`` (two public requests), parsed
    and grouped by offer (one grid per offer and day). Raises the client's errors, and UnexpectedPayload when
    an answer is not a list."""
    providers = parse_providers(client.energy_providers().data)
    data = client.energy_offers(include_history=True).data
    if not isinstance(data, list):
        raise UnexpectedPayload(f"energy offers: expected a list, got {type(data).__name__}",
                                request="GET /energy/offers")
    rows = parse_offers(data, providers)
    return CatalogFetch(providers, group_history(rows.grids), len(data), rows.refused)


def fetch_offer_types(client: GatewayClient) -> list[OfferType]:
    """``GET /energy/offer-types`` parsed, in display order."""
    return parse_offer_types(client.offer_types().data)


def fetch_zen_flex_days(client: GatewayClient, start: date | None = None,
                        end: date | None = None) -> dict[date, str]:
    """``GET /zen-flex/days`` for start..end (the gateway's whole calendar up to tomorrow when left out), by
    Paris date; a day the gateway does not know is left out."""
    return parse_zen_flex_days(client.zen_flex_days(start, end).data)
