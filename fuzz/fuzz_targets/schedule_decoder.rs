//! Arbitrary bytes as a replay schedule: the decoder returns a schedule or
//! an error, never panics; a schedule it accepts encodes to a string that
//! decodes to the same schedule.

#![no_main]

use libfuzzer_sys::fuzz_target;
use weft_check::trace::{decode_schedule, encode_schedule};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(schedule) = decode_schedule(&text) else {
        return;
    };
    let encoded = encode_schedule(&schedule);
    let again = decode_schedule(&encoded).expect("weft decodes the schedules it encodes");
    assert_eq!(again, schedule);
});
