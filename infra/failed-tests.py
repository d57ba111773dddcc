#!/usr/bin/env python3
"""Prints the failed tests of the TRX files under a folder, last, so a CI log's tail names what failed and why."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main(folder: str) -> int:
    failed = 0
    for trx in sorted(Path(folder).glob("**/*.trx")):
        for result in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult", NS):
            if result.get("outcome") not in ("Failed", "Error"):
                continue
            failed += 1
            message = result.findtext(".//t:ErrorInfo/t:Message", "", NS).strip()
            stack = result.findtext(".//t:ErrorInfo/t:StackTrace", "", NS).strip().splitlines()
            print(f"FAILED {result.get('testName')} ({trx.stem}, {result.get('duration')})")
            for line in message.splitlines()[:15] + stack[:6]:
                print(f"    {line}")
    print(f"{failed} failed test(s) in {folder}" if failed else f"no failed test recorded in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "artifacts/test-results"))
