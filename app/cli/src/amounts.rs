//! Exact decimal amounts typed by a person ("1,250.5" dollars, "0.2" BTC) to native units,
//! without floating point.

/// Parses a non-negative decimal with at most `decimals` fractional digits into units of
/// 10^-decimals; commas and underscores between digits are ignored.
pub fn parse_decimal(text: &str, decimals: u32) -> Result<u64, String> {
    let cleaned: String = text.chars().filter(|c| *c != ',' && *c != '_').collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let whole_ok = digits(whole) || (whole.is_empty() && digits(fraction));
    let fraction_ok = fraction.is_empty() || digits(fraction);
    if !(whole_ok && fraction_ok) {
        return Err(format!("{text:?} is not a non-negative decimal number"));
    }
    if fraction.len() > decimals as usize {
        return Err(format!("{text:?} has more than {decimals} decimals"));
    }
    let scale = 10u64.pow(decimals);
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| format!("{text:?} is too large"))?
    };
    let padded = format!("{fraction:0<width$}", width = decimals as usize);
    let fraction: u64 = if padded.is_empty() {
        0
    } else {
        padded
            .parse()
            .map_err(|_| format!("{text:?} is too large"))?
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_convert_exactly() {
        assert_eq!(parse_decimal("0.2", 9), Ok(200_000_000));
        assert_eq!(parse_decimal("1,250.5", 6), Ok(1_250_500_000));
        assert_eq!(parse_decimal(".5", 6), Ok(500_000));
        assert_eq!(parse_decimal("7", 0), Ok(7));
        assert_eq!(parse_decimal("18446744073709.551615", 6), Ok(u64::MAX));
    }

    #[test]
    fn malformed_or_too_precise_amounts_are_refused() {
        for bad in [
            "",
            "-1",
            "1.2.3",
            "abc",
            "1e6",
            "0.0000001",
            "18446744073709.551616",
            ".",
        ] {
            assert!(parse_decimal(bad, 6).is_err(), "{bad}");
        }
    }
}
