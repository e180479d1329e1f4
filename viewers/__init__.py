"""Viewers of networks and training runs, above both :mod:`autograd` and :mod:`nn`.

Imports point down only: this package reads :mod:`nn` models and the
:mod:`autograd` op table and step-through; neither of those imports it.
:mod:`viewers.plot` draws training curves (needs matplotlib).
"""
