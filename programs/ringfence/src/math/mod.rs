//! Pure fixed-point math shared by the program, the keeper, the SDK and the web preview.
//! Nothing here imports a Solana crate: prices, clocks and balances come in as arguments.

pub mod fixed_point;
pub mod funding;
pub mod liquidation;
pub mod margin;
pub mod oracle;
pub mod prices;
pub mod trade;
pub mod units;

pub use fixed::types::I80F48;
pub use fixed_point::{FixedExt, MathError, MathResult};
