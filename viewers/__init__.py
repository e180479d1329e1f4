"""Viewers of networks and training runs, above both :mod:`autograd` and :mod:`nn`.

Imports point down only: this package reads :mod:`nn` models and the
:mod:`autograd` op table and step-through; neither of those imports it.

* :mod:`viewers.network`: the network view, ``draw_network(net, loss=L)``
  (also importable from here), an SVG of the network as the articles draw it;
* :mod:`viewers.netsteps`: the backward pass one neuron or one layer at a time
  on that view;
* :mod:`viewers.plot`: training curves (needs matplotlib);
* :mod:`viewers.page`: one self-contained HTML page stepping through a
  graph's forward and backward passes, ``graph_page(L).save("L.html")``;
* :mod:`viewers.replay`: the same kind of page for a network's backward pass
  (``network_page``) and for a recorded training run (``record_training``,
  ``replay_page``; ``deltagrad train ... --html``).
"""

from .network import draw_network, network_svg

__all__ = ["draw_network", "network_svg"]
