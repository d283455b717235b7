//! Ringfence client SDK: PDA derivation and one builder per instruction, made from the
//! program's own generated account structs; decoders for its accounts; the pre-trade preview
//! computed with the program's own code; an RPC client for any cluster; and the deploy of a
//! declarative market list.

pub mod accounts;
pub mod builders;
pub mod client;
pub mod deploy;
pub mod errors;
pub mod presets;
pub mod preview;
mod statuses;
pub mod stress;
pub mod summary;
