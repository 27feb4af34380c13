//! The one error type of the program: everything that ends a command before (or instead of) a
//! report.
//!
//! Each variant knows its exit code ([`Error::exit_code`]) and may carry a hint for people
//! (nextest's `ExpectedError`, xh's additional messages). Invariants: usage, configuration and
//! bad-input errors happen before anything is sent (exit 2); a service the command needs (Redis,
//! AWS, the Kubernetes API) that cannot be used is exit 5; a report that cannot be written is
//! exit 1. A pod that fails is never an `Error`: it is data in its step's report.

use std::fmt;

use crate::exit::Code;

/// A service a step depends on, named in exit-5 errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Redis,
    Aws,
    Kubernetes,
    Cloudflare,
    /// The resolver, for `--dns`.
    Dns,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::Redis => "Redis",
            Service::Aws => "AWS",
            Service::Kubernetes => "the Kubernetes API",
            Service::Cloudflare => "the Cloudflare API",
            Service::Dns => "DNS",
        })
    }
}

/// A configuration problem: always a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Flags that make no sense together, or a value the command cannot use.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// The configuration file, a profile, an environment variable or a flag holds a bad value.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Paths that break the rules (every bad one is listed).
    #[error(transparent)]
    Paths(#[from] crate::paths::PathsError),
    /// Cache tags that break Next.js's rules (every bad one is listed).
    #[error(transparent)]
    Tags(#[from] crate::tags::TagsError),
    /// A service the command needs could not be used.
    #[error("{service}: {message}")]
    Unavailable {
        service: Service,
        message: String,
        hint: Option<String>,
    },
    /// Reading or writing a file, or writing the report, failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// Anything nobody anticipated; the cause chain is printed whole.
    #[error("{0:#}")]
    Unexpected(anyhow::Error),
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage {
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn unavailable(
        service: Service,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Error {
        Error::Unavailable {
            service,
            message: message.into(),
            hint,
        }
    }

    pub fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    pub fn unexpected(message: impl fmt::Display) -> Error {
        Error::Unexpected(anyhow::anyhow!("{message}"))
    }

    /// The exit code this error ends the program with.
    pub fn exit_code(&self) -> Code {
        match self {
            Error::Usage { .. } | Error::Config(_) | Error::Paths(_) | Error::Tags(_) => {
                Code::Usage
            }
            Error::Unavailable { .. } => Code::ServiceUnavailable,
            Error::Io { .. } | Error::Unexpected(_) => Code::Unexpected,
        }
    }

    /// What to try next, when the failure is a known one.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Usage { hint, .. } | Error::Unavailable { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }

    /// The whole message as printed on stderr: `error: …` and, when known, `hint: …`.
    pub fn render(&self) -> String {
        let mut s = format!("error: {self}\n");
        if let Some(h) = self.hint() {
            s.push_str(&format!("hint: {h}\n"));
        }
        s
    }
}

/// An error and its causes as one line of words: each cause's own message, joined by ": ",
/// leaving out a cause whose words the line already holds, with line breaks folded into spaces.
/// Never a type's debug form (libraries such as the AWS SDK print theirs in `{:?}`, and
/// `DisplayErrorContext` appends it): people read this line.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(cause) = next {
        let text = cause
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}

/// The innermost cause of an error alone: what people need of a connection failure.
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(s) = last.source() {
        last = s;
    }
    last.to_string()
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        Error::Unexpected(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_maps_to_its_exit_code() {
        assert_eq!(Error::usage("x").exit_code(), Code::Usage);
        assert_eq!(
            Error::from(ConfigError("x".into())).exit_code(),
            Code::Usage
        );
        assert_eq!(
            Error::from(crate::paths::PathsError::None).exit_code(),
            Code::Usage
        );
        assert_eq!(
            Error::from(crate::targets::TargetsError::None).exit_code(),
            Code::Usage
        );
        assert_eq!(
            Error::unavailable(Service::Redis, "refused", None).exit_code(),
            Code::ServiceUnavailable
        );
        assert_eq!(
            Error::io("write", std::io::Error::other("disk full")).exit_code(),
            Code::Unexpected
        );
        assert_eq!(Error::unexpected("bug").exit_code(), Code::Unexpected);
    }

    #[test]
    fn a_chain_is_one_line_of_each_cause_once() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "cannot load the credentials:\n  {}", self.0)
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let inner = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "request forbidden");
        let line = chain(&Outer(inner));
        assert_eq!(line, "cannot load the credentials: request forbidden");
        let wrapped = std::io::Error::other(Outer(std::io::Error::other("refused")));
        assert_eq!(chain(&wrapped), "cannot load the credentials: refused");
    }

    #[test]
    fn render_prints_the_hint_under_the_error() {
        let e = Error::unavailable(
            Service::Redis,
            "cannot connect to 127.0.0.1:6379: connection refused",
            Some("is redis-server running at 127.0.0.1:6379?".into()),
        );
        assert_eq!(
            e.render(),
            "error: Redis: cannot connect to 127.0.0.1:6379: connection refused\nhint: is redis-server running at 127.0.0.1:6379?\n"
        );
    }
}
