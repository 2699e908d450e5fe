#!/usr/bin/env python3
"""Counts GoogleTest test cases from the test.xml files of Bazel runs.

Usage: count_tests.py [--step-failed NAME]... BEP_JSON [BEP_JSON ...]

Each argument is a --build_event_json_file written by one `bazel test` run.
The build event protocol names the exact test.xml of every test attempt in
that run (cached or not), so stale files in bazel-testlogs are never
counted. Every <testcase> counts once: a <failure> or <error> child makes it
failed, <skipped> or status="notrun" (DISABLED_) makes it skipped, anything
else passed. A test target that did not pass but whose XML shows no failing
case (crash before the XML was written, timeout, failure to build) counts as
one failed case, and so does every --step-failed, so a red run can never
print "0 failed".

Prints failing cases, then as the last line: "N passed, N failed".
"""
import json
import sys
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET


def xml_path(uri):
    parsed = urllib.parse.urlparse(uri)
    return urllib.request.url2pathname(parsed.path)


def count_xml(path):
    """Returns (passed, failed, skipped, failed_names) for one test.xml."""
    passed = failed = skipped = 0
    names = []
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = "%s.%s" % (case.get("classname", "?"), case.get("name", "?"))
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            names.append(name)
        elif case.find("skipped") is not None or case.get("status") == "notrun":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, names


def main(argv):
    passed = failed = skipped = 0
    failures = []
    beps = []
    args = iter(argv[1:])
    for arg in args:
        if arg == "--step-failed":
            # A CI step that failed outside any test case (build error,
            # format check, fuzzer crash): one failed case of its own.
            failed += 1
            failures.append("step: " + next(args))
        else:
            beps.append(arg)
    for bep in beps:
        try:
            lines = open(bep).read().splitlines()
        except OSError as e:
            failed += 1
            failures.append("%s: no build events (%s)" % (bep, e))
            continue
        for line in lines:
            event = json.loads(line)
            ident = event.get("id", {})
            if "testResult" in ident:
                label = ident["testResult"].get("label", "?")
                result = event.get("testResult", {})
                status = result.get("status", "NO_STATUS")
                xml = [o for o in result.get("testActionOutput", [])
                       if o.get("name") == "test.xml"]
                case_failed = 0
                for out in xml:
                    try:
                        p, f, s, names = count_xml(xml_path(out["uri"]))
                    except (OSError, ET.ParseError) as e:
                        failures.append("%s: unreadable test.xml (%s)" % (label, e))
                        continue
                    passed, failed, skipped = passed + p, failed + f, skipped + s
                    case_failed += f
                    failures.extend("%s: %s" % (label, n) for n in names)
                if status != "PASSED" and case_failed == 0:
                    failed += 1
                    failures.append("%s: %s" % (label, status))
    for f in failures:
        print("FAILED: " + f)
    if skipped:
        print("(%d skipped)" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
