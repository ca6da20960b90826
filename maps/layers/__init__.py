"""Map layers: each class knows one kind of thing and how to draw it in the scene."""
