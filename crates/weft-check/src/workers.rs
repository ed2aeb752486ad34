//! How many workers explore a model by default (`Model::workers`,
//! `WEFT_WORKERS`).

/// The machine's available parallelism (1 when it cannot be read): the
/// number of workers a model explores with when neither the builder nor
/// `WEFT_WORKERS` says.
pub(crate) fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
