//! Arbitrary bytes as a trace file: the reader returns a trace or an
//! error, never panics; a trace it accepts rebuilds its failure and
//! report without panicking and survives its own JSON unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use weft_check::trace::Trace;

fuzz_target!(|data: &[u8]| {
    let from_bytes = Trace::from_json_slice(data);
    if let Ok(text) = std::str::from_utf8(data) {
        // The text and byte entry points agree.
        let from_text = Trace::from_json(text);
        assert_eq!(from_text.is_ok(), from_bytes.is_ok());
    }
    let Ok(trace) = from_bytes else { return };
    let failure = trace.to_failure();
    let report = failure.to_string();
    assert!(!report.is_empty());
    let again = Trace::from_json(&trace.to_json()).expect("weft reads the traces it writes");
    assert_eq!(again, trace);
});
