"""Kernel C on the hardware models: the kernel's own mappings, grace periods, lowering."""
