"""Witness executions of allowed outcomes and explanations of forbidden ones."""
