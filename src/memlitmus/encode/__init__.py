"""Z3 encoding of candidate executions and of model relations."""
