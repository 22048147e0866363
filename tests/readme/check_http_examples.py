#!/usr/bin/env python3
"""Runs every example of README.md and of docs/*.md and compares their output with what the file shows.

Usage (from anywhere; .ci/run runs it after the browser test):

    python3 tests/readme/check_http_examples.py target/debug/send-api            # check
    python3 tests/readme/check_http_examples.py target/debug/send-api --write    # rewrite the shown outputs

The examples are the ```console blocks of README.md and of every docs/*.md that has some: `$ command` lines
(continued on the next line after a trailing backslash), each followed by its output. Each file is run on its own, its
blocks in order, with bash, in a fresh scratch folder holding `tests` (a link to the repository's tests/, for
fixtures) and `target/release/send-api` (a link to the binary given: what a reader has after `cargo run --release -p
send-api`), with no SEND_*, DATABASE_URL or RUST_LOG variable set. `send-api` is not on the PATH, as it is not for a
reader: a command that calls `send-api`, `send-import` or `send-bench` by bare name is a problem.

A command `target/release/send-api ... &` starts a server in the background, as a reader would: on a fresh SQLite
database in the file's scratch folder (the file's first server imports the bundled data; later ones share it), with the
address its `--bind` names (127.0.0.1:8080 without one) moved to a free port. Every `127.0.0.1:PORT` in the commands is
moved the same way, and moved back in the outputs. At the end of each file every server is stopped with SIGTERM, and
each must exit 0 and log `stopped` (graceful shutdown); each `--log-format json` server's log must be JSON objects,
one a line.

Only what is truly volatile is normalised, on both sides, before comparing: the `date` header, request IDs the
server generated (16 hex digits), latencies (the latency histogram's buckets and sum, `micros` in log lines), log
timestamps, and the line endings of HTTP headers. A line that is JSON on both sides is compared as JSON, because
the server may emit an object's keys in another order (async-graphql 7.2 resolves fields concurrently).

It also checks the HTTP reference (docs/http.md) is complete: every endpoint of its table is requested by some
example, and every error code it lists appears in some example's output (except INTERNAL, which needs a broken
database, and REQUEST_TIMEOUT and SERVER_BUSY, which need clients that stop sending or reading).

Exit status: 0 when every output matches, 1 otherwise (with a diff per mismatch), 2 on bad usage or setup.
"""

import difflib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# The files whose examples run, relative to the repository: README.md first, then docs/*.md in name order.
README = "README.md"
DOCS = "docs/*.md"
HTTP_REFERENCE = "docs/http.md"
BINARY = "target/release/send-api"
README_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
COMMAND_TIMEOUT = 120
START_TIMEOUT = 300
STOP_TIMEOUT = 30
SERVER = re.compile(r"^(?:\./)?" + re.escape(BINARY) + r"\b(?P<args>[^&]*)&\s*$")
# A program of the project called by bare name: at the start of a command or after `|`, `;`, `&`, `(` or `$(`.
BARE = re.compile(r"(?:^|[|;&(]\s*)(send-api|send-import|send-bench)\b", re.M)
# Codes listed in the reference that no example can show: a server failure, a body that stops arriving, and exports
# held open by clients that stop reading (tests/integration/http/hostile_clients.rs shows the last two through a
# socket).
UNSHOWABLE_CODES = {"INTERNAL", "REQUEST_TIMEOUT", "SERVER_BUSY"}

NORMALISE = [
    (re.compile(r"^(date): .*$", re.I), r"\1: <date>"),
    (re.compile(r"^(x-request-id): [0-9a-f]{16}$", re.I), r"\1: <generated>"),
    (re.compile(r'^(send_graphql_request_duration_seconds_bucket\{.*le="(?!\+Inf)[^"]*"\}) \d+$'), r"\1 <count>"),
    (re.compile(r"^(send_graphql_request_duration_seconds_sum\{.*\}) \S+$"), r"\1 <seconds>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"), "<timestamp>"),
    (re.compile(r"\bmicros=\d+"), "micros=<n>"),
    (re.compile(r'"micros":\d+'), '"micros":<n>'),
    (re.compile(r"(request_id=)[0-9a-f]{16}\b"), r"\1<generated>"),
    (re.compile(r'("request_id":")[0-9a-f]{16}"'), r'\1<generated>"'),
]


def fail_setup(message):
    print(f"check_http_examples: {message}", file=sys.stderr)
    sys.exit(2)


class Example:
    """One `$ command` of a console block, with the file's lines of its output."""

    def __init__(self, name, block, start, command, first_line, last_line, expected):
        self.name = name  # the file, relative to the repository
        self.block = block  # index of the block in the file
        self.start = start  # line number (1-based) of the `$` line
        self.command = command
        self.first_line = first_line  # line index (0-based) of the first output line
        self.last_line = last_line  # one past the last output line
        self.expected = expected
        self.actual = None


def parse(name, lines):
    """The examples of the file `name`, whose lines are `lines`."""
    examples, i, block, end = [], 0, -1, len(lines)
    while i < end:
        if lines[i].strip() != "```console":
            i += 1
            continue
        block += 1
        close = next((j for j in range(i + 1, end) if lines[j].strip() == "```"), None)
        if close is None:
            fail_setup(f"{name}:{i + 1}: a console block is not closed")
        j = i + 1
        if j < close and not lines[j].startswith("$ "):
            fail_setup(f"{name}:{j + 1}: a console block must start with a `$ ` command")
        while j < close:
            start = j
            command = lines[j][2:]
            while command.endswith("\\") and j + 1 < close:
                j += 1
                command += "\n" + lines[j]
            j += 1
            first = j
            while j < close and not lines[j].startswith("$ "):
                j += 1
            examples.append(Example(name, block, start + 1, command, first, j, lines[first:j]))
        i = close + 1
    return examples


def normalise(lines):
    out = []
    for line in lines:
        for pattern, replacement in NORMALISE:
            line = pattern.sub(replacement, line)
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def same_line(expected, actual):
    if expected == actual:
        return True
    try:
        return json.loads(expected) == json.loads(actual)
    except ValueError:
        return False


def matches(expected, actual):
    expected, actual = normalise(expected), normalise(actual)
    return len(expected) == len(actual) and all(same_line(e, a) for e, a in zip(expected, actual))


def free_port():
    with socket.socket() as s:
        s.bind((README_HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, readme_port, port, process, log, command):
        self.readme_port, self.port, self.process, self.log, self.command = readme_port, port, process, log, command


class Run:
    def __init__(self, repo, binary):
        self.scratch = tempfile.mkdtemp(prefix="send-readme-")
        os.makedirs(os.path.join(self.scratch, os.path.dirname(BINARY)))
        os.symlink(binary, os.path.join(self.scratch, BINARY))
        os.symlink(os.path.join(repo, "tests"), os.path.join(self.scratch, "tests"))
        self.data_dir = os.path.join(self.scratch, "data")
        drop = ("SEND_", "DATABASE_URL", "READ_DATABASE_URL", "RUST_LOG", "http_proxy", "https_proxy", "HTTP_PROXY",
                "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "CURL_HOME")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        self.env["NO_PROXY"] = "*"
        self.env["HOME"] = self.scratch  # no ~/.curlrc
        self.servers = {}  # port in the file -> Server

    def to_actual(self, text):
        for server in self.servers.values():
            text = text.replace(f"{README_HOST}:{server.readme_port}", f"{README_HOST}:{server.port}")
        return text

    def to_readme(self, text):
        for server in self.servers.values():
            text = text.replace(f"{README_HOST}:{server.port}", f"{README_HOST}:{server.readme_port}")
        return text

    def start(self, example, args):
        bind = re.search(r"--bind\s+" + re.escape(README_HOST) + r":(\d+)", args)
        readme_port = int(bind.group(1)) if bind else DEFAULT_PORT
        if readme_port in self.servers:
            raise RuntimeError(f"a server already listens on {README_HOST}:{readme_port}")
        port = free_port()
        command = "exec " + BINARY + args
        env = dict(self.env, SEND_DATA_DIR=self.data_dir)
        if bind:
            command = command.replace(bind.group(0), f"--bind {README_HOST}:{port}")
        else:
            env["SEND_BIND"] = f"{README_HOST}:{port}"
        log = re.search(r">\s*(\S+)", args)
        log = os.path.join(self.scratch, log.group(1)) if log else None
        process = subprocess.Popen(["bash", "-c", command], cwd=self.scratch, env=env, stdin=subprocess.DEVNULL)
        server = Server(readme_port, port, process, log, example.command)
        self.servers[readme_port] = server
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"`{example.command}` exited with status {process.returncode}{self.tail(server)}")
            try:
                socket.create_connection((README_HOST, port), timeout=1).close()
                return ""
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"`{example.command}` did not listen within {START_TIMEOUT} s{self.tail(server)}")
                time.sleep(0.1)

    @staticmethod
    def tail(server):
        if not server.log or not os.path.exists(server.log):
            return ""
        with open(server.log, encoding="utf-8", errors="replace") as f:
            return "; its log ends:\n" + "".join(f.readlines()[-20:])

    def run(self, example):
        server = SERVER.match(example.command)
        if server:
            return self.start(example, server.group("args"))
        result = subprocess.run(["bash", "-c", self.to_actual(example.command)], cwd=self.scratch, env=self.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=COMMAND_TIMEOUT)
        return self.to_readme(result.stdout.decode("utf-8", errors="replace"))

    def stop_all(self):
        """Stops every server with SIGTERM; returns the problems (not a graceful stop, a bad JSON log)."""
        problems = []
        for server in reversed(list(self.servers.values())):
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
                try:
                    server.process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait()
                    problems.append(f"`{server.command}` was still running {STOP_TIMEOUT} s after SIGTERM")
                    continue
            if server.process.returncode != 0:
                problems.append(f"`{server.command}` exited with status {server.process.returncode}"
                                f"{self.tail(server)}")
                continue
            if server.log is None:
                continue
            with open(server.log, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
            json_log = "--log-format json" in server.command
            if json_log:
                for n, line in enumerate(lines, 1):
                    try:
                        if not isinstance(json.loads(line), dict):
                            raise ValueError("not an object")
                    except ValueError as e:
                        problems.append(f"{server.log}:{n}: not a JSON object ({e}): {line}")
                stopped = any(json.loads(line).get("fields", {}).get("message") == "stopped" for line in lines
                              if line.startswith("{"))
            else:
                stopped = any(line.endswith(" stopped") for line in lines)
            if not stopped:
                problems.append(f"`{server.command}` stopped without logging `stopped`{self.tail(server)}")
        return problems

    def cleanup(self):
        for server in self.servers.values():
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)


def completeness(lines, examples):
    """Endpoints of the HTTP reference's table with no example requesting them; listed codes no output shows."""
    problems, begin, end = [], 0, len(lines)
    commands = "\n".join(e.command for e in examples)
    outputs = "\n".join("\n".join(e.actual or []) for e in examples)
    for line in lines[begin:end]:
        row = re.match(r"^\| `(?:[A-Z]+ )?(/[^`?{ ]*)[^`]*` \|", line)
        if row and f"{README_HOST}:{DEFAULT_PORT}{row.group(1)}" not in commands:
            problems.append(f"no example requests {row.group(1)} (endpoint table: {line})")
    listed = next((line for line in lines[begin:end] if line.startswith("Every error code:")), None)
    if listed is None:
        problems.append(f"{HTTP_REFERENCE} has no 'Every error code:' paragraph")
    else:
        start = lines.index(listed, begin)
        paragraph = []
        for line in lines[start:end]:
            if not line.strip():
                break
            paragraph.append(line)
        for code in sorted(set(re.findall(r"`([A-Z][A-Z_]+)`", " ".join(paragraph))) - UNSHOWABLE_CODES):
            if f'"code":"{code}"' not in outputs:
                problems.append(f"the error code {code} is listed but no example's output shows it")
    return problems


def check(repo, binary, name, lines, examples):
    """Runs the examples of one file on a fresh scratch folder and database; returns the problems."""
    run = Run(repo, binary)
    problems = []
    try:
        for example in examples:
            bare = BARE.search(example.command)
            if bare:
                problems.append(f"{name}:{example.start}: `{bare.group(1)}` is not on the PATH after `cargo run`: "
                                f"call it as {os.path.dirname(BINARY)}/{bare.group(1)}")
            try:
                output = run.run(example)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                problems.append(f"{name}:{example.start}: {e}")
                break
            actual = output.replace("\r\n", "\n").split("\n")
            while actual and actual[-1] == "":
                actual.pop()
            example.actual = actual
            if not matches(example.expected, actual):
                diff = difflib.unified_diff(normalise(example.expected), normalise(actual), name, "actual",
                                            lineterm="")
                problems.append(f"{name}:{example.start}: the output of `{example.command}` differs "
                                "(normalised):\n" + "\n".join(diff))
        problems += [f"{name}: {problem}" for problem in run.stop_all()]
    finally:
        run.cleanup()
    return problems


def main():
    args = sys.argv[1:]
    write = "--write" in args
    args = [a for a in args if a != "--write"]
    if len(args) != 1:
        fail_setup("usage: check_http_examples.py <path-to-send-api> [--write]")
    binary = os.path.abspath(args[0])
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        fail_setup(f"not an executable file: {args[0]}")
    for tool in ("bash", "curl"):
        if shutil.which(tool) is None:
            fail_setup(f"{tool} is required")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    names = [README] + sorted(os.path.relpath(p, repo) for p in glob.glob(os.path.join(repo, DOCS)))
    files = []  # (name, lines, examples) of each file that has examples
    for name in names:
        with open(os.path.join(repo, name), encoding="utf-8") as f:
            lines = f.read().split("\n")
        examples = parse(name, lines)
        if examples:
            files.append((name, lines, examples))
    found = {name for name, _, _ in files}
    for required in (README, HTTP_REFERENCE):
        if required not in found:
            fail_setup(f"{required} has no console examples")

    problems = []
    for name, lines, examples in files:
        problems += check(repo, binary, name, lines, examples)
    every = [e for _, _, examples in files for e in examples]
    problems += completeness(next(lines for name, lines, _ in files if name == HTTP_REFERENCE), every)

    if write:
        for name, lines, examples in files:
            if not all(e.actual is not None for e in examples):
                continue
            for example in reversed(examples):
                keep = example.expected if matches(example.expected, example.actual) else example.actual
                lines[example.first_line:example.last_line] = keep
            with open(os.path.join(repo, name), "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            print(f"check_http_examples: wrote the outputs of {len(examples)} commands into {name}")
    for problem in problems:
        print(f"check_http_examples: {problem}\n", file=sys.stderr)
    print(f"check_http_examples: {len(every)} commands run, {len(problems)} problems"
          f"{' (before --write)' if write else ''}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
