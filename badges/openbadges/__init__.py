"""Open Badges serialisation and baking as plain Python (no Django), tested against the specs.

`ob2` composes Open Badges 2.0 JSON-LD documents; `baking` embeds and extracts badge data in PNG
and SVG images (OB 2.0, and OB 3.0 through its `OB3` baking profile).
"""
