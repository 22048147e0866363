#!/usr/bin/env python3
"""Module cycles inside one Rust crate, read from its source (no build needed).

Usage: tools/module_cycles.py CRATE/src [--depth N] [--edges]

The graph: module X depends on module Y when a file of X names a path that resolves into Y: `crate::Y::...`,
`super::...`, `self::...`, or a bare path starting at a child module (`layout::read` in lib.rs), `use` groups
(`crate::{a::B, c::{D, E}}`) expanded. A path is followed down the module tree as far as its segments name modules;
a name a module re-exports (`pub use`, globs included) is followed to where it is defined, so `crate::ImportError`
counts as a use of `error` when lib.rs re-exports it from there. Modules are compared at `--depth` (1, the default:
the crate root `lib` and its top-level modules; 2 also splits `layout` into `layout::rows` etc., where a child naming
its parent through `super::` counts as a use of it). `mod x;` declarations are structure, not uses.

Prints every cycle (each strongly connected component of more than one module, with the edges inside it and the
first line that makes each), and exits 1 when there is one. `--edges` also prints the whole graph.

The crate root is lib.rs (else main.rs); a crate with both is read from lib.rs, as main.rs is its own crate.
Comments, strings and character literals are ignored; macros and `#[path]` attributes are not followed.
"""

import argparse
import os
import re
import sys
from collections import defaultdict

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ITEM = re.compile(
    r"\b(?:pub(?:\s*\([^)]*\))?\s+)?(?:unsafe\s+|async\s+|const\s+|extern\s+\"[^\"]*\"\s+)*"
    r"(?:fn|struct|enum|trait|type|const|static|union|macro_rules!)\s+([A-Za-z_][A-Za-z0-9_]*)"
)


def strip(text):
    """The text with comments, strings and character literals blanked (newlines kept, so lines still count)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r"r(#*)\"", text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            j = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'":
            m = re.match(r"'(?:\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'", text[i:])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
            else:  # a lifetime
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Module:
    def __init__(self, path, file):
        self.path = path  # tuple of names from the crate root
        self.file = file
        self.children = {}  # name -> Module
        self.items = set()  # names defined here
        self.reexports = {}  # name -> path (tuple) as written, relative to `self.path`'s scope
        self.globs = []  # paths re-exported with `*`


def use_tree(text, i):
    """Parses a use tree at `text[i:]`: returns ([(segments, alias)], end). `*` is a segment."""
    paths = []
    segs = []
    while True:
        m = re.compile(r"\s*").match(text, i)
        i = m.end()
        if text.startswith("{", i):
            i += 1
            while True:
                sub, i = use_tree(text, i)
                paths += [(segs + s, a) for s, a in sub]
                i = re.compile(r"\s*").match(text, i).end()
                if text.startswith(",", i):
                    i += 1
                    i = re.compile(r"\s*").match(text, i).end()
                if text.startswith("}", i):
                    return paths, i + 1
                if i >= len(text):
                    return paths, i
        if text.startswith("*", i):
            paths.append((segs + ["*"], None))
            return paths, i + 1
        m = IDENT.match(text, i)
        if not m:
            if segs:
                paths.append((segs, None))
            return paths, i
        segs = segs + [m.group(0)]
        i = m.end()
        m = re.compile(r"\s*::\s*").match(text, i)
        if m:
            i = m.end()
            continue
        m = re.compile(r"\s+as\s+([A-Za-z_][A-Za-z0-9_]*)").match(text, i)
        alias = None
        if m:
            alias = m.group(1)
            i = m.end()
        paths.append((segs, alias))
        return paths, i


def find_child_file(module_dir, name):
    for candidate in (os.path.join(module_dir, name + ".rs"), os.path.join(module_dir, name, "mod.rs")):
        if os.path.exists(candidate):
            return candidate
    return None


class Crate:
    def __init__(self, src):
        self.src = src
        root = os.path.join(src, "lib.rs")
        if not os.path.exists(root):
            root = os.path.join(src, "main.rs")
        self.root = Module((), root)
        self.refs = []  # (from path, segments, file, line, kind) kind: 'crate'|'super'|'self'|'bare'
        self.load(self.root, root, os.path.dirname(root))

    def load(self, module, file, module_dir):
        with open(file, encoding="utf-8") as f:
            text = strip(f.read())
        # Inline modules: (name, depth at which its body is), nested.
        stack = [(module, 0)]
        depth = 0
        i = 0
        line = 1
        uses = []  # (module, start, is_pub)
        refs = []  # (module, index)
        n = len(text)
        while i < n:
            c = text[i]
            if c == "\n":
                line += 1
                i += 1
                continue
            if c == "{":
                depth += 1
                i += 1
                continue
            if c == "}":
                depth -= 1
                if len(stack) > 1 and depth < stack[-1][1]:
                    stack.pop()
                i += 1
                continue
            m = IDENT.match(text, i)
            if not m or (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
                i += 1
                continue
            word = m.group(0)
            current, base = stack[-1]
            at_item_level = depth == base
            if word == "mod" and at_item_level:
                mm = re.compile(r"mod\s+([A-Za-z_][A-Za-z0-9_]*)\s*([;{])").match(text, i)
                if mm:
                    name = mm.group(1)
                    child = Module(current.path + (name,), file)
                    current.children[name] = child
                    if mm.group(2) == "{":
                        depth += 1
                        stack.append((child, depth))
                        line += text[i : mm.end()].count("\n")
                        i = mm.end()
                        continue
                    # An inline module's file children live under a folder named for it.
                    inline = [m.path[-1] for m, _ in stack[1:]]
                    child_dir = os.path.join(module_dir, *inline)
                    child_file = find_child_file(child_dir, name)
                    if child_file:
                        child.file = child_file
                        self.load(child, child_file, os.path.dirname(child_file) if child_file.endswith("mod.rs")
                                  else os.path.join(os.path.dirname(child_file), name))
                    line += text[i : mm.end()].count("\n")
                    i = mm.end()
                    continue
            if word == "use":
                pub = re.search(r"pub(?:\s*\([^)]*\))?\s*$", text[max(0, i - 40) : i]) is not None
                paths, end = use_tree(text, m.end())
                for segs, alias in paths:
                    if segs and segs[0] == "self" and len(segs) == 1:
                        continue
                    if segs[-1] == "self":
                        segs = segs[:-1]
                    self.refs.append((current.path, segs, file, line, "use"))
                    if pub and at_item_level:
                        if segs[-1] == "*":
                            current.globs.append(segs[:-1])
                        else:
                            current.reexports[alias or segs[-1]] = segs
                line += text[i:end].count("\n")
                i = end
                continue
            if at_item_level:
                im = ITEM.match(text, i)
                if im:
                    current.items.add(im.group(1))
            # A path expression: `a::b` (not preceded by `::`, which is the middle of a path already seen).
            pm = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\s*::\s*(?:[A-Za-z_][A-Za-z0-9_]*|\{))+").match(text, i)
            before = text[max(0, i - 3) : i].rstrip()
            if pm and not before.endswith("::"):
                segs = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", pm.group(0))
                self.refs.append((current.path, segs, file, line, "path"))
                line += pm.group(0).count("\n")
                i = pm.end()
                continue
            i = m.end()

    def module(self, path):
        m = self.root
        for name in path:
            m = m.children.get(name)
            if m is None:
                return None
        return m

    def resolve(self, scope, segs, seen=None):
        """The module path a path written in module `scope` leads into, or None (another crate, a local name)."""
        seen = seen or set()
        if not segs:
            return scope
        first, rest = segs[0], segs[1:]
        if first == "crate":
            start = ()
        elif first == "super":
            start = scope[:-1]
            while rest and rest[0] == "super":
                start, rest = start[:-1], rest[1:]
        elif first == "self":
            start = scope
        else:
            here = self.module(scope)
            if here is None:
                return None
            if first in here.children:
                start, rest = scope + (first,), rest
            elif first in here.reexports or first in here.items:
                # A name of this module (its own or imported by `pub use`): only a re-export leads elsewhere.
                start, rest = scope, segs
            else:
                return None
        return self.follow(start, list(rest), seen)

    def follow(self, at, rest, seen):
        while rest:
            m = self.module(at)
            name = rest[0]
            if name == "*" or m is None:
                return at
            if name in m.children:
                at, rest = at + (name,), rest[1:]
                continue
            if name in m.reexports and (at, name) not in seen:
                seen.add((at, name))
                target = self.resolve(at, m.reexports[name], seen)
                return at if target is None else target
            if name not in m.items:
                for glob in m.globs:
                    source = self.resolve(at, glob + ["*"], seen)
                    if source is not None and source != at and (at, name, "*") not in seen:
                        seen.add((at, name, "*"))
                        target = self.follow(source, [name], seen)
                        if target is not None and (name in self.module(target).items or target != source):
                            return target
            return at
        return at

    def graph(self, depth):
        def cut(path):
            return path[:depth] if path else ()

        edges = {}
        for scope, segs, file, line, _ in self.refs:
            target = self.resolve(scope, segs)
            if target is None:
                continue
            a, b = cut(scope), cut(target)
            if a == b:
                continue
            # A child naming its parent is a use at finer depths; at depth 1 it is within the same top module.
            edges.setdefault((a, b), (os.path.relpath(file, self.src), line))
        return edges


def name(path):
    return "::".join(path) if path else "lib"


def components(nodes, edges):
    """Tarjan's strongly connected components."""
    succ = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", help="a crate's src folder")
    parser.add_argument("--depth", type=int, default=1, help="module depth to compare at (1: top-level modules)")
    parser.add_argument("--edges", action="store_true", help="print every edge")
    args = parser.parse_args()
    crate = Crate(args.src)
    edges = crate.graph(args.depth)
    nodes = {a for a, _ in edges} | {b for _, b in edges}
    if args.edges:
        for (a, b), (file, line) in sorted(edges.items()):
            print(f"{name(a)} -> {name(b)}  ({file}:{line})")
    cycles = [sorted(c) for c in components(nodes, edges) if len(c) > 1]
    if not cycles:
        print(f"{args.src}: no module cycle (depth {args.depth}, {len(nodes)} modules, {len(edges)} edges)")
        return 0
    for comp in sorted(cycles):
        members = set(comp)
        print(f"{args.src}: cycle among {', '.join(name(p) for p in comp)}:")
        for (a, b), (file, line) in sorted(edges.items()):
            if a in members and b in members:
                mutual = " (each uses the other)" if (b, a) in edges else ""
                print(f"  {name(a)} -> {name(b)}  ({file}:{line}){mutual}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
