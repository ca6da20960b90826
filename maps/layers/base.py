"""A layer is an invisible parent item: clearing it removes everything it drew."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem


class LayerGroup(QGraphicsItem):
    """Parent of a layer's items; draws nothing and takes no events of its own.

    A QGraphicsItemGroup would swallow its children's mouse and drop events, which
    the crew markers need, so a plain item with ItemHasNoContents is used instead.
    """

    def __init__(self, z: float):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(z)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, option, widget=None) -> None:
        pass

    def clear(self) -> None:
        scene = self.scene()
        for child in self.childItems():
            if scene is not None:
                scene.removeItem(child)
            else:
                child.setParentItem(None)
