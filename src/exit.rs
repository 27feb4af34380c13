//! Exit codes: the one place that names them and the one function that maps an outcome to them.
//!
//! Invariant: every way the binary can end goes through [`Code`]; nothing else calls
//! `std::process::exit` with a bare number. The table in [`TABLE`] feeds `--help` and the man
//! pages, and a test holds the README's table to it, so the documentation cannot drift from the
//! code.

use std::process::ExitCode;

/// Why the program ended, as a machine reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// Everything asked for was done and, where checked, proven.
    Success,
    /// A bug or an environment failure nobody anticipated; or a file the command was asked to
    /// write (`verify --save`, `--junit`) could not be written.
    Unexpected,
    /// Bad flags, bad paths, bad configuration: nothing was sent.
    Usage,
    /// Some (path, pod) cells failed: unreachable, rejected, http-error, gone; or CDN work was
    /// left undone (an invalidation not created, or not completed by --wait-timeout; a purge
    /// that failed).
    CellsFailed,
    /// Stale content found, or freshness could not be proven (verify).
    Stale,
    /// A required service (Redis, AWS, Cloudflare, Kubernetes API) could not be used.
    ServiceUnavailable,
    /// Interrupted by Ctrl-C (SIGINT); a partial report was printed.
    Interrupted,
    /// Terminated (SIGTERM, as CI systems and Kubernetes cancel); a partial report was printed.
    Terminated,
}

impl Code {
    /// The numeric process exit status.
    pub const fn as_u8(self) -> u8 {
        match self {
            Code::Success => 0,
            Code::Unexpected => 1,
            Code::Usage => 2,
            Code::CellsFailed => 3,
            Code::Stale => 4,
            Code::ServiceUnavailable => 5,
            Code::Interrupted => 130,
            Code::Terminated => 143,
        }
    }

    /// When several things went wrong, the code that tells the caller the most wins:
    /// interrupted or terminated > usage > service > stale > cells failed > unexpected > success.
    pub fn worst(self, other: Code) -> Code {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    fn rank(self) -> u8 {
        match self {
            Code::Success => 0,
            Code::Unexpected => 1,
            Code::CellsFailed => 2,
            Code::Stale => 3,
            Code::ServiceUnavailable => 4,
            Code::Usage => 5,
            Code::Interrupted | Code::Terminated => 6,
        }
    }
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> ExitCode {
        ExitCode::from(code.as_u8())
    }
}

/// What a step found, as far as the exit code cares.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    /// Cells that failed (unreachable, rejected, http-error, gone, cancelled).
    pub failed_cells: usize,
    /// Paths found stale or unproven (verify).
    pub stale_paths: usize,
    /// Set when the run stopped early.
    pub stopped: Option<Stop>,
}

/// The one mapping from what happened to the exit code. An interrupted or terminated run exits
/// 130 or 143 whatever it found; stale content outranks unreachable cells (the content is wrong,
/// not just unproven); a deadline that cut work short counts as failed cells.
pub fn code_for(s: &Summary) -> Code {
    if s.stopped == Some(Stop::Interrupted) {
        Code::Interrupted
    } else if s.stopped == Some(Stop::Terminated) {
        Code::Terminated
    } else if s.stale_paths > 0 {
        Code::Stale
    } else if s.failed_cells > 0 || s.stopped.is_some() {
        Code::CellsFailed
    } else {
        Code::Success
    }
}

/// Every exit code with its one-line meaning, in numeric order.
pub const TABLE: &[(Code, &str)] = &[
    (
        Code::Success,
        "success: every request succeeded and every check held",
    ),
    (
        Code::Unexpected,
        "unexpected error (a bug, or the machine failed us); a file asked for could not be written, said after the report (verify --save; --junit, unless the run failed otherwise)",
    ),
    (
        Code::Usage,
        "usage or configuration error (bad flags, bad paths, bad config); nothing was sent (doctor: a setting that does not load is a FAIL line; the other parts are still checked)",
    ),
    (
        Code::CellsFailed,
        "some (path, pod) cells failed: unreachable, rejected, http-error, gone; cdn: an invalidation not created or not completed by --wait-timeout, a purge that failed; publish: a message under-delivered, unacknowledged or not sent; doctor: a FAIL in the fleet (pods, build ids, previewModeId or endpoint, subscribers, agents, cache headers); agents: a configured pod with no live agent, or none live",
    ),
    (
        Code::Stale,
        "stale content found, or freshness could not be proven (verify: stale, unproven)",
    ),
    (
        Code::ServiceUnavailable,
        "a required service (Redis, AWS, Cloudflare, Kubernetes API) was unavailable or refused the credentials; doctor: a FAIL of a service, its credentials or RBAC",
    ),
    (
        Code::Interrupted,
        "interrupted (Ctrl-C, SIGINT); the partial report was printed",
    ),
    (
        Code::Terminated,
        "terminated (SIGTERM); the partial report was printed",
    ),
];

/// The exit-code table as plain text, for `--help`.
pub fn help_text() -> String {
    let mut s = String::from("Exit codes:\n");
    for (code, meaning) in TABLE {
        s.push_str(&format!("  {:>3}  {meaning}\n", code.as_u8()));
    }
    s
}

/// Why work stopped before it finished.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// Ctrl-C (SIGINT).
    Interrupted,
    /// SIGTERM: how CI systems and Kubernetes cancel.
    Terminated,
    /// The command's --deadline passed.
    Deadline,
}

impl Stop {
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Interrupted => "interrupted (Ctrl-C) before this request finished",
            Stop::Terminated => "terminated (SIGTERM) before this request finished",
            Stop::Deadline => "the --deadline passed before this request finished",
        }
    }

    /// The one-line ending of a partial report.
    pub fn partial(self) -> &'static str {
        match self {
            Stop::Interrupted => "interrupted; this report is partial",
            Stop::Terminated => "terminated; this report is partial",
            Stop::Deadline => "deadline reached; this report is partial",
        }
    }

    pub(crate) fn is_signal(self) -> bool {
        matches!(self, Stop::Interrupted | Stop::Terminated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_numbers() {
        let nums: Vec<u8> = TABLE.iter().map(|(c, _)| c.as_u8()).collect();
        assert_eq!(nums, vec![0, 1, 2, 3, 4, 5, 130, 143]);
    }

    #[test]
    fn summaries_map_to_codes() {
        let s = |failed_cells, stale_paths, stopped| {
            code_for(&Summary {
                failed_cells,
                stale_paths,
                stopped,
            })
        };
        assert_eq!(s(0, 0, None), Code::Success);
        assert_eq!(s(2, 0, None), Code::CellsFailed);
        assert_eq!(s(2, 1, None), Code::Stale);
        assert_eq!(s(0, 0, Some(Stop::Deadline)), Code::CellsFailed);
        assert_eq!(s(0, 3, Some(Stop::Interrupted)), Code::Interrupted);
        assert_eq!(s(1, 3, Some(Stop::Terminated)), Code::Terminated);
    }

    #[test]
    fn worst_prefers_the_more_telling_code() {
        assert_eq!(Code::Success.worst(Code::CellsFailed), Code::CellsFailed);
        assert_eq!(Code::Stale.worst(Code::CellsFailed), Code::Stale);
        assert_eq!(Code::Stale.worst(Code::Interrupted), Code::Interrupted);
        assert_eq!(Code::Usage.worst(Code::Success), Code::Usage);
    }
}
