//! The one clock: milliseconds since the Unix epoch, as every store, queue and record keeps time.

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
