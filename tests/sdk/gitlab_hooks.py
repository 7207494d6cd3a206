"""Drives a GitLab-shaped project-hooks API with python-gitlab, GitLab's Python client.

Usage: gitlab_hooks.py BASE_URL PROJECT_ID [--token]

BASE_URL is where the API's `/api/v4` lives (an emulator, or a surface's mount point). Prints
one JSON line per step: {"step": ..., "value": ...}, or {"step": "error", "value": ...} and
stops at the first exception nobody expected. The client's own attribute lists are printed
first, so that the test can hold the file's flags to them. With --token, the first hook is
made with a signing token.
"""

import json
import sys

import gitlab
from gitlab.v4.objects.hooks import ProjectHookManager

FLAGS = ["push_events", "issues_events", "note_events", "job_events"]


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def flags(hook):
    return {name: hook.attributes.get(name) for name in FLAGS}


base, project_id = sys.argv[1], sys.argv[2]
token = "--token" in sys.argv
gl = gitlab.Gitlab(base, oauth_token="hookgate", retry_transient_errors=False)

try:
    show(
        "attributes",
        {
            "create": list(ProjectHookManager._create_attrs.optional),
            "update": list(ProjectHookManager._update_attrs.optional),
        },
    )
    project = gl.projects.get(project_id, lazy=True)
    # Issues and notes asked for; push events left out, which GitLab switches on.
    first = {"url": "https://example.com/hooks/1", "issues_events": True, "note_events": True}
    if token:
        first["token"] = "s3cret"
    hook = project.hooks.create(first)
    show("create", flags(hook))
    # `save` sends the URL and the attributes changed: two flags of twelve.
    hook.issues_events = False
    hook.job_events = True
    hook.save()
    show("save", flags(hook))
    read = project.hooks.get(hook.id)
    show("get", flags(read))
    other = project.hooks.create({"url": "https://example.com/hooks/2"})
    show("default", flags(other))
    third = project.hooks.create({"url": "https://example.com/hooks/3", "push_events": False, "job_events": True})
    # Two to a page: the client follows each page's `Link` header.
    listed = project.hooks.list(get_all=True, per_page=2)
    show("list", {"ids": [h.id for h in listed], "made": [hook.id, other.id, third.id]})
    try:
        project.hooks.create({"url": "https://example.com/hooks/4", "push_events": "yes"})
        show("invalid", "accepted")
    except gitlab.GitlabCreateError as e:
        show("invalid", {"status": e.response_code, "message": e.error_message})
    read.delete()
    try:
        project.hooks.get(hook.id)
        show("missing", "found")
    except gitlab.GitlabGetError as e:
        show("missing", {"status": e.response_code})
except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
    show("error", repr(e))
