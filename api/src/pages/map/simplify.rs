//! Douglas-Peucker simplification of rings that share borders, keeping the borders shared: a border between two areas
//! is simplified once, the same way in both rings, so that simplifying opens no gaps or overlaps between neighbours.
//!
//! As in TopoJSON, a vertex where a ring's neighbourhood changes is a junction: it appears in rings with different
//! vertices before and after it (where three areas meet, or where a border reaches the coast). Junctions are kept;
//! between two junctions each ring holds the same run of vertices (possibly reversed), and that run is simplified in
//! one canonical direction, so both rings keep the same vertices.

use std::collections::HashMap;

/// A vertex as the source writes it, in whole units of its last decimal: equal keys are the same point, exactly.
pub(super) type Key = (i64, i64);

/// A ring after simplification.
pub(super) struct Simplified {
    /// The vertices kept, in the ring's order (not closed: the last does not repeat the first).
    pub points: Vec<Key>,
    /// Whether any of its vertices belongs to another ring too (an island's do not).
    pub shared: bool,
}

/// What is known of a vertex over all rings.
struct Seen {
    /// Its neighbours where first seen, the lesser first.
    neighbours: (Key, Key),
    /// It has had other neighbours somewhere.
    junction: bool,
    /// The last ring it was seen in, and whether it was seen in two.
    ring: usize,
    shared: bool,
}

/// Simplifies every ring (each closed or not, its vertices in order) so that no vertex dropped lies farther than
/// `tolerance` from the kept outline, measured where `project` puts the vertices.
pub(super) fn simplify(rings: &[Vec<Key>], project: impl Fn(Key) -> (f64, f64), tolerance: f64) -> Vec<Simplified> {
    let rings: Vec<Vec<Key>> = rings.iter().map(|r| open(r.iter().copied())).collect();
    let seen = survey(&rings);
    rings
        .iter()
        .map(|ring| {
            let shared = ring.iter().any(|k| seen.get(k).is_some_and(|s| s.shared));
            let points = simplify_ring(ring, |k| seen.get(&k).is_some_and(|s| s.junction), &project, tolerance);
            Simplified { points, shared }
        })
        .collect()
}

/// A ring without repeated consecutive vertices, and without its closing vertex.
pub(super) fn open<T: PartialEq>(ring: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for k in ring {
        if out.last() != Some(&k) {
            out.push(k);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// Each vertex's neighbourhood over all rings.
fn survey(rings: &[Vec<Key>]) -> HashMap<Key, Seen> {
    let mut seen: HashMap<Key, Seen> = HashMap::new();
    for (r, ring) in rings.iter().enumerate() {
        let n = ring.len();
        for (i, &k) in ring.iter().enumerate() {
            let (a, b) = (ring[(i + n - 1) % n], ring[(i + 1) % n]);
            let neighbours = if a <= b { (a, b) } else { (b, a) };
            seen.entry(k)
                .and_modify(|s| {
                    s.junction |= s.neighbours != neighbours;
                    s.shared |= s.ring != r;
                    s.ring = r;
                })
                .or_insert(Seen { neighbours, junction: false, ring: r, shared: false });
        }
    }
    seen
}

/// One ring, simplified between its fixed vertices: its junctions, or for a ring with fewer than two, its least
/// vertex and the vertex farthest from it (which any ring holding the same loop chooses alike).
fn simplify_ring(
    ring: &[Key],
    junction: impl Fn(Key) -> bool,
    project: &impl Fn(Key) -> (f64, f64),
    tolerance: f64,
) -> Vec<Key> {
    let n = ring.len();
    if n < 4 {
        return ring.to_vec();
    }
    let mut fixed: Vec<usize> = (0..n).filter(|&i| junction(ring[i])).collect();
    if fixed.len() < 2 {
        let from = fixed.first().copied().unwrap_or_else(|| (0..n).min_by_key(|&i| ring[i]).unwrap_or(0));
        let p = project(ring[from]);
        // The farthest; among equals the least key, so that the choice does not depend on where the ring starts.
        let far = (0..n)
            .map(|i| (distance_squared(project(ring[i]), p), std::cmp::Reverse(ring[i]), i))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map_or(from, |(_, _, i)| i);
        if far == from {
            return ring.to_vec();
        }
        fixed = vec![from.min(far), from.max(far)];
    }
    let mut out = Vec::with_capacity(n);
    for (j, &start) in fixed.iter().enumerate() {
        let end = match fixed.get(j + 1) {
            Some(&end) => end,
            None => fixed[0] + n,
        };
        let arc: Vec<Key> = (start..=end).map(|i| ring[i % n]).collect();
        let kept = simplify_arc(&arc, project, tolerance);
        out.extend_from_slice(&kept[..kept.len() - 1]);
    }
    out
}

/// A run of vertices between two fixed ends, simplified the same whichever way it is given.
fn simplify_arc(arc: &[Key], project: &impl Fn(Key) -> (f64, f64), tolerance: f64) -> Vec<Key> {
    let reversed = arc.iter().rev().lt(arc.iter());
    let canonical: Vec<Key> = if reversed { arc.iter().rev().copied().collect() } else { arc.to_vec() };
    let points: Vec<(f64, f64)> = canonical.iter().map(|&k| project(k)).collect();
    let keep = douglas_peucker(&points, tolerance);
    let mut kept: Vec<Key> = canonical.iter().zip(keep).filter(|(_, k)| *k).map(|(&p, _)| p).collect();
    if reversed {
        kept.reverse();
    }
    kept
}

/// Which points of a polyline Douglas-Peucker keeps at `tolerance` (its ends always).
fn douglas_peucker(points: &[(f64, f64)], tolerance: f64) -> Vec<bool> {
    let mut keep = vec![false; points.len()];
    let Some(last) = points.len().checked_sub(1) else { return keep };
    keep[0] = true;
    keep[last] = true;
    // A stack rather than recursion: a long coast would otherwise recurse once per vertex in the worst case.
    let mut stack = vec![(0, last)];
    let limit = tolerance * tolerance;
    while let Some((first, last)) = stack.pop() {
        let farthest = (first + 1..last)
            .map(|i| (segment_distance_squared(points[i], points[first], points[last]), i))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((d, i)) = farthest
            && d > limit
        {
            keep[i] = true;
            stack.push((first, i));
            stack.push((i, last));
        }
    }
    keep
}

fn distance_squared(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}

/// The squared distance from `p` to the segment from `a` to `b` (to `a` when the segment is a point: an arc that
/// returns to where it began).
fn segment_distance_squared(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx * dx + dy * dy;
    if length == 0.0 {
        return distance_squared(p, a);
    }
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length).clamp(0.0, 1.0);
    distance_squared(p, (a.0 + t * dx, a.1 + t * dy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(k: Key) -> (f64, f64) {
        (k.0 as f64, k.1 as f64)
    }

    #[test]
    fn a_nearly_straight_run_loses_its_middle() {
        let line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)];
        assert_eq!(douglas_peucker(&line, 0.5), vec![true, false, true, true, true]);
        assert_eq!(douglas_peucker(&line, 10.0), vec![true, false, false, false, true]);
    }

    #[test]
    fn a_shared_border_is_simplified_alike_in_both_rings() {
        // Two squares side by side whose common edge wiggles; each ring walks it the other way.
        let border: Vec<Key> = vec![(10, 0), (11, 2), (10, 4), (9, 6), (10, 8), (10, 10)];
        let mut left = vec![(0, 0)];
        left.extend(&border);
        left.push((0, 10));
        let mut right: Vec<Key> = vec![(20, 0), (20, 10)];
        right.extend(border.iter().rev());
        right.rotate_left(3);
        let out = simplify(&[left, right], project, 1.5);
        let in_left: Vec<Key> = out[0].points.iter().filter(|k| border.contains(k)).copied().collect();
        let mut in_right: Vec<Key> = out[1].points.iter().filter(|k| border.contains(k)).copied().collect();
        in_right.sort();
        let mut sorted_left = in_left.clone();
        sorted_left.sort();
        assert_eq!(sorted_left, in_right);
        assert!(in_left.len() < border.len(), "the wiggle within the tolerance goes: {in_left:?}");
        assert!(out.iter().all(|r| r.shared));
    }

    #[test]
    fn an_island_keeps_a_shape_and_is_not_shared() {
        let island: Vec<Key> = vec![(0, 0), (5, 0), (10, 0), (10, 10), (0, 10), (0, 0)];
        let out = simplify(&[island], project, 1.0);
        assert_eq!(out[0].points.len(), 4);
        assert!(!out[0].shared);
    }
}
