#!/usr/bin/env python3
"""fixture_check: checks one run of a fixture against its `expect` file
(format in fixtures/README.md) and prints one line per assertion:
"0<TAB>description" when it holds, "1<TAB>description<TAB>detail" when not.

usage: fixture_check.py EXPECT RC STDOUT STDERR SUMMARY STATE_DIR
"""
import base64
import glob
import json
import os
import re
import shlex
import sys


def load(path, default=None):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


expect_path, rc, out_path, err_path, summary_path, state = sys.argv[1:7]
rc = int(rc)
stdout = load(out_path, "")
stderr = load(err_path, "")
summary = json.loads(load(summary_path, "null") or "null")
jobs = summary["jobs"] if summary else []
runs = sorted(glob.glob(os.path.join(state, "runs", "*")))
run_dir = runs[-1] if runs else None
events = []
if run_dir and os.path.exists(os.path.join(run_dir, "events.jsonl")):
    events = [json.loads(l) for l in load(os.path.join(run_dir, "events.jsonl")).splitlines()]
run_json = json.loads(load(os.path.join(run_dir, "run.json"), "null") or "null") if run_dir else None


def report(ok, desc, detail=""):
    print("%d\t%s\t%s" % (0 if ok else 1, desc, detail.replace("\n", " | ")[:400]))


def job(name):
    for j in jobs:
        if j["name"] == name:
            return j
    return None


def key_of(name):
    for j in (run_json or {}).get("jobs", []):
        if j["name"] == name:
            return j["key"]
    return None


def event_time(kind, key):
    for i, e in enumerate(events):
        if e["type"] == kind and e.get("job") == key:
            return i
    return None


def written_files():
    for root, _, files in os.walk(state):
        for f in files:
            yield os.path.join(root, f)


def check(directive, arg):
    if directive in ("before", "serial"):
        words = [w.strip() for w in arg.split("|")]
    elif directive in ("file",):
        words = arg.split(None, 1)
    elif directive in ("stdout", "no-stdout", "stderr", "secret"):
        words = [arg]
    else:
        words = shlex.split(arg)
    if directive == "exit":
        report(rc == int(words[0]), "exit status %s" % words[0], "got %d; stderr: %s" % (rc, stderr[-300:]))
    elif directive == "result":
        name, want = " ".join(words[:-1]), words[-1]
        j = job(name)
        got = j["result"] if j else None
        report(got == want, "job '%s' is %s" % (name, want), "got %s" % got)
    elif directive == "legs":
        n = sum(1 for j in jobs if j["id"] == words[0])
        report(n == int(words[1]), "job '%s' has %s legs" % (words[0], words[1]), "got %d" % n)
    elif directive == "step":
        name, sid, outcome = words[0], words[1], words[2]
        conclusion = words[3] if len(words) > 3 else outcome
        j = job(name)
        st = [s for s in (j or {}).get("steps", []) if s["id"] == sid]
        got = (st[0]["outcome"], st[0]["conclusion"]) if st else None
        report(got == (outcome, conclusion), "step '%s' of '%s' is %s/%s" % (sid, name, outcome, conclusion),
               "got %s" % (got,))
    elif directive == "output":
        name, k, v = words[0], words[1], " ".join(words[2:])
        j = job(name)
        got = (j or {}).get("outputs", {}).get(k)
        report(got == v, "output '%s' of '%s' is '%s'" % (k, name, v), "got %r" % got)
    elif directive == "before":
        a, b = key_of(words[0]), key_of(words[1])
        fa, sb = event_time("job_finished", a), event_time("job_started", b)
        report(fa is not None and sb is not None and fa < sb,
               "'%s' finished before '%s' started" % (words[0], words[1]), "events %s %s" % (fa, sb))
    elif directive == "stdout":
        report(re.search(arg, stdout, re.M) is not None, "output matches /%s/" % arg, stdout[-400:])
    elif directive == "no-stdout":
        m = re.search(arg, stdout, re.M)
        report(m is None, "output does not match /%s/" % arg, m.group(0) if m else "")
    elif directive == "stderr":
        report(re.search(arg, stderr, re.M) is not None, "errors match /%s/" % arg, stderr[-400:])
    elif directive == "file":
        paths = glob.glob(os.path.join(run_dir or "/nonexistent", words[0]))
        text = "".join(load(p, "") for p in paths)
        report(paths and re.search(words[1], text, re.M) is not None,
               "%s matches /%s/" % (words[0], words[1]), text[-300:])
    elif directive == "run":
        got = (run_json or {}).get(words[0])
        report(str(got) == words[1], "run.json %s is %s" % (words[0], words[1]), "got %s" % got)
    elif directive == "waiting":
        name, env = words[0], words[1]
        entry = [j for j in (run_json or {}).get("jobs", []) if j["name"] == name]
        got = (entry[0]["status"], entry[0]["waiting_for"], (entry[0]["environment"] or {}).get("name")) if entry else None
        report(got == ("waiting", "approval", env), "run.json: '%s' waits for approval of '%s'" % (name, env),
               "got %s" % (got,))
    elif directive == "absent":
        report(job(arg) is None and not any(j["id"] == arg for j in jobs),
               "job '%s' did not run" % arg, "")
    elif directive == "serial":
        a, b = key_of(words[0]), key_of(words[1])
        ab = (event_time("job_finished", a) or 0) < (event_time("job_started", b) or 0)
        ba = (event_time("job_finished", b) or 0) < (event_time("job_started", a) or 0)
        report(ab or ba, "'%s' and '%s' did not overlap" % (words[0], words[1]), "")
    elif directive == "no-run-dir":
        report(not runs, "no run directory was written", " ".join(runs))
    elif directive == "secret":
        value = arg.encode()
        forms = [value, base64.b64encode(value), json.dumps(arg)[1:-1].encode()]
        found = [p for p in written_files() if any(f in open(p, "rb").read() for f in forms)]
        found += [n for n, t in (("stdout", stdout), ("stderr", stderr)) if any(f.decode() in t for f in forms)]
        report(not found, "secret %r appears nowhere Slipway wrote" % arg[:4], " ".join(found))
    else:
        report(False, "unknown directive '%s'" % directive)


for line in load(expect_path, "").splitlines():
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    directive, _, arg = line.partition(":")
    if directive in ("args", "env", "setup", "host-only"):
        continue
    check(directive.strip(), arg.strip())
