//! I80F48 stored in zero-copy accounts as 16 little-endian bytes, so the layout is the same
//! on the host (where i128 is 16-aligned) and on SBF (where it is 8-aligned).

use anchor_lang::prelude::*;
use fixed::types::I80F48;

/// An I80F48 value as its raw little-endian bits.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct FixedBits {
    /// `I80F48::to_bits().to_le_bytes()`.
    pub le_bytes: [u8; 16],
}

impl FixedBits {
    /// The stored value.
    pub fn get(&self) -> I80F48 {
        I80F48::from_bits(i128::from_le_bytes(self.le_bytes))
    }

    /// Stores `value`.
    pub fn set(&mut self, value: I80F48) {
        self.le_bytes = value.to_bits().to_le_bytes();
    }
}

impl From<I80F48> for FixedBits {
    fn from(value: I80F48) -> Self {
        Self {
            le_bytes: value.to_bits().to_le_bytes(),
        }
    }
}
