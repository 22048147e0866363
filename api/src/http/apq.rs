//! Automatic persisted queries (Apollo's protocol) and safelist mode.
//!
//! A client sends `extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}` without the query; if
//! this replica knows the hash it runs the query, otherwise it answers `PersistedQueryNotFound` and the client sends
//! the query with its hash once, which registers it. GET URLs stay short and cacheable. In safelist mode only the
//! operations of a manifest are served, by hash or by their exact text.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::graphql::code;

/// The sha256 of `text`, as lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of queries one replica keeps registered: with the entry bound (`--apq-capacity`), what bounds a store that
/// any client can write to.
pub const STORE_BYTES: usize = 32 * 1024 * 1024;

/// Queries registered by clients, by hash, bounded in entries and bytes: the least recently used are forgotten
/// first (a forgotten query is simply registered again by the client on its next `PersistedQueryNotFound`).
pub type PersistedQueries = crate::cache::BoundedCache<String>;

/// The operations safelist mode serves, read from a persisted-query manifest.
#[derive(Debug, Default)]
pub struct Safelist {
    operations: HashMap<String, String>,
}

impl Safelist {
    /// Reads a manifest in Apollo's persisted-query manifest format:
    /// `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "<sha256 of body>",
    /// "name": "...", "type": "query", "body": "..."}]}`. Each `id` must be the sha256 of its `body`.
    pub fn from_manifest(json: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Manifest {
            format: String,
            version: u32,
            operations: Vec<Operation>,
        }
        #[derive(serde::Deserialize)]
        struct Operation {
            id: String,
            body: String,
        }
        let manifest: Manifest =
            serde_json::from_str(json).map_err(|e| format!("not a persisted-query manifest: {e}"))?;
        if manifest.format != "apollo-persisted-query-manifest" || manifest.version != 1 {
            return Err(format!(
                "expected format \"apollo-persisted-query-manifest\" version 1, found {:?} version {}",
                manifest.format, manifest.version
            ));
        }
        let mut operations = HashMap::new();
        for (i, op) in manifest.operations.into_iter().enumerate() {
            let actual = sha256_hex(&op.body);
            if !op.id.eq_ignore_ascii_case(&actual) {
                return Err(format!(
                    "operation {}: `id` is {:?} but the sha256 of its `body` is {actual}",
                    i + 1,
                    op.id
                ));
            }
            operations.insert(actual, op.body);
        }
        Ok(Self { operations })
    }

    /// How many operations it allows.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether it allows nothing.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}

/// Why a request's query could not be settled: the message and code to answer with.
pub type Refusal = (String, &'static str);

/// The query to run, from the request's `query` and `extensions.persistedQuery`.
pub fn resolve(
    store: &PersistedQueries,
    safelist: Option<&Safelist>,
    query: Option<String>,
    persisted: Option<&serde_json::Value>,
) -> Result<String, Refusal> {
    let hash = match persisted {
        None => None,
        Some(p) => {
            let version = p.get("version").and_then(serde_json::Value::as_i64);
            if version != Some(1) {
                return Err(("`extensions.persistedQuery.version` must be 1".to_owned(), code::BAD_REQUEST));
            }
            match p.get("sha256Hash").and_then(serde_json::Value::as_str) {
                Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => Some(h.to_ascii_lowercase()),
                _ => {
                    return Err((
                        "`extensions.persistedQuery.sha256Hash` must be 64 hex digits".to_owned(),
                        code::BAD_REQUEST,
                    ));
                }
            }
        }
    };
    if let (Some(query), Some(hash)) = (&query, &hash)
        && sha256_hex(query) != *hash
    {
        return Err((
            "the sha256 of `query` is not `extensions.persistedQuery.sha256Hash`".to_owned(),
            code::PERSISTED_QUERY_HASH_MISMATCH,
        ));
    }
    if let Some(safelist) = safelist {
        let hash = hash.or_else(|| query.as_deref().map(sha256_hex));
        return match hash.and_then(|h| safelist.operations.get(&h)) {
            Some(body) => Ok(body.clone()),
            None if query.is_none() && persisted.is_none() => Err(missing_query()),
            None => Err((
                "this server runs in safelist mode and serves only the operations of its manifest".to_owned(),
                code::PERSISTED_QUERY_NOT_ALLOWED,
            )),
        };
    }
    match (query, hash) {
        (Some(query), Some(hash)) => {
            store.insert(&hash, query.clone());
            Ok(query)
        }
        (Some(query), None) => Ok(query),
        // Apollo clients recognise the miss by this exact message and then send the query with its hash.
        (None, Some(hash)) => {
            store.get(&hash).ok_or(("PersistedQueryNotFound".to_owned(), code::PERSISTED_QUERY_NOT_FOUND))
        }
        (None, None) => Err(missing_query()),
    }
}

fn missing_query() -> Refusal {
    ("the request has no `query` (nor a persisted query's hash)".to_owned(), code::BAD_REQUEST)
}
