#!/usr/bin/env python3
"""The engine's layers, checked: each target may depend on and import only the targets below it
(docs/architecture.md draws the same table). Lists every target's imports; exits 1 on an arrow
the table does not allow, in Package.swift or in a source file's imports.

Run by `make test`; no toolchain needed (Package.swift and the sources are read as text)."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SYSTEM = {"Glibc", "Foundation", "FoundationEssentials", "Dispatch", "XCTest", "ArgumentParser", "PackageDescription"}
C_MODULES = {"CZlib", "CIsal", "CBzip2", "CZstd", "CLzma", "CLinuxShims", "CCrypto"}

# The layers, top to bottom; a target may use only what its row allows.
ALLOWED = {
    "MapReduce": set(),
    "MRBase": {"MapReduce"},
    "MRSystem": {"MRBase", "CIsal", "CLinuxShims", "CCrypto"},
    "MRInput": {"MRBase", "MRSystem", "MapReduce", "CZlib", "CIsal", "CBzip2", "CZstd", "CLzma", "CLinuxShims"},
    "MRShuffle": {"MRBase", "MRSystem", "MapReduce", "CLinuxShims"},
    "MROutput": {"MRBase", "MRSystem", "MapReduce", "CZlib", "CZstd", "CLinuxShims"},
    "MRPlugins": {"MRBase", "MRSystem", "MapReduce"},
    "MRStreaming": {"MRBase", "MRSystem", "MRInput", "MROutput", "MapReduce"},
    "MRReport": {"MRBase", "MRSystem", "MRInput", "MapReduce"},
    "MRWorkers": {"MRBase", "MRSystem", "MRInput", "MRShuffle", "MROutput", "MapReduce", "CLinuxShims"},
    "MREngine": {"MRBase", "MRSystem", "MRInput", "MRShuffle", "MROutput", "MRPlugins", "MRStreaming", "MRReport",
                 "MRWorkers", "MapReduce"},
    "mr": {"MREngine", "MapReduce", "ArgumentParser"},
    "datagen": set(),
    "CLinuxShims": set(),
}


def declared_dependencies():
    """Each target of Package.swift with the dependencies it declares."""
    text = (ROOT / "Package.swift").read_text()
    targets = {}
    for match in re.finditer(r'\.(?:target|executableTarget|testTarget)\(\s*name:\s*"(\w+)"(.*?)\)\s*,\s*(?://[^\n]*\n\s*)*(?=\.|\])', text, re.S):
        name, rest = match.group(1), match.group(2)
        deps = re.search(r"dependencies:\s*\[(.*?)\]", rest, re.S)
        targets[name] = set(re.findall(r'"(\w+)"', deps.group(1))) - {"swift-argument-parser"} if deps else set()
        if deps and ".product(name: \"ArgumentParser\"" in deps.group(1):
            targets[name].add("ArgumentParser")
    return targets


def imports(folder):
    """(file, module, attribute) for every import in the folder's Swift files."""
    found = []
    for path in sorted(folder.rglob("*.swift")):
        for line in path.read_text().splitlines():
            match = re.match(r"\s*(@_exported |@testable )?import (\w+)", line)
            if match:
                found.append((path.relative_to(ROOT), match.group(2), (match.group(1) or "").strip()))
    return found


def main():
    problems = []
    declared = declared_dependencies()
    for target, deps in sorted(declared.items()):
        if target not in ALLOWED:
            continue  # test targets may reach any layer
        for dependency in sorted(deps - ALLOWED[target]):
            problems.append(f"Package.swift: {target} depends on {dependency}, which the layers do not allow")
    for target in sorted(ALLOWED):
        folder = ROOT / "Sources" / target
        if not folder.is_dir():
            continue
        used = set()
        for path, module, attribute in imports(folder):
            if module in SYSTEM:
                continue
            used.add(module)
            if module not in ALLOWED[target]:
                problems.append(f"{path}: {target} imports {module}, which the layers do not allow")
            if attribute == "@testable":
                problems.append(f"{path}: @testable import in a source target")
            if attribute == "@_exported" and target != "MREngine":
                problems.append(f"{path}: @_exported import outside MREngine")
        print(f"{target:12} imports {', '.join(sorted(used)) or '-'}")
    for problem in problems:
        print("layer check: " + problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
