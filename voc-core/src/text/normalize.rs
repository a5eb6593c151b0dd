//! Text normalisation that keeps character positions: every input character maps to exactly one output
//! character, so a character offset in the normalised text is the same offset in the original.

/// Which foldings to apply before matching.
///
/// ```
/// use voc_core::text::Normalizer;
/// let n = Normalizer::default();
/// assert_eq!(n.normalize("ＲＥＦＵＮＤ　退款！"), "refund 退款!");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Normalizer {
    /// Lower-case letters (only where the lower case is a single character, so offsets are kept).
    pub lowercase: bool,
    /// Fold full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space (U+3000) to ASCII.
    pub width: bool,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer {
            lowercase: true,
            width: true,
        }
    }
}

impl Normalizer {
    /// No folding at all.
    ///
    /// ```
    /// assert_eq!(voc_core::text::Normalizer::none().normalize("ＡB"), "ＡB");
    /// ```
    pub fn none() -> Self {
        Normalizer {
            lowercase: false,
            width: false,
        }
    }

    /// The folded form of one character.
    ///
    /// ```
    /// let n = voc_core::text::Normalizer::default();
    /// assert_eq!(n.fold_char('Ａ'), 'a');
    /// assert_eq!(n.fold_char('退'), '退');
    /// ```
    #[inline]
    pub fn fold_char(&self, c: char) -> char {
        let mut c = c;
        if self.width {
            let u = c as u32;
            if (0xFF01..=0xFF5E).contains(&u) {
                // invariant: the target range 0x21..=0x7E is ASCII.
                c = char::from_u32(u - 0xFEE0).unwrap_or(c);
            } else if u == 0x3000 {
                c = ' ';
            }
        }
        if self.lowercase {
            if c.is_ascii() {
                c = c.to_ascii_lowercase();
            } else if c.is_uppercase() {
                let mut lower = c.to_lowercase();
                if let (Some(l), None) = (lower.next(), lower.next()) {
                    c = l;
                }
            }
        }
        c
    }

    /// Writes the normalised form of `text` into `out` (cleared first); returns whether anything changed.
    ///
    /// ```
    /// let mut buf = String::new();
    /// let changed = voc_core::text::Normalizer::default().normalize_into("退款慢", &mut buf);
    /// assert!(!changed && buf == "退款慢");
    /// ```
    pub fn normalize_into(&self, text: &str, out: &mut String) -> bool {
        out.clear();
        out.reserve(text.len());
        let mut changed = false;
        let bytes = text.as_bytes();
        let mut i = 0;
        // Fast path: runs of bytes that cannot change (ASCII non-upper, and the lead bytes of characters
        // outside the full-width block and the cased scripts) are copied as they are.
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && !self.may_change(bytes, i) {
                i += 1;
                while i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
                    i += 1;
                }
            }
            out.push_str(&text[start..i]);
            if i >= bytes.len() {
                break;
            }
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let f = self.fold_char(c);
            changed |= f != c;
            out.push(f);
            i += c.len_utf8();
        }
        changed
    }

    /// Whether the character starting at byte `i` might fold (conservative).
    #[inline]
    fn may_change(&self, bytes: &[u8], i: usize) -> bool {
        let b = bytes[i];
        if b < 0x80 {
            return self.lowercase && b.is_ascii_uppercase();
        }
        match b {
            // U+0080..U+07FF: Latin, Greek, Cyrillic... (cased).
            0xC2..=0xDF => self.lowercase,
            // U+1000..U+1FFF (Georgian, Latin extended, Greek extended) and U+2000..U+2FFF (letterlike,
            // Roman numerals, circled letters) hold cased letters.
            0xE1 | 0xE2 => self.lowercase,
            // U+3000..U+3FFF: ideographic space only.
            0xE3 => {
                self.width && bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0x80)
            }
            // U+A000..U+AFFF: some cased letters (Cyrillic/Latin extended).
            0xEA => self.lowercase,
            // U+F000..U+FFFF: full-width forms.
            0xEF => true,
            // Four-byte characters: a few cased scripts (Deseret, Osage, ...).
            0xF0..=0xF4 => self.lowercase,
            // U+0800..U+0FFF, U+4000..U+9FFF (CJK ideographs), U+B000..U+EFFF: no case, no width forms.
            _ => false,
        }
    }

    /// The normalised form of `text` (same number of characters).
    ///
    /// ```
    /// let n = voc_core::text::Normalizer::default();
    /// assert_eq!(n.normalize("Ｒｅｆｕｎｄ SLOW"), "refund slow");
    /// ```
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::new();
        self.normalize_into(text, &mut out);
        out
    }
}

/// Character offset of byte offset `byte` in `text` (counts characters that start before it).
///
/// ```
/// assert_eq!(voc_core::text::char_offset("退款slow", 6), 2);
/// ```
#[inline]
pub fn char_offset(text: &str, byte: usize) -> usize {
    let b = text.as_bytes();
    let end = byte.min(b.len());
    b[..end].iter().filter(|&&x| (x & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_width_and_case() {
        let n = Normalizer::default();
        assert_eq!(
            n.normalize("ＡＰＰ登录，找不到入口！"),
            "app登录,找不到入口!"
        );
        assert_eq!(n.normalize("ÉCHEC Ωmega"), "échec ωmega");
        assert_eq!(n.normalize("\u{3000}x"), " x");
        // İ lower-cases to two characters: kept as it is so offsets hold.
        assert_eq!(n.normalize("İ"), "İ");
        let none = Normalizer::none();
        assert_eq!(none.normalize("ＡB"), "ＡB");
        let width_only = Normalizer {
            lowercase: false,
            width: true,
        };
        assert_eq!(width_only.normalize("ＡB"), "AB");
    }

    proptest! {
        #[test]
        fn keeps_character_count(s in "\\PC{0,40}") {
            let n = Normalizer::default();
            let out = n.normalize(&s);
            prop_assert_eq!(out.chars().count(), s.chars().count());
            // the fast path agrees with folding every character
            let slow: String = s.chars().map(|c| n.fold_char(c)).collect();
            prop_assert_eq!(out, slow);
        }
    }
}
