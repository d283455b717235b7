//! Ringfence client SDK: PDA derivation and one builder per instruction, made from the
//! program's own generated account structs, market parameter presets, and the pre-trade
//! preview computed with the program's own code.

pub mod builders;
pub mod presets;
pub mod preview;
