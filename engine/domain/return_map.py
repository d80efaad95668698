"""The mapping tables of the regulators' returns (processes/regulation/returns.toml), read from data: which BaFin
report category a complaint counts under, and the firm's FCA product rows and main causes. Pure: validates a
mapping and answers lookups; the SQL that applies it lives in engine/store/returns_tables.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOT_MAPPED = "not mapped"
CATEGORY_KINDS = ("service", "custody", "ancillary", "other")


@dataclass(frozen=True)
class Category:
    """A BaFin report category (section A)."""

    id: str
    kind: str
    label: str
    label_de: str


@dataclass(frozen=True)
class ReturnMap:
    """The designer's tables; keys are lower case and trimmed."""

    categories: tuple[Category, ...]
    fallback: str
    by_product: dict[str, str] = field(default_factory=dict)
    by_product_group: dict[str, str] = field(default_factory=dict)
    fca_products: dict[str, str] = field(default_factory=dict)
    fca_causes: dict[str, str] = field(default_factory=dict)
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)  # "bafin"/"fca" -> (text, url)

    def category_ids(self) -> tuple[str, ...]:
        return tuple(category.id for category in self.categories)

    def category_of(self, product: str | None, product_group: str | None) -> str:
        """The category a complaint counts under: by product, else by product group, else the fallback."""
        return self.by_product.get(key(product)) or self.by_product_group.get(key(product_group)) or self.fallback


def key(value: object) -> str:
    return str(value or "").strip().lower()


def _table(entry: dict[str, Any], name: str, where: str) -> dict[str, str]:
    table = entry.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) and v.strip() for v in table.values()):
        raise ValueError(f"{where}: {name} maps names to text")
    return {key(k): v.strip() for k, v in table.items()}


def return_map_from_mapping(entry: dict[str, Any], where: str = "returns.toml") -> ReturnMap:
    """Validate the file's mapping; ValueError names what is wrong."""
    bafin, fca = entry.get("bafin", {}), entry.get("fca", {})
    if not isinstance(bafin, dict) or not isinstance(fca, dict):
        raise ValueError(f"{where}: [bafin] and [fca] are tables")
    categories = []
    for raw in bafin.get("categories", []):
        if not isinstance(raw, dict) or raw.get("kind") not in CATEGORY_KINDS:
            raise ValueError(f"{where}: each bafin category has an id, a kind ({', '.join(CATEGORY_KINDS)}), labels")
        texts = [str(raw.get(name) or "").strip() for name in ("id", "label", "label_de")]
        if not all(texts):
            raise ValueError(f"{where}: bafin category {raw.get('id', '?')!r} needs id, label and label_de")
        categories.append(Category(texts[0], str(raw["kind"]), texts[1], texts[2]))
    ids = [category.id for category in categories]
    fallback = str(bafin.get("fallback") or "")
    if len(set(ids)) != len(ids) or fallback not in ids:
        raise ValueError(f"{where}: bafin category ids are unique and the fallback is one of them")
    by_product, by_group = _table(bafin, "by_product", where), _table(bafin, "by_product_group", where)
    unknown = sorted({*by_product.values(), *by_group.values()} - set(ids))
    if unknown:
        raise ValueError(f"{where}: unknown bafin categories {', '.join(unknown)}")
    sources = {
        name: (str(table.get("source") or ""), str(table.get("url") or ""))
        for name, table in (("bafin", bafin), ("fca", fca))
    }
    return ReturnMap(
        tuple(categories),
        fallback,
        by_product,
        by_group,
        _table(fca, "products", where),
        _table(fca, "causes", where),
        sources,
    )
