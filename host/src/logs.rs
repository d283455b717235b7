//! The running builtin's log collector, and the repairs that make its transaction's logs
//! read as a cluster's would.
//!
//! `solana_program_test::invoke_builtin_function` writes an `invoke` line on entry and a
//! `success` or `failed` line on exit, and its CPI stub does the same around each inner
//! call; the runtime writes those lines too, so each would appear twice (and Anchor's log
//! parser rejects the doubled stack). [`Frame::leave_builtin`] and [`remove_cpi_duplicates`]
//! drop the helper's copies, leaving the runtime's.

use solana_svm_log_collector::LogCollector;
use std::cell::RefCell;
use std::rc::Rc;

type Collector = Rc<RefCell<LogCollector>>;

thread_local! {
    /// Log collectors of the builtins running on this thread, innermost last.
    static FRAMES: RefCell<Vec<Option<Collector>>> = const { RefCell::new(Vec::new()) };
}

/// The innermost running builtin's log collector, if any builtin of ours is running.
pub fn current() -> Option<Collector> {
    FRAMES.with(|frames| frames.borrow().last().cloned().flatten())
}

/// Whether a builtin of ours is running on this thread.
pub fn in_builtin() -> bool {
    FRAMES.with(|frames| !frames.borrow().is_empty())
}

/// Host logger for `msg!`: a `Program log:` line of the running transaction (dropped, as on a
/// cluster, when the runtime records no logs for it), or stdout when no builtin of ours is
/// running on this thread.
pub fn program_log(message: &str) {
    match current() {
        Some(collector) => collector
            .borrow_mut()
            .log(&format!("Program log: {message}")),
        None if in_builtin() => {}
        None => println!("{message}"),
    }
}

/// A builtin call in progress on this thread.
pub struct Frame {
    collector: Option<Collector>,
    start: usize,
}

impl Frame {
    /// Starts a builtin call that logs into `collector`.
    pub fn enter(collector: Option<Collector>) -> Self {
        let start = line_count(&collector);
        FRAMES.with(|frames| frames.borrow_mut().push(collector.clone()));
        Self { collector, start }
    }

    /// Ends the call: drops the helper's copy of the `invoke` line (the first line the call
    /// wrote, equal to the runtime's line just before it) and of the final `success` or
    /// `failed` line (the runtime writes its own after the call returns).
    pub fn leave_builtin(self) {
        FRAMES.with(|frames| frames.borrow_mut().pop());
        let Some(collector) = &self.collector else {
            return;
        };
        let mut log = collector.borrow_mut();
        let Some(invoke) = self.start.checked_sub(1).map(|i| log.messages[i].clone()) else {
            return;
        };
        let Some(prefix) = invoke_prefix(&invoke) else {
            return;
        };
        let last = log.messages.len().saturating_sub(1);
        if last > self.start && is_outcome_line(&log.messages[last], &prefix) {
            remove(&mut log, last);
        }
        if log.messages.get(self.start) == Some(&invoke) {
            remove(&mut log, self.start);
        }
    }
}

/// After a CPI that began when the log had `start` lines: drops the stub's `invoke` line (at
/// `start`, for the same program as the runtime's line after it, whose depth is the right one)
/// and its trailing `success` line (after the runtime's equal line).
pub fn remove_cpi_duplicates(start: usize) {
    let Some(collector) = current() else {
        return;
    };
    let mut log = collector.borrow_mut();
    let len = log.messages.len();
    if len >= start + 4 && log.messages[len - 1] == log.messages[len - 2] {
        remove(&mut log, len - 1);
    }
    let same_program =
        |a: &str, b: &str| invoke_prefix(a).is_some() && invoke_prefix(a) == invoke_prefix(b);
    if log.messages.len() > start + 1
        && same_program(&log.messages[start], &log.messages[start + 1])
    {
        remove(&mut log, start);
    }
}

/// Lines in the running builtin's log (0 without one).
pub fn current_line_count() -> usize {
    line_count(&current())
}

fn line_count(collector: &Option<Collector>) -> usize {
    collector.as_ref().map_or(0, |c| c.borrow().messages.len())
}

/// `"Program <id> "` of an `invoke` line.
fn invoke_prefix(line: &str) -> Option<String> {
    let rest = line.strip_prefix("Program ")?;
    let (id, tail) = rest.split_once(' ')?;
    tail.starts_with("invoke [")
        .then(|| format!("Program {id} "))
}

fn is_outcome_line(line: &str, prefix: &str) -> bool {
    line.strip_prefix(prefix)
        .is_some_and(|tail| tail == "success" || tail.starts_with("failed: "))
}

/// Removes one line, giving its bytes back to the log's budget.
fn remove(log: &mut LogCollector, index: usize) {
    let line = log.messages.remove(index);
    log.bytes_written = log.bytes_written.saturating_sub(line.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "Ring111111111111111111111111111111111111111";

    fn collector(lines: &[&str]) -> Collector {
        let log = LogCollector::new_ref();
        for line in lines {
            log.borrow_mut().log(line);
        }
        log
    }

    fn lines(log: &Collector) -> Vec<String> {
        log.borrow().messages.clone()
    }

    #[test]
    fn builtin_frame_keeps_one_invoke_and_one_outcome() {
        let invoke = format!("Program {ID} invoke [1]");
        let log = collector(&[&invoke]);
        let frame = Frame::enter(Some(log.clone()));
        for line in [invoke.as_str(), "Program log: hello"] {
            log.borrow_mut().log(line);
        }
        log.borrow_mut().log(&format!("Program {ID} success"));
        frame.leave_builtin();
        assert_eq!(lines(&log), vec![invoke, "Program log: hello".to_string()]);
        assert!(current().is_none());
    }

    #[test]
    fn failed_outcome_is_dropped_too() {
        let invoke = format!("Program {ID} invoke [1]");
        let log = collector(&[&invoke]);
        let frame = Frame::enter(Some(log.clone()));
        log.borrow_mut().log(&invoke);
        log.borrow_mut().log(&format!(
            "Program {ID} failed: custom program error: 0x1770"
        ));
        frame.leave_builtin();
        assert_eq!(lines(&log), vec![invoke]);
    }

    #[test]
    fn program_log_lines_go_to_the_innermost_frame() {
        let log = collector(&["Program x invoke [1]"]);
        let frame = Frame::enter(Some(log.clone()));
        program_log("Instruction: Deposit");
        assert_eq!(lines(&log)[1], "Program log: Instruction: Deposit");
        frame.leave_builtin();
    }

    #[test]
    fn cpi_duplicates_are_removed_once() {
        let outer = format!("Program {ID} invoke [1]");
        let stub = "Program Tokenkeg invoke [1]";
        let token = "Program Tokenkeg invoke [2]";
        let done = "Program Tokenkeg success";
        let log = collector(&[&outer]);
        let frame = Frame::enter(Some(log.clone()));
        let start = current_line_count();
        for line in [
            stub,
            token,
            "Program log: Instruction: Transfer",
            done,
            done,
        ] {
            log.borrow_mut().log(line);
        }
        remove_cpi_duplicates(start);
        assert_eq!(
            lines(&log),
            vec![
                outer,
                token.into(),
                "Program log: Instruction: Transfer".into(),
                done.into()
            ]
        );
        frame.leave_builtin();
    }
}
