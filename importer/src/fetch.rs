//! Sources from URLs: timeouts, a size cap, retries with backoff on server and connection errors, conditional
//! requests, and errors a user understands.

use std::io::IsTerminal;
use std::time::Duration;

use crate::source::SourceFile;

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Longest wait to connect.
    pub connect_timeout: Duration,
    /// Longest wait for the whole download.
    pub timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_bytes: u64,
    /// Retries after a server error (5xx) or a failed connection; 4xx answers are never retried.
    pub retries: u32,
    /// Wait before the first retry; doubled before each further one.
    pub backoff: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(120),
            max_bytes: 100 * 1024 * 1024,
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// Validators of an earlier download of the same URL, sent so that an unchanged file is not downloaded again.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    /// The `ETag` the server gave.
    pub etag: Option<String>,
    /// The `Last-Modified` the server gave.
    pub last_modified: Option<String>,
}

/// What a fetch gave.
#[derive(Debug)]
pub enum Fetched {
    /// The file.
    File(SourceFile),
    /// The server says the file has not changed since the validators were given (304).
    NotModified,
}

/// Why a download failed, in words a user understands.
#[derive(Debug, thiserror::Error)]
#[error("cannot download {}: {reason}", crate::names::shown(.url))]
pub struct FetchError {
    /// The URL, without its secrets.
    pub url: String,
    /// What went wrong and what to do.
    pub reason: String,
}

/// The validators of the latest import of `url`, to ask the server whether it changed since.
pub async fn validators_of(
    db: &sea_orm::DatabaseConnection,
    url: &str,
) -> Result<crate::fetch::Validators, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use send_model::entity::import_run;
    let run = import_run::Entity::find()
        .filter(import_run::Column::Source.eq(url))
        .order_by_desc(import_run::Column::Id)
        .one(db)
        .await?;
    Ok(run.map_or_else(Default::default, |r| crate::fetch::Validators { etag: r.etag, last_modified: r.last_modified }))
}

enum Attempt {
    Done(Fetched),
    Retry(String),
    Fail(String),
}

/// A builder of HTTP clients that can speak TLS. reqwest is built without a crypto provider of its own (its default
/// one is aws-lc-rs, a second C library to compile beside the ring that sqlx's TLS uses), so this installs ring as
/// the process's default first: a reqwest client built before any provider is installed panics.
pub fn http_client() -> reqwest::ClientBuilder {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        // An error only means a provider is installed already, which is all a client needs.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
}

/// Downloads `url`, retrying server and connection errors.
/// The file is named by its URL without secrets ([`crate::names::redact_url`]): that name is what problems, log
/// lines and the import run show.
pub async fn fetch(url: &str, validators: &Validators, options: &FetchOptions) -> Result<Fetched, FetchError> {
    let name = crate::names::redact_url(url);
    let fail = |reason: String| FetchError { url: name.clone(), reason };
    let client = http_client()
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .user_agent(concat!("send-import/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(format!("cannot start an HTTP client ({e})")))?;
    let mut wait = options.backoff;
    let mut attempt = 0;
    loop {
        match try_once(&client, url, &name, validators, options).await {
            Attempt::Done(fetched) => return Ok(fetched),
            Attempt::Fail(reason) => return Err(fail(reason)),
            Attempt::Retry(reason) if attempt >= options.retries => {
                return Err(fail(format!("{reason}; gave up after {} attempt(s)", attempt + 1)));
            }
            Attempt::Retry(reason) => {
                eprintln!("send-import: {}: {reason}; retrying in {} ms", crate::names::shown(&name), wait.as_millis());
                tokio::time::sleep(wait).await;
                wait *= 2;
                attempt += 1;
            }
        }
    }
}

fn timeout_message(options: &FetchOptions) -> String {
    format!(
        "the server did not answer in time (connect timeout {} s, total timeout {} s); try again later or raise --timeout",
        options.connect_timeout.as_secs(),
        options.timeout.as_secs()
    )
}

async fn try_once(
    client: &reqwest::Client,
    url: &str,
    name: &str,
    validators: &Validators,
    options: &FetchOptions,
) -> Attempt {
    let mut request = client.get(url);
    if let Some(etag) = &validators.etag {
        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    if let Some(modified) = &validators.last_modified {
        request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
    }
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Attempt::Fail(timeout_message(options)),
        // Without the URL: the error would print it whole, secrets included.
        Err(e) if e.is_connect() => return Attempt::Retry(format!("cannot connect ({})", e.without_url())),
        Err(e) => return Attempt::Retry(format!("the request failed ({})", e.without_url())),
    };
    let status = response.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Attempt::Done(Fetched::NotModified);
    }
    if status.is_server_error() {
        return Attempt::Retry(format!("the server answered {status}"));
    }
    if status == reqwest::StatusCode::NOT_FOUND {
        return Attempt::Fail(
            "the server answered 404 Not Found: check the address (files move when a release is revised)".to_owned(),
        );
    }
    if !status.is_success() {
        return Attempt::Fail(format!("the server answered {status}"));
    }
    // An HTML answer is read like any other: the Data to Insight summary is a page, and any other page is refused by
    // its content (as a web page that links to the file), whatever the server calls it.
    let expected = response.content_length();
    if let Some(length) = expected
        && length > options.max_bytes
    {
        return Attempt::Fail(format!(
            "the file is {length} bytes, over the size cap of {} bytes (raise --max-download-bytes if it is expected)",
            options.max_bytes
        ));
    }
    let header = |name: reqwest::header::HeaderName| {
        response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    };
    let etag = header(reqwest::header::ETAG);
    let last_modified = header(reqwest::header::LAST_MODIFIED);
    let bar = progress_bar(name, expected);
    let mut body: Vec<u8> = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() as u64 > options.max_bytes {
                    bar.abandon();
                    return Attempt::Fail(format!(
                        "the file is over the size cap of {} bytes (raise --max-download-bytes if it is expected)",
                        options.max_bytes
                    ));
                }
                bar.set_position(body.len() as u64);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                bar.abandon();
                return Attempt::Fail(timeout_message(options));
            }
            Err(_) => {
                bar.abandon();
                return Attempt::Fail(truncated(body.len(), expected));
            }
        }
    }
    bar.finish_and_clear();
    if let Some(length) = expected
        && (body.len() as u64) < length
    {
        return Attempt::Fail(truncated(body.len(), expected));
    }
    if !std::io::stderr().is_terminal() {
        eprintln!("send-import: downloaded {}: {} bytes", crate::names::shown(name), body.len());
    }
    let mut file = SourceFile::new(name, body);
    file.etag = etag;
    file.last_modified = last_modified;
    Attempt::Done(Fetched::File(file))
}

fn truncated(received: usize, expected: Option<u64>) -> String {
    match expected {
        Some(length) => format!("the download was cut short: received {received} of {length} bytes; try again"),
        None => format!("the download was cut short after {received} bytes; try again"),
    }
}

/// A progress bar on a terminal; hidden otherwise (plain log lines are printed instead).
fn progress_bar(name: &str, length: Option<u64>) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match length {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} ({eta})") {
        bar.set_style(style);
    }
    bar.set_message(format!("downloading {}", crate::names::shown(name)));
    bar
}
