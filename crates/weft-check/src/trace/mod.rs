//! Trace files: the `weft-trace/1` JSON format (in progress).
