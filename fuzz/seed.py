#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the repository's own documented bodies.

  mapping_compile     every mapping file: mappings/*.toml and tests/dialects/*.toml
  translate_request   every canonical request body and canonical answer of tests/golden/
  translate_response  every vendor reply and vendor request body of tests/golden/
  problem_render      every problem that tests/golden/ expects hookgate to answer

Run from anywhere: python3 fuzz/seed.py. Files are named after their source and replaced whole.
"""

import glob
import json
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def reset(target):
    path = os.path.join(CORPUS, target)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write(folder, name, data, seen):
    if isinstance(data, str):
        data = data.encode()
    if data in seen:
        return
    seen.add(data)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def main():
    folder = reset("mapping_compile")
    seen = set()
    for path in sorted(glob.glob(os.path.join(ROOT, "mappings", "*.toml")) +
                       glob.glob(os.path.join(ROOT, "tests", "dialects", "*.toml"))):
        with open(path, "rb") as f:
            write(folder, os.path.basename(path), f.read(), seen)

    request = reset("translate_request")
    response = reset("translate_response")
    problem = reset("problem_render")
    seen_request, seen_response, seen_problem = set(), set(), set()
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "golden", "*", "*.json"))):
        dialect = os.path.basename(os.path.dirname(path))
        stem = os.path.splitext(os.path.basename(path))[0]
        name = f"{dialect}-{stem}"
        with open(path) as f:
            case = json.load(f)
        if isinstance(case["request"].get("body"), dict):
            write(request, f"{name}-request.json", dumps(case["request"]["body"]), seen_request)
        for i, exchange in enumerate(case["exchanges"]):
            reply = exchange["reply"]
            body = reply["body"] if reply.get("raw") else dumps(reply["body"])
            write(response, f"{name}-reply-{i}.json", body, seen_response)
            if exchange["expect"].get("body") is not None:
                write(response, f"{name}-sent-{i}.json", dumps(exchange["expect"]["body"]),
                      seen_response)
        answer = case["response"]
        if isinstance(answer.get("body"), dict):
            if answer["status"] >= 400:
                body = dict(answer["body"], operation=case["request"]["method"].lower())
                write(problem, f"{name}-problem.json", dumps(body), seen_problem)
            else:
                write(request, f"{name}-answer.json", dumps(answer["body"]), seen_request)


if __name__ == "__main__":
    main()
