//! The CloudFront API, as the cdn steps use it: a client from aws-config's default chain, three
//! calls (CreateInvalidation, GetInvalidation, ListInvalidations) returning our own types, and
//! every error sorted into what the steps branch on.
//!
//! Invariants: credentials are checked once before anything is sent, and every set of
//! credentials the chain hands out (the first, and each refresh) is registered as a secret
//! before it can be used, so no log, error or report can show a key; the client signs for
//! `us-east-1` unless the chain names a region (CloudFront's API is global); the SDK's standard
//! retry handles `Throttling` and transient 5xx within one call, and its attempts and timeouts
//! follow `--retries` and `--timeout`.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::config::timeout::TimeoutConfig;
use aws_sdk_cloudfront::config::{BehaviorVersion, Region};
use aws_sdk_cloudfront::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};

use super::{CdnService, Failure, FailureKind};
use crate::config::CdnSettings;
use crate::context::Limits;
use crate::error::{Error, Service};

/// The region requests are signed for when the chain names none.
const DEFAULT_REGION: &str = "us-east-1";

/// The permissions the cdn commands need.
pub const PERMISSIONS: &str =
    "cloudfront:CreateInvalidation, cloudfront:GetInvalidation and cloudfront:ListInvalidations";

/// Where aws-config's default chain looks for credentials, in its order.
fn chain_hint(profile: Option<&str>) -> String {
    format!(
        "the default credential chain looked in: env AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; \
         the profile {} in ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, \
         AWS_CONFIG_FILE), with its SSO, credential_process or assume-role settings; web identity \
         (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, as EKS IRSA sets them); container \
         credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI: ECS, EKS Pod \
         Identity); and the EC2 instance metadata service. Set one of them, or name a profile \
         with --aws-profile",
        profile.map_or_else(
            || "`default` (or AWS_PROFILE)".to_string(),
            |p| format!("`{p}`")
        )
    )
}

/// Why the chain found no credentials, as one sentence: none configured anywhere (the hint
/// lists where it looked), or what went wrong in the provider that failed.
fn no_credentials(e: &CredentialsError) -> String {
    let cause = match e {
        CredentialsError::CredentialsNotLoaded(_) => None,
        CredentialsError::ProviderTimedOut(_) => Some(e.to_string()),
        // The top level only says "an error occurred"; the causes say which.
        _ => std::error::Error::source(e).map(crate::error::chain),
    };
    match cause {
        Some(c) if !c.is_empty() => format!("no AWS credentials found: {c}"),
        _ => "no AWS credentials found".into(),
    }
}

/// A credentials provider that registers every key it hands out as a secret.
#[derive(Debug)]
struct Registering(SharedCredentialsProvider);

impl ProvideCredentials for Registering {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            let c = self.0.provide_credentials().await?;
            register(&c);
            Ok(c)
        })
    }
}

/// Refuses keys too short to be kept out of output (an emulator's `test`), naming which.
fn check_lengths(c: &aws_credential_types::Credentials) -> Result<(), Error> {
    for (what, value) in [
        ("the AWS access key id", Some(c.access_key_id())),
        ("the AWS secret access key", Some(c.secret_access_key())),
        ("the AWS session token", c.session_token()),
    ] {
        if let Some(value) = value {
            crate::secret::check_length(value, what).map_err(Error::usage)?;
        }
    }
    Ok(())
}

fn register(c: &aws_credential_types::Credentials) {
    crate::secret::register(c.access_key_id());
    crate::secret::register(c.secret_access_key());
    if let Some(t) = c.session_token() {
        crate::secret::register(t);
    }
}

/// One invalidation, as the API reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalidation {
    pub id: String,
    pub status: String,
    pub create_time: Option<SystemTime>,
    /// The batch's paths (empty in list summaries).
    pub paths: Vec<String>,
    pub caller_reference: Option<String>,
}

impl Invalidation {
    /// CloudFront says `Completed`; moto says `COMPLETED`: the case is not part of the answer.
    pub fn is_completed(&self) -> bool {
        is_completed(&self.status)
    }

    fn from_api(i: &aws_sdk_cloudfront::types::Invalidation) -> Invalidation {
        let batch = i.invalidation_batch();
        Invalidation {
            id: i.id().to_string(),
            status: i.status().to_string(),
            create_time: SystemTime::try_from(*i.create_time()).ok(),
            paths: batch
                .and_then(|b| b.paths())
                .map(|p| p.items().to_vec())
                .unwrap_or_default(),
            caller_reference: batch.map(|b| b.caller_reference().to_string()),
        }
    }
}

/// Whether a status means the invalidation is done, in any case.
pub fn is_completed(status: &str) -> bool {
    status.eq_ignore_ascii_case("completed")
}

/// What the steps branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiErrorKind {
    AccessDenied,
    NoSuchDistribution,
    NoSuchInvalidation,
    InvalidArgument,
    BatchTooLarge,
    /// `InvalidationBatchAlreadyExists` (the API reference) or `InvalidArgument` about a caller
    /// reference (what users have seen real CloudFront answer): a reference reused for other
    /// paths.
    ReferenceReused,
    TooManyInProgress,
    Throttled,
    /// A 5xx after the SDK's own retries.
    Server,
    /// No answer: connect error, timeout, no credentials.
    Connection,
    Other,
}

/// A failed CloudFront call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ApiErrorKind,
    pub code: Option<String>,
    pub message: String,
}

impl ApiError {
    /// Worth retrying after a pause, until the step's time is up.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ApiErrorKind::TooManyInProgress | ApiErrorKind::Throttled | ApiErrorKind::Server
        )
    }

    /// "Code: message", as people read it.
    pub fn describe(&self) -> String {
        crate::secret::redact(&match &self.code {
            Some(c) => format!("{c}: {}", self.message),
            None => self.message.clone(),
        })
        .into_owned()
    }

    /// The failure this error is, for an operation on a distribution. `batch` names the batch
    /// and its paths for errors about them.
    pub fn failure(
        &self,
        operation: &str,
        distribution: &str,
        batch: Option<(usize, &[String], &str)>,
    ) -> Failure {
        let aws = |kind, message: String, hint: Option<String>| Failure {
            service: CdnService::Aws,
            kind,
            message,
            hint,
        };
        let said = self.describe();
        match self.kind {
            ApiErrorKind::AccessDenied => aws(
                FailureKind::AccessDenied,
                format!("{operation} on distribution {distribution} was denied ({said})"),
                Some(format!(
                    "the credentials need {PERMISSIONS} on arn:aws:cloudfront::ACCOUNT:distribution/{distribution} (this call needed cloudfront:{operation})"
                )),
            ),
            ApiErrorKind::NoSuchDistribution => aws(
                FailureKind::NotFound,
                format!("distribution {distribution} does not exist ({said})"),
                Some(
                    "check --distribution (or cdn.distribution); `aws cloudfront list-distributions --query 'DistributionList.Items[].[Id,DomainName]'` lists the ones these credentials can see".into(),
                ),
            ),
            ApiErrorKind::NoSuchInvalidation => aws(
                FailureKind::NotFound,
                format!("no such invalidation on distribution {distribution} ({said})"),
                Some("`revalidate cdn list` shows the distribution's invalidations".into()),
            ),
            ApiErrorKind::ReferenceReused => {
                let reference = batch.map_or("", |b| b.2);
                aws(
                    FailureKind::ReferenceReused,
                    format!(
                        "the CallerReference {reference} was used before on distribution {distribution} for other paths ({said})"
                    ),
                    Some(
                        "a CallerReference names one set of paths for good: give this run its own --run-id (or --caller-reference)".into(),
                    ),
                )
            }
            ApiErrorKind::BatchTooLarge => {
                let (index, paths) = batch.map_or((0, &[][..]), |b| (b.0, b.1));
                aws(
                    FailureKind::BadInput,
                    format!(
                        "CloudFront refused batch {index} of {} paths as too large ({said})",
                        paths.len()
                    ),
                    Some("give a smaller --batch-size (CloudFront takes at most 3,000 paths a request)".into()),
                )
            }
            ApiErrorKind::InvalidArgument => {
                let (index, paths) = batch.map_or((0, &[][..]), |b| (b.0, b.1));
                let named: Vec<&String> = paths
                    .iter()
                    .filter(|p| self.message.contains(p.as_str()))
                    .collect();
                let which = match (named.as_slice(), paths) {
                    ([one], _) => format!("the path {one:?}"),
                    (_, [one]) => format!("its one path {one:?}"),
                    _ => format!(
                        "CloudFront did not say which of its {} paths ({:?} to {:?})",
                        paths.len(),
                        paths.first().map_or("", String::as_str),
                        paths.last().map_or("", String::as_str)
                    ),
                };
                aws(
                    FailureKind::BadInput,
                    format!("CloudFront refused batch {index}: {which} ({said})"),
                    Some(
                        "invalidation paths start with \"/\", are at most 4,000 characters, take \"*\" only last, and encode only non-ASCII and RFC 1738 unsafe characters; `--dry-run` shows the paths".into(),
                    ),
                )
            }
            ApiErrorKind::Connection
            | ApiErrorKind::Other
            | ApiErrorKind::Server
            | ApiErrorKind::Throttled
            | ApiErrorKind::TooManyInProgress => aws(
                FailureKind::Unavailable,
                format!("{operation} on distribution {distribution} failed: {said}"),
                Some(
                    "check network access to the CloudFront API (or --endpoint-url, AWS_ENDPOINT_URL_CLOUDFRONT); -vv logs every call".into(),
                ),
            ),
        }
    }
}

fn classify<E>(e: SdkError<E>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message, status) = match &e {
        SdkError::ServiceError(se) => (
            se.err().code().map(str::to_string),
            se.err()
                .message()
                .map_or_else(|| crate::error::chain(&e), str::to_string),
            Some(se.raw().status().as_u16()),
        ),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            return ApiError {
                kind: ApiErrorKind::Connection,
                code: None,
                message: crate::error::chain(&e),
            };
        }
        _ => (None, crate::error::chain(&e), None),
    };
    let kind = match code.as_deref() {
        Some("AccessDenied" | "AccessDeniedException") => ApiErrorKind::AccessDenied,
        Some("NoSuchDistribution") => ApiErrorKind::NoSuchDistribution,
        Some("NoSuchInvalidation") => ApiErrorKind::NoSuchInvalidation,
        Some("InvalidationBatchAlreadyExists") => ApiErrorKind::ReferenceReused,
        Some("InvalidArgument") if message.to_ascii_lowercase().contains("caller reference") => {
            ApiErrorKind::ReferenceReused
        }
        Some("InvalidArgument") => ApiErrorKind::InvalidArgument,
        Some("BatchTooLarge") => ApiErrorKind::BatchTooLarge,
        Some("TooManyInvalidationsInProgress") => ApiErrorKind::TooManyInProgress,
        Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded") => {
            ApiErrorKind::Throttled
        }
        _ if status.is_some_and(|s| s >= 500) => ApiErrorKind::Server,
        _ => ApiErrorKind::Other,
    };
    ApiError {
        kind,
        code,
        message,
    }
}

/// A CloudFront client for one distribution.
#[derive(Clone, Debug)]
pub struct CloudFront {
    client: aws_sdk_cloudfront::Client,
    pub distribution: String,
    /// API calls made (each counted once, whatever the SDK's own retries).
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl CloudFront {
    /// Builds a client from aws-config's default chain (`--aws-profile`, `--endpoint-url` over
    /// it) and checks that credentials can be found, before anything is sent.
    pub async fn connect(
        s: &CdnSettings,
        limits: &Limits,
        initial_backoff: Duration,
        distribution: &str,
    ) -> Result<CloudFront, Error> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(p) = &s.aws_profile {
            loader = loader.profile_name(p);
        }
        let sdk = loader.load().await;
        let hint = || Some(chain_hint(s.aws_profile.as_deref()));
        let Some(chain) = sdk.credentials_provider() else {
            return Err(Error::unavailable(
                Service::Aws,
                "no AWS credentials provider could be set up",
                hint(),
            ));
        };
        let found = tokio::time::timeout(
            limits.timeout.max(Duration::from_secs(5)),
            chain.provide_credentials(),
        )
        .await;
        match found {
            Ok(Ok(c)) => {
                check_lengths(&c)?;
                register(&c);
            }
            Ok(Err(e)) => {
                return Err(Error::unavailable(Service::Aws, no_credentials(&e), hint()));
            }
            Err(_) => {
                return Err(Error::unavailable(
                    Service::Aws,
                    format!(
                        "no AWS credentials found within {}",
                        humantime::format_duration(limits.timeout.max(Duration::from_secs(5)))
                    ),
                    hint(),
                ));
            }
        }
        let mut conf = aws_sdk_cloudfront::config::Builder::from(&sdk)
            .credentials_provider(Registering(chain))
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(limits.retries + 1)
                    .with_initial_backoff(initial_backoff),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(limits.timeout)
                    .operation_attempt_timeout(limits.timeout)
                    .build(),
            );
        if sdk.region().is_none() {
            conf = conf.region(Region::new(DEFAULT_REGION));
        }
        if let Some(url) = &s.endpoint_url {
            conf = conf.endpoint_url(url);
        }
        Ok(CloudFront::from_client(
            aws_sdk_cloudfront::Client::from_conf(conf.build()),
            distribution,
        ))
    }

    /// A client from a ready SDK client (tests).
    pub fn from_client(client: aws_sdk_cloudfront::Client, distribution: &str) -> CloudFront {
        CloudFront {
            client,
            distribution: distribution.to_string(),
            calls: Default::default(),
        }
    }

    /// API calls made so far.
    pub fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn count(&self) {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// CreateInvalidation.
    pub async fn create(
        &self,
        caller_reference: &str,
        paths: &[String],
    ) -> Result<Invalidation, ApiError> {
        let quantity = i32::try_from(paths.len()).unwrap_or(i32::MAX);
        let batch = InvalidationBatch::builder()
            .caller_reference(caller_reference)
            .paths(
                Paths::builder()
                    .quantity(quantity)
                    .set_items(Some(paths.to_vec()))
                    .build()
                    .expect("quantity is set"),
            )
            .build()
            .expect("caller reference and paths are set");
        self.count();
        let out = self
            .client
            .create_invalidation()
            .distribution_id(&self.distribution)
            .invalidation_batch(batch)
            .send()
            .await
            .map_err(classify)?;
        out.invalidation()
            .map(Invalidation::from_api)
            .ok_or_else(|| ApiError {
                kind: ApiErrorKind::Other,
                code: None,
                message: "CreateInvalidation answered without an invalidation".into(),
            })
    }

    /// GetDistribution: the distribution's domain name and status. No step needs it; doctor
    /// asks it to tell "these credentials reach the distribution" apart from "they may list it".
    pub async fn distribution_info(&self) -> Result<(String, String), ApiError> {
        self.count();
        let out = self
            .client
            .get_distribution()
            .id(&self.distribution)
            .send()
            .await
            .map_err(classify)?;
        Ok(out
            .distribution()
            .map(|d| (d.domain_name().to_string(), d.status().to_string()))
            .unwrap_or_default())
    }

    /// GetInvalidation.
    pub async fn get(&self, id: &str) -> Result<Invalidation, ApiError> {
        self.count();
        let out = self
            .client
            .get_invalidation()
            .distribution_id(&self.distribution)
            .id(id)
            .send()
            .await
            .map_err(classify)?;
        out.invalidation()
            .map(Invalidation::from_api)
            .ok_or_else(|| ApiError {
                kind: ApiErrorKind::Other,
                code: None,
                message: "GetInvalidation answered without an invalidation".into(),
            })
    }

    /// One page of ListInvalidations (newest first), and the marker of the next page.
    pub async fn list_page(
        &self,
        marker: Option<&str>,
        max_items: usize,
    ) -> Result<(Vec<Invalidation>, Option<String>), ApiError> {
        self.count();
        let out = self
            .client
            .list_invalidations()
            .distribution_id(&self.distribution)
            .set_marker(marker.map(str::to_string))
            .max_items(i32::try_from(max_items).unwrap_or(1000))
            .send()
            .await
            .map_err(classify)?;
        let Some(list) = out.invalidation_list() else {
            return Ok((Vec::new(), None));
        };
        let items = list
            .items()
            .iter()
            .map(|s| Invalidation {
                id: s.id().to_string(),
                status: s.status().to_string(),
                create_time: SystemTime::try_from(*s.create_time()).ok(),
                paths: Vec::new(),
                caller_reference: None,
            })
            .collect();
        let next = list
            .is_truncated()
            .then(|| list.next_marker().map(str::to_string))
            .flatten();
        Ok((items, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: ApiErrorKind, code: &str, message: &str) -> ApiError {
        ApiError {
            kind,
            code: Some(code.into()),
            message: message.into(),
        }
    }

    #[test]
    fn access_denied_names_the_permissions() {
        let f = err(
            ApiErrorKind::AccessDenied,
            "AccessDenied",
            "User: x is not authorized",
        )
        .failure("CreateInvalidation", "E123", None);
        assert_eq!(f.kind, FailureKind::AccessDenied);
        let hint = f.hint.unwrap();
        for p in [
            "cloudfront:CreateInvalidation",
            "cloudfront:GetInvalidation",
            "cloudfront:ListInvalidations",
        ] {
            assert!(hint.contains(p), "{hint}");
        }
        assert!(hint.contains("distribution/E123"), "{hint}");
    }

    #[test]
    fn invalid_argument_names_the_path_when_it_can() {
        let paths = vec!["/a".to_string(), "/b%ZZ".to_string(), "/c".to_string()];
        let f = err(
            ApiErrorKind::InvalidArgument,
            "InvalidArgument",
            "bad path /b%ZZ",
        )
        .failure("CreateInvalidation", "E1", Some((2, &paths, "ref")));
        assert!(
            f.message.contains("batch 2: the path \"/b%ZZ\""),
            "{}",
            f.message
        );
        let f = err(
            ApiErrorKind::InvalidArgument,
            "InvalidArgument",
            "An argument is invalid.",
        )
        .failure("CreateInvalidation", "E1", Some((1, &paths, "ref")));
        assert!(
            f.message
                .contains("did not say which of its 3 paths (\"/a\" to \"/c\")"),
            "{}",
            f.message
        );
        let one = vec!["/only".to_string()];
        let f = err(
            ApiErrorKind::InvalidArgument,
            "InvalidArgument",
            "An argument is invalid.",
        )
        .failure("CreateInvalidation", "E1", Some((1, &one, "ref")));
        assert!(
            f.message.contains("its one path \"/only\""),
            "{}",
            f.message
        );
        assert_eq!(f.to_error().exit_code(), crate::exit::Code::Usage);
    }

    #[test]
    fn statuses_compare_in_any_case() {
        assert!(
            is_completed("Completed") && is_completed("COMPLETED") && is_completed("completed")
        );
        assert!(!is_completed("InProgress"));
    }
}
