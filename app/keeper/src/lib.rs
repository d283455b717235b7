//! Ringfence keeper: finds liquidatable sub-accounts over standard Solana JSON-RPC, scores them
//! with the program's own margin code, liquidates the worst first, cranks funding and executes
//! crossed stop-loss / take-profit orders. Runs unchanged against the local network, devnet or
//! mainnet.

pub mod band;
pub mod config;
pub mod counters;
pub mod fees;
pub mod index;
pub mod keeper;
pub mod orders;
pub mod scoring;
pub mod ticks;
mod watch;

pub use config::KeeperConfig;
pub use keeper::{Keeper, Outcome};
