//! Ringfence client SDK: PDA derivation and one builder per instruction, made from the
//! program's own generated account structs, plus market parameter presets.

pub mod builders;
pub mod presets;
