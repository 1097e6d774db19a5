"""Litmus files: the AST and the parser."""
