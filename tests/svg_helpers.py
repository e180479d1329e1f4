"""Reading the SVG that Graphviz writes: nodes and edges by their class and id."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Item:
    """A node or edge of the drawing: its id, classes, texts and fill colours."""

    id: str
    title: str
    classes: set[str]
    texts: list[str]
    fills: list[str]
    stroke_widths: list[str]


@dataclass
class Drawing:
    nodes: dict[str, Item]
    edges: list[Item]

    def by_class(self, name: str) -> list[Item]:
        return [n for n in self.nodes.values() if name in n.classes]

    def edges_between(self, tail: str, head: str) -> list[Item]:
        return [e for e in self.edges if e.title == f"{tail}->{head}"]


def _item(g: ET.Element) -> Item:
    title = g.find(f"{SVG}title")
    return Item(
        id=g.get("id", ""),
        title=title.text if title is not None and title.text else "",
        classes=set(g.get("class", "").split()),
        texts=[(t.text or "").strip() for t in g.iter(f"{SVG}text")],
        fills=[p.get("fill", "") for p in g if p.tag in (f"{SVG}polygon", f"{SVG}ellipse")],
        stroke_widths=[p.get("stroke-width", "1") for p in g if p.tag == f"{SVG}path"],
    )


def parse(svg: str) -> Drawing:
    """Parse an SVG document into its nodes (by id) and edges (in document order)."""
    root = ET.fromstring(svg)
    nodes: dict[str, Item] = {}
    edges: list[Item] = []
    for g in root.iter(f"{SVG}g"):
        classes = g.get("class", "").split()
        if "node" in classes:
            item = _item(g)
            assert item.id not in nodes, f"duplicate node id {item.id}"
            nodes[item.id] = item
        elif "edge" in classes:
            edges.append(_item(g))
    return Drawing(nodes, edges)
