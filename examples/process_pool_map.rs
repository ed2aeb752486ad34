//! Python's `ProcessPoolExecutor.map(factorial, [5, 6, 7, 8])`, in weft:
//! four factorials computed in two worker processes, results in input
//! order.
//!
//! ```text
//! cargo run --example process_pool_map
//! ```
//!
//! Python's version:
//!
//! ```python
//! from concurrent.futures import ProcessPoolExecutor
//! import math
//!
//! if __name__ == "__main__":
//!     with ProcessPoolExecutor(max_workers=2) as pool:
//!         for n, f in zip([5, 6, 7, 8], pool.map(math.factorial, [5, 6, 7, 8])):
//!             print(f"{n}! = {f}")
//! ```

use weft_patterns::executor::{MapOptions, ProcessPool};
use weft_patterns::process::{self, Entry};

fn factorial(n: u64) -> u64 {
    (1..=n).product()
}

static FACTORIAL: Entry<u64, u64> = weft_patterns::process_entry!(factorial);

fn main() {
    // A re-executed worker serves here and exits.
    process::main(&[&FACTORIAL]);

    let pool = ProcessPool::new(2);
    let inputs = [5, 6, 7, 8];
    let results = pool
        .map(&FACTORIAL, inputs, MapOptions::new())
        .expect("the pool takes the work");
    for (n, result) in inputs.iter().zip(results) {
        match result {
            Ok(f) => println!("{n}! = {f}"),
            Err(e) => println!("{n}! failed: {e}"),
        }
    }
    pool.shutdown(true, false);
}
