"""Architectures: descriptors (`descriptor`, listed in `registry`) and their front ends."""
