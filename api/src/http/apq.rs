//! Automatic persisted queries (Apollo's protocol) and safelist mode.
//!
//! A client sends `extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}` without the query; if
//! this replica knows the hash it runs the query, otherwise it answers `PersistedQueryNotFound` and the client sends
//! the query with its hash once, which registers it. GET URLs stay short and cacheable. In safelist mode only the
//! operations of a manifest are served, by hash or by their exact text.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::error::{Refusal, code};

/// The sha256 of `text`, as lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

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

/// The hash a request's `extensions.persistedQuery` names: version 1 and 64 hex digits, or a malformed request.
pub fn persisted_hash(persisted: &serde_json::Value) -> Result<String, Refusal> {
    let version = persisted.get("version").and_then(serde_json::Value::as_i64);
    if version != Some(1) {
        return Err(Refusal::request(code::BAD_REQUEST, "`extensions.persistedQuery.version` must be 1"));
    }
    match persisted.get("sha256Hash").and_then(serde_json::Value::as_str) {
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(h.to_ascii_lowercase()),
        _ => Err(Refusal::request(code::BAD_REQUEST, "`extensions.persistedQuery.sha256Hash` must be 64 hex digits")),
    }
}

/// The query to run, from the request's `query` and the hash of its persisted query (at least one of them given),
/// or the GraphQL request error that settles it instead (an unknown hash, a query not its hash, a query outside
/// the safelist).
pub fn resolve(
    store: &PersistedQueries,
    safelist: Option<&Safelist>,
    query: Option<String>,
    hash: Option<String>,
) -> Result<String, Refusal> {
    if let (Some(query), Some(hash)) = (&query, &hash)
        && sha256_hex(query) != *hash
    {
        return Err(Refusal::request(
            code::PERSISTED_QUERY_HASH_MISMATCH,
            "the sha256 of `query` is not `extensions.persistedQuery.sha256Hash`",
        ));
    }
    let hash = match safelist {
        Some(safelist) => {
            let hash = hash.or_else(|| query.as_deref().map(sha256_hex));
            return hash.and_then(|h| safelist.operations.get(&h)).cloned().ok_or_else(|| {
                Refusal::request(
                    code::PERSISTED_QUERY_NOT_ALLOWED,
                    "this server runs in safelist mode and serves only the operations of its manifest",
                )
            });
        }
        None => hash,
    };
    match (query, hash) {
        (Some(query), Some(hash)) => {
            store.insert(&hash, query.clone());
            Ok(query)
        }
        (Some(query), None) => Ok(query),
        // Apollo clients recognise the miss by this exact message and then send the query with its hash.
        (None, hash) => hash
            .and_then(|hash| store.get(&hash))
            .ok_or_else(|| Refusal::request(code::PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")),
    }
}
