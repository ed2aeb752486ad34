//! Python's `threading.Timer`, in weft: one timer fires, another is
//! cancelled before its interval ends and never does.
//!
//! ```text
//! cargo run --example timer
//! ```
//!
//! Python's version:
//!
//! ```python
//! t = threading.Timer(0.2, lambda: print("Timer : fired"))
//! t.start()
//! u = threading.Timer(60, lambda: print("never"))
//! u.start()
//! u.cancel()
//! t.join(); u.join()
//! ```

use std::time::Instant;

use weft::threading::Timer;
use weft::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mut reminder = Timer::new(Duration::from_millis(200), move || {
        println!("Timer   : fired after {:?}", start.elapsed());
    })
    .name("reminder");
    reminder.start()?;

    let mut alarm = Timer::new(Duration::from_secs(60), || println!("never printed")).name("alarm");
    alarm.start()?;
    // `cancel` says whether it won: `true`, the function never runs.
    println!("Main    : alarm cancelled: {}", alarm.cancel());

    reminder.join()?;
    alarm.join()?; // at once: the cancel woke it
    println!("Main    : both done after {:?}", start.elapsed());
    Ok(())
}
