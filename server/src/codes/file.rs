//! Reading an import file: CSV (codes in the first column) or one code per line, with a header
//! line tolerated. Refused whole when it is empty or not text, before anything is stored.

/// First-column names taken for a header line rather than a code (compared case-insensitively).
const HEADERS: [&str; 9] =
    ["code", "codes", "coupon", "coupon code", "coupon_code", "discount code", "discount_code", "voucher", "gutschein"];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error("the file holds no codes")]
    Empty,
    #[error("the file is not text (it has NUL bytes or is not UTF-8): export the codes as CSV or plain text")]
    Binary,
    #[error("the CSV cannot be read at line {line}: {message}")]
    Csv { line: u64, message: String },
}

/// One code as the file has it (not yet trimmed or checked), with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLine {
    pub line: u64,
    pub code: String,
}

/// The codes of a file in order. `csv`: read as CSV even if no line has a comma (a `.csv` file).
pub fn read(bytes: &[u8], csv: bool) -> Result<Vec<CodeLine>, FileError> {
    if bytes.contains(&0) {
        return Err(FileError::Binary);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::Binary)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut lines = if csv || first.contains(',') || first.starts_with('"') { read_csv(text)? } else { plain(text) };
    if lines.first().is_some_and(|l| HEADERS.contains(&l.code.trim().to_lowercase().as_str())) {
        lines.remove(0);
    }
    if lines.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(lines)
}

/// Blank lines are skipped: a file ending in an empty line is not an invalid code.
fn plain(text: &str) -> Vec<CodeLine> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| CodeLine { line: i as u64 + 1, code: l.to_string() })
        .collect()
}

fn read_csv(text: &str) -> Result<Vec<CodeLine>, FileError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| FileError::Csv { line: e.position().map_or(0, |p| p.line()), message: e.kind_message() })?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        out.push(CodeLine { line, code: record.get(0).unwrap_or("").to_string() });
    }
    Ok(out)
}

trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for csv::Error {
    /// The error without the record it quotes (which could hold a code).
    fn kind_message(&self) -> String {
        match self.kind() {
            csv::ErrorKind::Utf8 { .. } => "not UTF-8".into(),
            csv::ErrorKind::UnequalLengths { .. } => "rows of different lengths".into(),
            _ => "malformed CSV".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(lines: &[CodeLine]) -> Vec<(u64, &str)> {
        lines.iter().map(|l| (l.line, l.code.as_str())).collect()
    }

    #[test]
    fn one_code_per_line_with_a_header_and_blank_lines() {
        let lines = read(b"Code\nAAA-1\n\n  AAA-2  \n", false).unwrap();
        assert_eq!(codes(&lines), [(2, "AAA-1"), (4, "  AAA-2  ")]);
    }

    #[test]
    fn csv_takes_the_first_column_and_tolerates_a_header() {
        let lines = read(b"\xef\xbb\xbfcoupon code,value\n\"SAVE,10\",10\nSAVE-20,20\n", false).unwrap();
        assert_eq!(codes(&lines), [(2, "SAVE,10"), (3, "SAVE-20")]);
        let lines = read(b"ONLY-1\nONLY-2\n", true).unwrap();
        assert_eq!(codes(&lines), [(1, "ONLY-1"), (2, "ONLY-2")]);
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert_eq!(read(b"", false), Err(FileError::Empty));
        assert_eq!(read(b"\n  \ncode\n", false), Err(FileError::Empty));
        assert_eq!(read(b"PK\x03\x04\x00\x00", false), Err(FileError::Binary));
        assert_eq!(read(b"\xff\xfeA\x00B\x00", false), Err(FileError::Binary));
        assert_eq!(read(b"caf\xe9\n", false), Err(FileError::Binary));
    }
}
