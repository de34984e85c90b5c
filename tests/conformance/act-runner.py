#!/usr/bin/env python3
"""act-runner: nektos/act's runner test cases (../shared/conformance/act-runner,
expected.tsv) through slipway — the `load`, `plan` and `dryrun` rows and the
`host` rows that Linux can run without Docker and without files that were not
copied. Same ok/error outcome is a pass; plan rows also compare the number of
stages where act's notes give it. Every other row is listed with the reason.
Prints "0<TAB>desc", "1<TAB>desc<TAB>detail" or "skip<TAB>desc<TAB>reason".

usage: act-runner.py SLIPWAY SHARED SCRATCH
"""
import csv
import os
import re
import shutil
import subprocess
import sys

slipway, shared, scratch = sys.argv[1:4]
root = os.path.join(shared, "conformance", "act-runner")
work = os.path.join(scratch, "act")
shutil.copytree(os.path.join(root, "testdata"), os.path.join(work, "testdata"), symlinks=True)
shutil.copytree(os.path.join(root, "model-testdata"), os.path.join(work, "model-testdata"), symlinks=True)


def out(status, desc, detail=""):
    print("%s\t%s\t%s" % (status, desc, detail.replace("\n", " | ")[-400:]))


def workflows(path):
    if os.path.isfile(path):
        return [path]
    return [os.path.join(path, f) for f in sorted(os.listdir(path)) if f.endswith((".yml", ".yaml"))]


def uses_kinds(path):
    """(class, name) of every uses: in the workflows, as tests/tools/uses_report sees them."""
    tool = os.path.join(os.environ.get("SLIPWAY_BUILD", "build"), "tests", "tools", "uses_report")
    p = subprocess.run([tool] + workflows(path), capture_output=True, text=True)
    return [tuple(line.split("\t")[:2]) for line in p.stdout.splitlines()]


def uses_reason(path):
    """Why the host cannot run these uses: (no network, no Docker), or None."""
    for kind, name in uses_kinds(path):
        if kind in ("remote-action", "remote-workflow"):
            return "uses '%s' from github.com, which this machine cannot reach" % name
        if kind == "docker-image":
            return "a docker:// action needs the Docker executor"
    return None


# Rows slipway runs but answers differently from act, on purpose.
KNOWN = {
    "if-env-act": "checks env.ACT, which act sets to identify itself; slipway is not act",
    "issue-1195": "expects github.repository_owner 'nektos' (act's own remote)",
    "runs-on": "expects GITHUB_ACTOR 'nektos/act' (act's own identity)",
    "issue-1595/no-event.yml": "a workflow without on: is invalid on GitHub (slipway validate agrees); act plans it with no job",
    "invalid-job-name/valid-2.yml": "the parser reserves ids starting with '__', as GitHub does",
    "evalmatrix-merge-map": "${{ insert }} in mappings is GitHub's template directive; slipway's template evaluator does not implement it",
    "uses-github-short-sha": "uses actions/hello-world-javascript-action@<short sha> from github.com, which this machine cannot reach",
    "uses-nested-composite": "asks actions/setup-node for node 16 and checks `node --version`: the built-in stage installs nothing, it uses the machine's node (and warns); --no-builtin runs the real action",
    "evalmatrix-merge-array": "splicing an array into a sequence is a template-evaluator feature slipway does not implement",
}


def container_jobs(path):
    for f in workflows(path):
        if re.search(r"^\s+container:\s*\S", open(f, errors="replace").read(), re.M):
            return True
    return False


def why_not(row, path):
    cond, mode = row["condition"], row["mode"]
    if "disabled" in cond:
        return "disabled upstream (commented out in act)"
    if cond == "windows-only":
        return "windows-only"
    if row["omitted_files_used"]:
        return "needs files that were not copied: " + row["omitted_files_used"].split(",")[0] + " ..."
    if mode == "container":
        return "container mode: the Docker executor's issue"
    if row["event"] == "(all events)":
        return "act's PlanAll (every workflow whatever its on:) has no slipway equivalent"
    if mode == "load" and row["dir"] == "nested":
        return "act reads workflow directories recursively; slipway reads *.yml of the directory, as GitHub does"
    if mode == "host" and uses_reason(path):
        return uses_reason(path)
    if mode == "host" and "pwsh" in row["dir"] and not shutil.which("pwsh"):
        return "pwsh is not installed"
    if mode == "host" and container_jobs(path):
        return "a job container (container:) needs the Docker executor"
    return KNOWN.get(row["dir"].rstrip("/"))


def run(args, cwd):
    p = subprocess.run([slipway] + args, cwd=cwd, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout + p.stderr


with open(os.path.join(root, "expected.tsv"), newline="") as f:
    rows = list(csv.DictReader(f, delimiter="\t"))

for n, row in enumerate(rows, 1):
    base = os.path.join(work, row["base"])
    path = os.path.join(base, row["dir"])
    rel = row["dir"].rstrip("/")
    desc = "%s %s %s (%s)" % (row["suite"].split(".")[-1], rel, row["event"], row["mode"])
    reason = why_not(row, path)
    if reason:
        out("skip", desc, reason)
        continue
    mode, event = row["mode"], row["event"]
    if mode == "load":
        rc, text = run(["validate", path], base)
    elif mode == "plan":
        rc, text = run(["graph", "--format", "json", "-W", rel, event], base)
    elif mode == "dryrun":
        rc, text = run(["run", "--dry-run", "-W", rel, event], base)
    else:
        rc, text = run(["run", "--backend", "host", "--state", os.path.join(scratch, "state"), "-W", rel,
                        event], base)
    got = "ok" if rc == 0 else "error"
    want = row["expected"]
    detail = "exit %d: %s" % (rc, text[-300:])
    if got == want and mode == "plan" and rc == 0:
        m = re.search(r"plan has (\d+) stages?", row["notes"])
        levels = re.search(r'"levels": (\d+)', text)
        if m and (not levels or levels.group(1) != m.group(1)):
            got = "%s stages" % (levels.group(1) if levels else "?")
            want = "%s stages" % m.group(1)
    out(0 if got == want else 1, "%s: %s" % (desc, want), "got " + got + "; " + detail)
