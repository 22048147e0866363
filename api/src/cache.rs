//! The one bounded cache every in-memory cache of the server is (answers to GETs, automatic persisted queries,
//! parsed documents): least recently used first out, bounded by entries and by the bytes it really holds, keys
//! included. Clients choose the keys (a query string, a query's text), so a bound on values alone lets a client
//! fill memory with keys.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// What an entry costs beyond its key and value: the map's and the order's slots and the shared key's header.
pub const ENTRY_OVERHEAD: usize = 128;

/// A value that can say how many bytes it holds on the heap and inline.
pub trait Weigh {
    /// Bytes held, approximately but never much less than the truth.
    fn weight(&self) -> usize;
}

impl Weigh for String {
    fn weight(&self) -> usize {
        std::mem::size_of::<String>() + self.capacity()
    }
}

impl<T: Weigh> Weigh for Arc<T> {
    fn weight(&self) -> usize {
        std::mem::size_of::<Arc<T>>() + T::weight(self)
    }
}

struct Entry<V> {
    value: V,
    weight: usize,
    used: u64,
}

struct Inner<V> {
    entries: HashMap<Arc<str>, Entry<V>>,
    /// Keys by when they were last used, oldest first.
    order: BTreeMap<u64, Arc<str>>,
    bytes: usize,
    clock: u64,
}

/// A map from text keys to values, holding at most `max_entries` entries and `max_bytes` bytes (keys, values and
/// [`ENTRY_OVERHEAD`] each); the least recently used entries leave first. An entry heavier than the whole cache is
/// not kept.
pub struct BoundedCache<V> {
    max_entries: usize,
    max_bytes: usize,
    inner: Mutex<Inner<V>>,
}

impl<V: Clone + Weigh> BoundedCache<V> {
    /// An empty cache with these bounds (either 0: it keeps nothing).
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        let inner = Inner { entries: HashMap::new(), order: BTreeMap::new(), bytes: 0, clock: 0 };
        Self { max_entries, max_bytes, inner: Mutex::new(inner) }
    }

    /// The value kept for `key`, now the most recently used.
    pub fn get(&self, key: &str) -> Option<V> {
        let mut guard = self.inner.lock().ok()?;
        let inner = &mut *guard;
        inner.clock += 1;
        let clock = inner.clock;
        let entry = inner.entries.get_mut(key)?;
        if let Some(shared) = inner.order.remove(&entry.used) {
            inner.order.insert(clock, shared);
        }
        entry.used = clock;
        Some(entry.value.clone())
    }

    /// Keeps `value` for `key` (replacing what was kept), making room by dropping the least recently used.
    pub fn insert(&self, key: &str, value: V) {
        let weight = key.len().saturating_add(value.weight()).saturating_add(ENTRY_OVERHEAD);
        if weight > self.max_bytes || self.max_entries == 0 {
            return;
        }
        let Ok(mut guard) = self.inner.lock() else { return };
        let inner = &mut *guard;
        inner.remove(key);
        while inner.entries.len() >= self.max_entries || inner.bytes + weight > self.max_bytes {
            let Some((_, oldest)) = inner.order.pop_first() else { break };
            inner.remove(&oldest);
        }
        inner.clock += 1;
        let shared: Arc<str> = Arc::from(key);
        inner.order.insert(inner.clock, shared.clone());
        inner.entries.insert(shared, Entry { value, weight, used: inner.clock });
        inner.bytes += weight;
    }

    /// Whether `key` is kept (without making it recently used).
    pub fn contains(&self, key: &str) -> bool {
        self.inner.lock().is_ok_and(|inner| inner.entries.contains_key(key))
    }

    /// The bytes held (as weighed) and the number of entries.
    pub fn size(&self) -> (usize, usize) {
        self.inner.lock().map_or((0, 0), |inner| (inner.bytes, inner.entries.len()))
    }
}

impl<V> Inner<V> {
    fn remove(&mut self, key: &str) {
        if let Some(entry) = self.entries.remove(key) {
            self.order.remove(&entry.used);
            self.bytes -= entry.weight;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BoundedCache, ENTRY_OVERHEAD};

    #[test]
    fn keys_count_against_the_bound_and_the_least_recently_used_leave_first() {
        let cache = BoundedCache::<String>::new(100, 3 * (1000 + ENTRY_OVERHEAD + 24 + 1));
        let key = |i: usize| format!("{i}{}", "k".repeat(999));
        for i in 0..3 {
            cache.insert(&key(i), "v".to_owned());
        }
        assert_eq!(cache.size().1, 3);
        cache.get(&key(0));
        // A fourth entry of the same weight must push one out: the key's bytes count.
        cache.insert(&key(3), "v".to_owned());
        let (bytes, entries) = cache.size();
        assert_eq!(entries, 3);
        assert!(bytes <= 3 * (1000 + ENTRY_OVERHEAD + 24 + 1), "{bytes}");
        assert!(cache.contains(&key(0)), "recently used, kept");
        assert!(!cache.contains(&key(1)), "least recently used, dropped");
        // Heavier than the whole cache: not kept, nothing dropped.
        cache.insert("huge", "x".repeat(10_000));
        assert!(!cache.contains("huge"));
        assert_eq!(cache.size().1, 3);
    }

    #[test]
    fn the_entry_bound_holds_and_replacing_a_key_does_not_leak_its_weight() {
        let cache = BoundedCache::<String>::new(2, usize::MAX);
        for _ in 0..5 {
            cache.insert("a", "1".repeat(10));
        }
        let (bytes, entries) = cache.size();
        assert_eq!(entries, 1);
        assert_eq!(bytes, 1 + ENTRY_OVERHEAD + 24 + 10);
        cache.insert("b", String::new());
        cache.insert("c", String::new());
        assert_eq!(cache.size().1, 2);
        assert!(!cache.contains("a"));
    }
}
