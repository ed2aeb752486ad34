//! Multi-producer, single-consumer channels with std's API:
//! crossbeam-channel in production, weft's own recorded channel under a checker.
//!
//! # Examples
//!
//! ```
//! # weft_sync::explore::doc_example(|| {
//! use weft_sync::sync::mpsc;
//! use weft_sync::thread;
//!
//! let (tx, rx) = mpsc::sync_channel(1);
//! let producer = thread::spawn(move || tx.send(42).unwrap());
//! assert_eq!(rx.recv().unwrap(), 42);
//! producer.join().unwrap();
//! # });
//! ```

pub use crate::backend::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
