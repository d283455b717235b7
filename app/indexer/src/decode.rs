//! Ringfence's events from a transaction's logs, as Anchor writes them: one
//! `Program data: <base64>` line per event (8-byte discriminator, then Borsh), inside the
//! program's own invoke frame. Lines of other programs, and lines that do not decode, are
//! skipped and counted, never returned.

use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::prelude::{Engine, BASE64_STANDARD};
use ringfence::events as ev;

macro_rules! events {
    ($($name:ident),* $(,)?) => {
        /// One of the program's events, decoded with the program's own types.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name(ev::$name),
            )*
        }

        impl Event {
            /// Decodes discriminator + Borsh bytes; `None` for an unknown discriminator,
            /// bytes that do not parse, or bytes left over.
            pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
                let (discriminator, mut data) = bytes.split_at_checked(8)?;
                $(
                    if discriminator == ev::$name::DISCRIMINATOR {
                        let event = ev::$name::deserialize(&mut data).ok()?;
                        return data.is_empty().then_some(Event::$name(event));
                    }
                )*
                None
            }

            /// The event's name, as in the IDL.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Event::$name(_) => stringify!($name),)*
                }
            }
        }
    };
}

events!(
    ExchangeInitialized,
    MarketCreated,
    MarketUpdateProposed,
    MarketUpdateCancelled,
    ProtocolFeesWithdrawn,
    FundingRemainderSwept,
    MarketUpdated,
    MarketStatusSet,
    AdminProposed,
    AdminAccepted,
    StubPriceSet,
    UserCreated,
    SubAccountCreated,
    Deposited,
    Withdrawn,
    SubAccountClosed,
    PositionOpened,
    PositionClosed,
    PoolDeposited,
    PoolWithdrawn,
    MarginMoved,
    FundingAccrued,
    FundingSettled,
    BankruptcyResolved,
    Liquidated,
    InsuranceMoved,
    TriggersSet,
    TriggerExecuted,
    ClaimIssued,
    ClaimRedeemed,
    PoolValuationRefreshed,
    DelegateSet,
    OrderPlaced,
    OrderRemoved,
    OrderExecuted,
);

/// The program's events in one transaction's logs, in order, and what was skipped.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Decoded {
    /// Events of the program, in log order.
    pub events: Vec<Event>,
    /// `Program data:` lines inside the program's frame that did not decode.
    pub malformed: u64,
    /// `Program data:` lines of other programs (or outside any frame).
    pub foreign: u64,
    /// Whether the runtime truncated the logs (events may be missing).
    pub truncated: bool,
}

/// Reads `logs` (a transaction's `logMessages`), following the invoke frames so that only
/// lines written while `program` is the innermost running program count as its events.
pub fn decode_logs(logs: &[String], program: &str) -> Decoded {
    let mut out = Decoded::default();
    let mut frames: Vec<&str> = Vec::new();
    for line in logs {
        if let Some(data) = line.strip_prefix("Program data: ") {
            if frames.last() != Some(&program) {
                out.foreign += 1;
                continue;
            }
            match decode_data(data) {
                Some(event) => out.events.push(event),
                None => out.malformed += 1,
            }
        } else if line == "Log truncated" {
            out.truncated = true;
        } else if let Some(rest) = line.strip_prefix("Program ") {
            follow_frame(rest, &mut frames);
        }
    }
    out
}

/// Pushes on `<id> invoke [n]`, pops on `<id> success` and `<id> failed: …`.
fn follow_frame<'a>(rest: &'a str, frames: &mut Vec<&'a str>) {
    let Some((id, what)) = rest.split_once(' ') else {
        return;
    };
    if what.starts_with("invoke [") {
        frames.push(id);
    } else if (what == "success" || what.starts_with("failed")) && frames.last() == Some(&id) {
        frames.pop();
    }
}

/// One `Program data:` payload: Anchor writes a single base64 field per event.
fn decode_data(data: &str) -> Option<Event> {
    if data.contains(' ') {
        return None;
    }
    let bytes = BASE64_STANDARD.decode(data).ok()?;
    Event::from_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use anchor_lang::Event as _;

    fn data_line(bytes: &[u8]) -> String {
        format!("Program data: {}", BASE64_STANDARD.encode(bytes))
    }

    fn deposited(amount: u64) -> ev::Deposited {
        ev::Deposited {
            sub_account: Pubkey::new_from_array([7; 32]),
            amount,
            collateral: amount as i64,
        }
    }

    #[test]
    fn events_inside_the_program_frame_decode_and_others_are_counted() {
        let program = ringfence::ID.to_string();
        let other = "Other111111111111111111111111111111111111111";
        let good = deposited(40_000_000);
        let mut truncated_bytes = good.data();
        truncated_bytes.pop();
        let mut extra_bytes = good.data();
        extra_bytes.push(0);
        let logs = vec![
            data_line(&good.data()), // outside any frame
            format!("Program {program} invoke [1]"),
            "Program log: Instruction: Deposit".to_string(),
            format!("Program {other} invoke [2]"),
            data_line(&good.data()), // the inner program's
            format!("Program {other} success"),
            data_line(&good.data()),
            data_line(&truncated_bytes),
            data_line(&extra_bytes),
            "Program data: not base64 !".to_string(),
            data_line(&[1, 2, 3, 4, 5, 6, 7, 8, 9]), // unknown discriminator
            "Program data: AAAA AAAA".to_string(),   // two fields: not an Anchor event
            format!("Program {program} success"),
            data_line(&good.data()), // after the frame closed
        ];
        let decoded = decode_logs(&logs, &program);
        assert_eq!(decoded.events, vec![Event::Deposited(good)]);
        assert_eq!((decoded.malformed, decoded.foreign), (5, 3));
        assert!(!decoded.truncated);
    }

    #[test]
    fn a_failed_inner_frame_is_closed_and_truncation_is_reported() {
        let program = ringfence::ID.to_string();
        let other = "Other111111111111111111111111111111111111111";
        let logs = vec![
            format!("Program {program} invoke [1]"),
            format!("Program {other} invoke [2]"),
            format!("Program {other} failed: custom program error: 0x1"),
            data_line(&deposited(1).data()),
            "Log truncated".to_string(),
        ];
        let decoded = decode_logs(&logs, &program);
        assert_eq!(decoded.events, vec![Event::Deposited(deposited(1))]);
        assert!(decoded.truncated);
        assert_eq!(decoded.events[0].name(), "Deposited");
    }
}
