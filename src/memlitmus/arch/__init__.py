"""Architecture front ends: instruction semantics → events. See `registry.ARCHES`."""
