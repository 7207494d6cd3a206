//! A JSON text read a token at a time, nothing built: each value is lent as it lies in the
//! text and told for what it is, so that a reader can copy what it has no reason to change.
//!
//! A vendor's answer is mostly copied: its webhooks' members go to canonical names and their
//! values, strings above all, go out as they came. serde_json reads through a visitor call per
//! value and tells neither where a value lies in the text nor how it was spelled, so every
//! string is found, handed over and written again; sonic-rs's lazy values lend a value's text
//! but measured slower than its own tree on a webhook's small members (docs/performance.md,
//! "Choosing the parser"). Hence this scanner, hand-written: it accepts exactly the texts
//! serde_json accepts (the tests below compare the two on arbitrary documents), and it
//! reports any other text as [`Malformed`] without saying more, because a caller then parses
//! the text with serde_json, whose error is the one a client sees.
//!
//! What it tells apart is what a reader can keep as text: a string without escapes (the text
//! between its quotes), a non-negative integer, a literal, and an array of those spelled as
//! serde_json writes it (no whitespace, no escapes): [`Token::Written`], copied as it is, or
//! [`Token::Strings`] where its items are all strings, so that a reader knows a list of strings
//! (a webhook's event types) for one without looking at it again. Anything else is lent as its text ([`Token::Other`]) for serde_json to parse.

use std::borrow::Cow;

/// The text is not one JSON document as serde_json reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// How many arrays and objects may be open at once: serde_json's recursion limit (128, of
/// which the container that reaches it is refused).
const MAX_DEPTH: u32 = 127;

/// One value as it lies in the text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Token<'a> {
    /// A string without escapes: the text between its quotes.
    Plain(&'a str),
    /// A non-negative integer that fits in 64 bits, spelled without sign, fraction or exponent.
    Unsigned(u64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An array of plain strings, unsigned integers and literals, at least one of them not a
    /// string, written as serde_json writes it: the same text comes out of parsing it and
    /// writing it again.
    Written(&'a str),
    /// An array of plain strings only (or none), written as serde_json writes it, as
    /// [`Token::Written`] is.
    Strings(&'a str),
    /// Any other value (a string with escapes, another number, an object, an array spelled
    /// otherwise): its whole text, for serde_json to parse.
    Other(&'a str),
}

/// An object's key as [`Scanner::key_among`] read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Key<'a> {
    /// The candidate of this number.
    Known(usize),
    /// Another key: borrowed from the text when it holds no escape.
    Other(Cow<'a, str>),
}

/// Whether `name` is spelled in JSON text as it is, between quotes: no quote, backslash or
/// control character in it.
pub fn literal(name: &str) -> bool {
    name.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// A position in a JSON text; it moves forward only.
pub struct Scanner<'a> {
    text: &'a str,
    at: usize,
    /// Arrays and objects open around the position.
    depth: u32,
    /// When the text holds no control character, not even a line feed, no string can hold one
    /// either, and a string's end is found looking for quotes and backslashes alone, sixteen
    /// bytes at a time; otherwise eight at a time, control characters included ([`special`]).
    quotes: Option<Quotes>,
}

/// Whether two short slices (a key and the text where it may lie) are equal, eight bytes at a
/// time and without a call: comparing a key through `memcmp` costs more than the comparison.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap_or_default());
    let (mut a, mut b) = (a, b);
    while a.len() >= 8 {
        let ((x, rest_a), (y, rest_b)) = (a.split_at(8), b.split_at(8));
        if word(x) != word(y) {
            return false;
        }
        (a, b) = (rest_a, rest_b);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Finds the first quote or backslash. On x86-64, SSE2's searcher of memchr, which every such
/// processor has, called directly: a webhook's strings are short, and the dispatch of
/// `memchr2` to a wider searcher doubles what finding the end of a 20-byte string costs.
#[cfg(target_arch = "x86_64")]
struct Quotes(memchr::arch::x86_64::sse2::memchr::Two);

#[cfg(target_arch = "x86_64")]
impl Quotes {
    fn new() -> Option<Quotes> {
        memchr::arch::x86_64::sse2::memchr::Two::new(b'"', b'\\').map(Quotes)
    }

    fn find(&self, bytes: &[u8]) -> Option<usize> {
        self.0.find(bytes)
    }
}

#[cfg(not(target_arch = "x86_64"))]
struct Quotes;

#[cfg(not(target_arch = "x86_64"))]
impl Quotes {
    fn new() -> Option<Quotes> {
        Some(Quotes)
    }

    fn find(&self, bytes: &[u8]) -> Option<usize> {
        memchr::memchr2(b'"', b'\\', bytes)
    }
}

impl<'a> Scanner<'a> {
    /// At the start of `text`.
    pub fn new(text: &'a str) -> Scanner<'a> {
        // A block at a time, so that the compiler compares many bytes at once.
        let quiet = text
            .as_bytes()
            .chunks(256)
            .all(|block| block.iter().fold(u8::MAX, |low, &b| low.min(b)) >= 0x20);
        Scanner {
            text,
            at: 0,
            depth: 0,
            quotes: if quiet { Quotes::new() } else { None },
        }
    }

    /// Where the next token starts (after any whitespace).
    pub fn position(&mut self) -> usize {
        self.whitespace();
        self.at
    }

    /// Where the last token ended.
    pub fn end_of_last(&self) -> usize {
        self.at
    }

    /// Only whitespace is left.
    pub fn end(&mut self) -> Result<(), Malformed> {
        self.whitespace();
        if self.at == self.text.len() {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// Enters the object that comes next; `false` (nothing read) when the next value is not an
    /// object.
    pub fn object(&mut self) -> Result<bool, Malformed> {
        self.enter(b'{')
    }

    /// The next key of the object entered last, its colon read; `None` at its end, which is
    /// read. `first` is whether no key of this object has been read yet.
    pub fn key(&mut self, first: bool) -> Result<Option<Cow<'a, str>>, Malformed> {
        Ok(match self.key_among(first, [])? {
            Some(Key::Other(key)) => Some(key),
            Some(Key::Known(_)) | None => None,
        })
    }

    /// [`Scanner::key`], told which keys may come, each a name that needs no escape
    /// ([`literal`]) with a number of the caller's: when the text holds one of them as it is,
    /// it is only compared, not looked through ([`Key::Known`]). Most likely first: a
    /// candidate whose length differs costs one comparison.
    #[inline]
    pub fn key_among<'k>(
        &mut self,
        first: bool,
        candidates: impl IntoIterator<Item = (usize, &'k str)>,
    ) -> Result<Option<Key<'a>>, Malformed> {
        if let Some(key) = self.next_key(first, candidates)? {
            if self.next_byte() != Some(b':') {
                return Err(Malformed);
            }
            self.at += 1;
            return Ok(Some(key));
        }
        Ok(None)
    }

    #[inline]
    fn next_key<'k>(
        &mut self,
        first: bool,
        candidates: impl IntoIterator<Item = (usize, &'k str)>,
    ) -> Result<Option<Key<'a>>, Malformed> {
        match self.next_byte() {
            Some(b'}') => {
                self.close();
                return Ok(None);
            }
            Some(b',') if !first => {
                self.at += 1;
                self.next_byte();
            }
            Some(b'"') if first => {}
            _ => return Err(Malformed),
        }
        if self.peek() == Some(b'"') {
            let rest = &self.text.as_bytes()[self.at + 1..];
            for (n, name) in candidates {
                debug_assert!(literal(name));
                // A closing quote right after a name with neither quotes nor backslashes in it.
                let name = name.as_bytes();
                if rest.get(name.len()) == Some(&b'"') && same(&rest[..name.len()], name) {
                    self.at += name.len() + 2;
                    return Ok(Some(Key::Known(n)));
                }
            }
        }
        self.key_text().map(|key| Some(Key::Other(key)))
    }

    /// Enters the array that comes next; `false` (nothing read) when the next value is not an
    /// array.
    pub fn array(&mut self) -> Result<bool, Malformed> {
        self.enter(b'[')
    }

    /// Whether another element of the array entered last follows (then it comes next); at its
    /// end, which is read, `false`. `first` is whether no element has been read yet.
    pub fn element(&mut self, first: bool) -> Result<bool, Malformed> {
        match self.next_byte() {
            Some(b']') => {
                self.close();
                Ok(false)
            }
            Some(b',') if !first => {
                self.at += 1;
                Ok(true)
            }
            Some(_) if first => Ok(true),
            _ => Err(Malformed),
        }
    }

    /// The value that comes next, read.
    pub fn value(&mut self) -> Result<Token<'a>, Malformed> {
        let next = self.next_byte();
        let start = self.at;
        match next {
            Some(b'"') => {
                self.at += 1;
                let (text, escaped) = self.string()?;
                Ok(if escaped {
                    Token::Other(&self.text[start..self.at])
                } else {
                    Token::Plain(text)
                })
            }
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                let text = &self.text[start..self.at];
                Ok(match text.parse::<u64>() {
                    // `parse` takes a leading `+`, which `number` has already refused.
                    Ok(n) => Token::Unsigned(n),
                    Err(_) => Token::Other(text),
                })
            }
            Some(b't') => self.literal(b"true", Token::Bool(true)),
            Some(b'f') => self.literal(b"false", Token::Bool(false)),
            Some(b'n') => self.literal(b"null", Token::Null),
            Some(b'[') if self.depth < MAX_DEPTH => match self.written_array() {
                Some((end, strings)) => {
                    self.at = end;
                    let text = &self.text[start..end];
                    Ok(if strings {
                        Token::Strings(text)
                    } else {
                        Token::Written(text)
                    })
                }
                None => {
                    self.skip()?;
                    Ok(Token::Other(&self.text[start..self.at]))
                }
            },
            Some(b'[' | b'{') => {
                self.skip()?;
                Ok(Token::Other(&self.text[start..self.at]))
            }
            _ => Err(Malformed),
        }
    }

    /// Reads the value that comes next, whatever it is, checking it.
    pub fn skip(&mut self) -> Result<(), Malformed> {
        let base = self.depth;
        // Bit `n` is set while the container opened `n + 1` levels below `base` is an array.
        let mut arrays: u128 = 0;
        'value: loop {
            self.whitespace();
            match self.peek() {
                Some(b'{') => {
                    self.open()?;
                    self.whitespace();
                    if self.peek() == Some(b'}') {
                        self.close();
                    } else {
                        self.key_text()?;
                        self.whitespace();
                        self.expect(b':')?;
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.open()?;
                    arrays |= 1 << (self.depth - base - 1);
                    self.whitespace();
                    if self.peek() == Some(b']') {
                        self.close();
                        arrays &= !(1 << (self.depth - base));
                    } else {
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    self.at += 1;
                    self.string()?;
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.word(b"true")?,
                Some(b'f') => self.word(b"false")?,
                Some(b'n') => self.word(b"null")?,
                _ => return Err(Malformed),
            }
            // After a value: close what ends here, then on to the next value.
            while self.depth > base {
                let level = self.depth - base - 1;
                let in_array = arrays & (1 << level) != 0;
                self.whitespace();
                match (self.peek(), in_array) {
                    (Some(b','), true) => {
                        self.at += 1;
                        continue 'value;
                    }
                    (Some(b','), false) => {
                        self.at += 1;
                        self.whitespace();
                        self.key_text()?;
                        self.whitespace();
                        self.expect(b':')?;
                        continue 'value;
                    }
                    (Some(b']'), true) | (Some(b'}'), false) => {
                        arrays &= !(1 << level);
                        self.close();
                    }
                    _ => return Err(Malformed),
                }
            }
            return Ok(());
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), Malformed> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// The byte at the position after any whitespace, which is read; most often there is
    /// none, which one comparison tells.
    #[inline]
    fn next_byte(&mut self) -> Option<u8> {
        let byte = *self.text.as_bytes().get(self.at)?;
        if byte > b' ' {
            return Some(byte);
        }
        self.whitespace();
        self.peek()
    }

    fn whitespace(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// Enters the container that `opening` begins, if it comes next.
    fn enter(&mut self, opening: u8) -> Result<bool, Malformed> {
        self.whitespace();
        if self.peek() != Some(opening) {
            return Ok(false);
        }
        self.open()?;
        Ok(true)
    }

    fn open(&mut self) -> Result<(), Malformed> {
        if self.depth == MAX_DEPTH {
            return Err(Malformed);
        }
        self.depth += 1;
        self.at += 1;
        Ok(())
    }

    fn close(&mut self) {
        self.depth -= 1;
        self.at += 1;
    }

    fn literal(&mut self, word: &[u8], token: Token<'a>) -> Result<Token<'a>, Malformed> {
        self.word(word)?;
        Ok(token)
    }

    fn word(&mut self, word: &[u8]) -> Result<(), Malformed> {
        if self.text.as_bytes()[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// A key at its opening quote: borrowed when it holds no escape, else decoded by
    /// serde_json.
    fn key_text(&mut self) -> Result<Cow<'a, str>, Malformed> {
        let start = self.at;
        self.expect(b'"')?;
        let (text, escaped) = self.string()?;
        if !escaped {
            return Ok(Cow::Borrowed(text));
        }
        serde_json::from_str(&self.text[start..self.at])
            .map(Cow::Owned)
            .map_err(|_| Malformed)
    }

    /// The rest of a string whose opening quote was read: the text before its closing quote,
    /// and whether it holds escapes (checked as serde_json checks them).
    fn string(&mut self) -> Result<(&'a str, bool), Malformed> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut escaped = false;
        loop {
            let at = self.special(self.at).ok_or(Malformed)?;
            match bytes[at] {
                b'"' => {
                    self.at = at + 1;
                    // Both ends are quotes, so both are character boundaries.
                    return Ok((&self.text[start..at], escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.at = escape(bytes, at + 1)?;
                }
                _ => return Err(Malformed), // a control character
            }
        }
    }

    /// A number, checked against JSON's grammar (as serde_json reads it: no leading zeros, no
    /// `+`, digits on both sides of a point).
    fn number(&mut self) -> Result<(), Malformed> {
        let bytes = self.text.as_bytes();
        let digits = |at: &mut usize| {
            let start = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at > start
        };
        let mut at = self.at;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        match bytes.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => {
                digits(&mut at);
            }
            _ => return Err(Malformed),
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if !digits(&mut at) {
                return Err(Malformed);
            }
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            if !digits(&mut at) {
                return Err(Malformed);
            }
        }
        self.at = at;
        Ok(())
    }

    /// Where, from `from` on, the first quote, backslash or control character lies.
    fn special(&self, from: usize) -> Option<usize> {
        let rest = &self.text.as_bytes()[from..];
        let found = match &self.quotes {
            Some(quotes) => quotes.find(rest),
            None => special(rest),
        };
        found.map(|at| from + at)
    }

    /// The end of the array at the position when it is written as serde_json writes it: plain
    /// strings, unsigned integers and literals, commas, no whitespace; `None` otherwise (it is
    /// then read as any value is). With it, whether its items are all strings.
    fn written_array(&self) -> Option<(usize, bool)> {
        let bytes = self.text.as_bytes();
        let mut at = self.at + 1;
        if bytes.get(at) == Some(&b']') {
            return Some((at + 1, true));
        }
        let mut strings = true;
        loop {
            match bytes.get(at)? {
                b'"' => {
                    let end = self.special(at + 1)?;
                    if bytes[end] != b'"' {
                        return None;
                    }
                    at = end + 1;
                    // The usual array, of strings: on to the next without the checks below.
                    match bytes.get(at)? {
                        b',' => {
                            at += 1;
                            continue;
                        }
                        b']' => return Some((at + 1, strings)),
                        _ => return None,
                    }
                }
                b'0' => at += 1,
                b'1'..=b'9' => {
                    let start = at;
                    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                        at += 1;
                    }
                    self.text[start..at].parse::<u64>().ok()?;
                }
                b't' if bytes[at..].starts_with(b"true") => at += 4,
                b'f' if bytes[at..].starts_with(b"false") => at += 5,
                b'n' if bytes[at..].starts_with(b"null") => at += 4,
                _ => return None,
            }
            strings = false;
            match bytes.get(at)? {
                b',' => at += 1,
                b']' => return Some((at + 1, strings)),
                _ => return None, // a fraction, an exponent, whitespace, anything else
            }
        }
    }
}

/// Where the first quote, backslash or control character of `bytes` lies. Eight bytes at a
/// time: a byte is found where subtracting one from it (after an exclusive or that turns the
/// byte sought into zero) borrows, the classic test for a zero byte in a word. Only the lowest
/// byte found is certain, which is the one taken. The last few bytes of the text, fewer than
/// eight, are looked at one by one.
fn special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    let zero = |word: u64| word.wrapping_sub(ONES) & !word;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let control = word.wrapping_sub(ONES * 0x20) & !word;
        let quote = zero(word ^ (ONES * u64::from(b'"')));
        let backslash = zero(word ^ (ONES * u64::from(b'\\')));
        let found = (control | quote | backslash) & HIGH;
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes[at.min(bytes.len())..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|i| at + i)
}

/// The end of an escape whose backslash ends just before `at`: one of `"\/bfnrt`, or `u` and
/// four hexadecimal digits. A `\u` escape of half a surrogate pair is left to serde_json,
/// which decodes every string with escapes that a reader keeps, and skips the others as this
/// does.
fn escape(bytes: &[u8], at: usize) -> Result<usize, Malformed> {
    match bytes.get(at) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 1),
        Some(b'u') => match bytes.get(at + 1..at + 5) {
            Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(at + 5),
            _ => Err(Malformed),
        },
        _ => Err(Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn skips(text: &str) -> bool {
        let mut scan = Scanner::new(text);
        scan.skip().and_then(|()| scan.end()).is_ok()
    }

    fn serde_accepts(text: &str) -> bool {
        serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
    }

    #[test]
    fn tells_each_kind_of_value() {
        let cases: [(&str, Token); 14] = [
            (r#""abc""#, Token::Plain("abc")),
            (r#""""#, Token::Plain("")),
            (
                r#""é ☃ 😀 a longer string""#,
                Token::Plain("é ☃ 😀 a longer string"),
            ),
            (r#""a\nb""#, Token::Other(r#""a\nb""#)),
            ("0", Token::Unsigned(0)),
            ("18446744073709551615", Token::Unsigned(u64::MAX)),
            ("18446744073709551616", Token::Other("18446744073709551616")),
            ("-1", Token::Other("-1")),
            ("1.5e3", Token::Other("1.5e3")),
            ("true", Token::Bool(true)),
            ("null", Token::Null),
            (
                r#"["a",1,true,null,[]]"#,
                Token::Other(r#"["a",1,true,null,[]]"#),
            ),
            (
                r#"["a",1,true,null]"#,
                Token::Written(r#"["a",1,true,null]"#),
            ),
            (r#"{"a": [1]}"#, Token::Other(r#"{"a": [1]}"#)),
        ];
        for (text, expected) in cases {
            let mut scan = Scanner::new(text);
            assert_eq!(scan.value(), Ok(expected), "{text}");
            assert_eq!(scan.end(), Ok(()), "{text}");
        }
    }

    #[test]
    fn an_array_is_written_only_as_serde_json_writes_it() {
        for text in [r#"[0,12,true,false,null,"x"]"#, r#"["a",1]"#, r#"[null]"#] {
            let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&parsed).unwrap(), text);
            assert_eq!(Scanner::new(text).value(), Ok(Token::Written(text)));
        }
        // Strings alone are told apart: a list of strings, known as one without a second look.
        for text in [r#"[]"#, r#"["a","b"]"#, r#"["a"]"#] {
            let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&parsed).unwrap(), text);
            assert_eq!(Scanner::new(text).value(), Ok(Token::Strings(text)));
        }
        for text in [
            r#"[ ]"#,
            r#"["a", "b"]"#,
            r#"["a\/b"]"#,
            r#"[1.0]"#,
            r#"[1e2]"#,
            r#"[-1]"#,
            r#"[18446744073709551616]"#,
            r#"[{}]"#,
            r#"[["a"]]"#,
        ] {
            assert_eq!(Scanner::new(text).value(), Ok(Token::Other(text)), "{text}");
        }
    }

    #[test]
    fn walks_objects_and_arrays() {
        let text = r#" { "a" : [ 1 , "x" ] , "b\u0063" : { } , "d": null } "#;
        let mut scan = Scanner::new(text);
        assert_eq!(scan.object(), Ok(true));
        assert_eq!(scan.key(true), Ok(Some(Cow::Borrowed("a"))));
        assert_eq!(scan.array(), Ok(true));
        assert_eq!(scan.element(true), Ok(true));
        assert_eq!(scan.value(), Ok(Token::Unsigned(1)));
        assert_eq!(scan.element(false), Ok(true));
        assert_eq!(scan.value(), Ok(Token::Plain("x")));
        assert_eq!(scan.element(false), Ok(false));
        assert_eq!(scan.key(false), Ok(Some(Cow::Owned("bc".to_owned()))));
        assert_eq!(scan.value(), Ok(Token::Other("{ }")));
        assert_eq!(scan.key(false), Ok(Some(Cow::Borrowed("d"))));
        assert_eq!(scan.array(), Ok(false));
        assert_eq!(scan.object(), Ok(false));
        assert_eq!(scan.value(), Ok(Token::Null));
        assert_eq!(scan.key(false), Ok(None));
        assert_eq!(scan.end(), Ok(()));
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        let texts = [
            "",
            " ",
            "{",
            "}",
            "[",
            "[1,]",
            "[,1]",
            "{,}",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{1:2}"#,
            r#"{"a":1 "b":2}"#,
            "[1 2]",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "tru",
            "nul",
            "falsey",
            r#""abc"#,
            "\"a\u{1}b\"",
            "\"tab\there\"",
            r#""\x""#,
            r#""\u12G4""#,
            r#""\u12""#,
            "[1] [2]",
            "[}",
            "{]",
            r#"{"a":[}"#,
            "NaN",
            "Infinity",
            "1 1",
        ];
        for text in texts {
            assert!(!serde_accepts(text), "serde_json takes {text:?}");
            assert!(!skips(text), "{text:?}");
            let mut scan = Scanner::new(text);
            assert!(scan.value().and_then(|_| scan.end()).is_err(), "{text:?}");
        }
    }

    #[test]
    fn nests_as_deep_as_serde_json_does() {
        for depth in [126, 127, 128, 129] {
            for (open, close) in [("[", "]"), (r#"{"a":"#, "}")] {
                let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
                let serde = serde_json::from_str::<serde_json::Value>(&text).is_ok();
                assert_eq!(skips(&text), serde, "{depth} {open}");
                let mut scan = Scanner::new(&text);
                let read = scan.value().is_ok() && scan.end().is_ok();
                assert_eq!(read, serde, "{depth} {open}");
            }
        }
    }

    /// JSON text of arbitrary shape, spelled with arbitrary whitespace and escapes, and
    /// sometimes broken by one byte.
    fn any_text() -> impl Strategy<Value = String> {
        let string = "[a-z é😀/]{0,12}".prop_map(|s| format!("\"{s}\"")).boxed();
        let escaped = prop::collection::vec(
            prop_oneof![
                Just(r"\n"),
                Just(r"\u00e9"),
                Just(r#"\""#),
                Just("a"),
                Just(r"\/")
            ],
            0..6,
        )
        .prop_map(|parts| format!("\"{}\"", parts.concat()));
        let number = prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            Just("-0".to_owned()),
            Just("1.25e-3".to_owned()),
            Just("12345678901234567890123".to_owned()),
            Just("0.5".to_owned()),
            Just("1E+2".to_owned()),
        ];
        let leaf = prop_oneof![
            string,
            escaped,
            number,
            Just("true".to_owned()),
            Just("false".to_owned()),
            Just("null".to_owned()),
        ];
        let space = prop::sample::select(vec!["", "", "", " ", "\n\t ", "\r\n"]);
        let tree = leaf.prop_recursive(5, 64, 6, move |inner| {
            let space = space.clone();
            prop_oneof![
                (prop::collection::vec((inner.clone(), space.clone()), 0..6)).prop_map(
                    |items| format!(
                        "[{}]",
                        items
                            .iter()
                            .map(|(v, s)| format!("{s}{v}{s}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                ),
                (prop::collection::vec(("[a-c]{1,2}", inner, space), 0..6)).prop_map(|members| {
                    let members: Vec<String> = members
                        .iter()
                        .map(|(k, v, s)| format!("{s}\"{k}\"{s}:{s}{v}"))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        });
        (
            tree,
            any::<prop::sample::Index>(),
            0u8..10,
            prop::sample::select(b"{}[],:\"\\ 0-e.tx\x01".to_vec()),
        )
            .prop_map(|(text, at, kind, byte)| {
                if kind > 1 || text.is_empty() {
                    return text;
                }
                // One byte broken (replaced or inserted) somewhere.
                let mut bytes = text.into_bytes();
                let at = at.index(bytes.len());
                if kind == 0 {
                    bytes[at] = byte;
                } else {
                    bytes.insert(at, byte);
                }
                String::from_utf8(bytes).unwrap_or_default()
            })
    }

    proptest! {
        #[test]
        fn finds_the_first_special_byte_a_word_at_a_time(
            bytes in prop::collection::vec(prop_oneof![
                Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..=0xff, b'a'..=b'z', b'a'..=b'z'
            ], 0..40)
        ) {
            let naive = bytes.iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\');
            prop_assert_eq!(special(&bytes), naive);
        }
    }

    /// The keys of the object `text` is, each value skipped, with `candidates` told to
    /// [`Scanner::key_among`] for every key; `None` where the text is refused.
    fn keys(text: &str, candidates: &[&str]) -> Option<Vec<String>> {
        let mut scan = Scanner::new(text);
        let mut keys = Vec::new();
        if !scan.object().ok()? {
            return None;
        }
        let numbered = candidates.iter().copied().enumerate();
        while let Some(key) = scan.key_among(keys.is_empty(), numbered.clone()).ok()? {
            keys.push(match key {
                Key::Known(n) => candidates[n].to_owned(),
                Key::Other(key) => key.into_owned(),
            });
            scan.skip().ok()?;
        }
        scan.end().ok()?;
        Some(keys)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn reads_a_known_key_as_any_key(
            text in any_text(),
            candidates in prop::collection::vec("[a-c]{1,2}", 0..4),
        ) {
            let read = keys(&text, &[]);
            prop_assert_eq!(read.is_some(), text.trim_start().starts_with('{') && serde_accepts(&text));
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            prop_assert_eq!(keys(&text, &candidates), read);
        }

        #[test]
        fn accepts_what_serde_json_accepts(text in any_text()) {
            prop_assert_eq!(skips(&text), serde_accepts(&text), "{}", text);
        }

        #[test]
        fn lends_what_serde_json_reads(text in any_text()) {
            let mut scan = Scanner::new(&text);
            let token = scan.value().and_then(|t| scan.end().map(|()| t));
            let parsed = serde_json::from_str::<serde_json::Value>(&text);
            match token {
                Ok(token) => {
                    let value = match token {
                        Token::Plain(s) => serde_json::Value::from(s),
                        Token::Unsigned(n) => serde_json::Value::from(n),
                        Token::Bool(b) => serde_json::Value::Bool(b),
                        Token::Null => serde_json::Value::Null,
                        Token::Written(text) | Token::Strings(text) => {
                            let value: serde_json::Value = serde_json::from_str(text).unwrap();
                            prop_assert_eq!(serde_json::to_string(&value).unwrap(), text);
                            let strings = value
                                .as_array()
                                .is_some_and(|a| a.iter().all(serde_json::Value::is_string));
                            prop_assert_eq!(strings, matches!(token, Token::Strings(_)));
                            value
                        }
                        Token::Other(other) => {
                            prop_assert_eq!(other, text.trim_matches([' ', '\n', '\r', '\t']));
                            match serde_json::from_str(other) {
                                Ok(value) => value,
                                // Numbers out of range, halves of surrogate pairs: serde_json's
                                // to refuse when it parses what it is lent.
                                Err(_) => { prop_assert!(parsed.is_err()); return Ok(()); }
                            }
                        }
                    };
                    prop_assert_eq!(Some(value), parsed.ok());
                }
                Err(Malformed) => prop_assert!(!serde_accepts(&text), "{}", text),
            }
        }
    }
}
