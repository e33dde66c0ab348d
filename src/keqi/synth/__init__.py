"""The synthetic city: a population of Chongqing enterprises and the demo built on it.

``population`` draws firms in the exchange format (no Django); it sits beside the apps it fills,
not inside the registry. ``keqi synth`` writes it to a file and ``keqi demo`` loads it.
"""
