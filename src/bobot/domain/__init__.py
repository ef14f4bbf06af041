"""Pure rules of backorder management: no framework, no I/O, plain data in and out."""
