"""The differentiable ops, one file per family.

Each op is a small class: ``forward`` computes on raw data, ``backward``
states the chain rule with operators that also work on graph nodes, and
``derivatives`` states each local derivative once, for readers (and for the
renderer and the chain-rule explainer in ``viz``).
"""
