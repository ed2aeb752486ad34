//! `loom::sync::mpsc`: weft's modelled channels.
//!
//! ```
//! loom::model(|| {
//!     let (tx, rx) = loom::sync::mpsc::channel();
//!     let t = loom::thread::spawn(move || tx.send(1).unwrap());
//!     assert_eq!(rx.recv().unwrap(), 1);
//!     t.join().unwrap();
//! });
//! ```

pub use weft::sync::mpsc::{
    channel, sync_channel, Receiver, RecvError, RecvTimeoutError, SendError, Sender, SyncSender,
    TryRecvError, TrySendError,
};
