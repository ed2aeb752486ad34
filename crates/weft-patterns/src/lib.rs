//! Python's concurrency patterns, on weft's checkable primitives.
//!
//! Every pattern here is built only on `weft_sync`'s swappable primitives,
//! so each one runs at full speed on std and is model-checked under
//! `--features loom` or `--features shuttle`.
//!
//! | Python | here |
//! | --- | --- |
//! | `threading.Thread`, `Timer`, `local`, `Lock`, `RLock`, `Condition`, `Semaphore`, `BoundedSemaphore`, `Event`, `Barrier` | [`threading`] |
//! | `concurrent.futures` | [`executor`] |
//! | `multiprocessing.Process` | [`process`] |
//! | `asyncio` | [`aio`] |
//! | "acquire locks in one order" | [`lock_order`] |

pub mod aio;
pub mod executor;
pub mod lock_order;
pub mod process;
pub mod threading;
mod timed_wait;
