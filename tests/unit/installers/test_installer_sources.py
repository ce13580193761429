"""The installer definitions that cannot be built here (WiX v4, pkgbuild/productbuild, the
Windows/macOS CI workflow) parse, agree with their smoke twins and name files that exist."""

from __future__ import annotations

import plistlib
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from installers.windows import smoke_msi

ROOT = Path(__file__).resolve().parents[3]
WIN = ROOT / "installers/windows"
MAC = ROOT / "installers/macos"
WORKFLOW = ROOT / ".github/workflows/installers.yml"
V4 = "{http://wixtoolset.org/schemas/v4/wxs}"
V3 = "{http://schemas.microsoft.com/wix/2006/wi}"
SECURE = ("PROFILE", "TRUSTED_KEYS", "UPDATE_POLICY", "UPDATE_ROOT")


def _v4() -> ET.Element:
    return ET.parse(WIN / "homeagent.wxs").getroot()


def _v3() -> ET.Element:
    return ET.parse(WIN / "homeagent-smoke.wxs").getroot()


def _registry(root: ET.Element, ns: str) -> set[tuple[str, str, str, str]]:
    """Every (root, key, name, value) the source writes, RegistryKey nesting resolved."""
    found = set()

    def walk(node: ET.Element, hive: str | None, key: str | None) -> None:
        for child in node:
            if child.tag == f"{ns}RegistryKey":
                walk(child, child.get("Root", hive), child.get("Key"))
            elif child.tag == f"{ns}RegistryValue":
                sub = child.get("Key")
                full = child.get("Key") if key is None else (f"{key}\\{sub}" if sub else key)
                found.add(
                    (
                        child.get("Root", hive) or "",
                        full or "",
                        child.get("Name", ""),
                        child.get("Value", ""),
                    )
                )
            else:
                walk(child, hive, key)

    walk(root, None, None)
    return found


def test_wix_v4_source_per_machine_secure_properties_upgrade() -> None:
    wix = _v4()
    package = wix.find(f"{V4}Package")
    assert package is not None
    assert package.get("Scope") == "perMachine"
    assert package.get("Version") == "$(var.Version)"
    upgrade = wix.find(f".//{V4}MajorUpgrade")
    assert upgrade is not None
    assert upgrade.get("Schedule") == "afterInstallInitialize"
    assert upgrade.get("DowngradeErrorMessage")
    props = {p.get("Id"): p for p in wix.iter(f"{V4}Property")}
    for name in SECURE:
        assert props[name].get("Secure") == "yes"
        assert props[name].get("Value") is None  # set by IT on the command line only
        assert props[name].get("Hidden") is None  # paths, not secrets: keep them in the log
    # Each property's file is copied into DATAFOLDER only when set; the builder of the smoke
    # MSI writes exactly these MoveFile rows.
    components = {c.get("Id"): c for c in wix.iter(f"{V4}Component")}
    for prop, (component_id, copy_id, dest) in smoke_msi.CONFIG_FILES.items():
        component = components[component_id]
        assert component.get("Condition") == prop
        assert component.get("Directory") == "DATAFOLDER"
        (copy,) = component.iter(f"{V4}CopyFile")
        assert copy.get("Id") == copy_id
        assert copy.get("SourceProperty") == prop
        assert copy.get("DestinationName") == dest
        assert copy.get("DestinationDirectory") == "DATAFOLDER"
    (perm,) = components["DataFolder"].iter(f"{V4}PermissionEx")
    assert perm.get("Sddl") == smoke_msi.DATA_FOLDER_SDDL
    dirs = {d.get("Id"): d.get("Name") for d in wix.iter(f"{V4}Directory")}
    assert dirs == {"INSTALLFOLDER": "HomeAgent", "DATAFOLDER": "HomeAgent"}
    standard = {s.get("Id") for s in wix.iter(f"{V4}StandardDirectory")}
    assert standard == {"ProgramFiles64Folder", "CommonAppDataFolder", "ProgramMenuFolder"}
    # Every component is in the feature, with the harvested bundle.
    feature = wix.find(f".//{V4}Feature")
    assert feature is not None
    refs = {r.get("Id") for r in feature.iter(f"{V4}ComponentRef")}
    assert refs == set(components)
    assert [g.get("Id") for g in feature.iter(f"{V4}ComponentGroupRef")] == ["BundleFiles"]
    (shortcut,) = wix.iter(f"{V4}Shortcut")
    assert shortcut.get("Target") == "[INSTALLFOLDER]homeagent.exe"


def test_no_per_user_part_and_url_protocols() -> None:
    registry = _registry(_v4(), V4)
    assert {hive for hive, *_ in registry} == {"HKLM"}
    command = '"[INSTALLFOLDER]homeagent.exe" "%1"'
    for scheme in ("tel", "sip", "sips"):
        assert ("HKLM", rf"Software\Classes\{scheme}", "URL Protocol", "") in registry
        assert ("HKLM", rf"Software\Classes\{scheme}\shell\open\command", "", command) in registry
        assert (
            "HKLM",
            r"Software\HomeAgent\Capabilities\URLAssociations",
            scheme,
            "HomeAgent.Url",
        ) in registry
    text = (WIN / "homeagent.wxs").read_text(encoding="utf-8")
    assert "HKCU" not in text
    assert "HKMU" not in text


def test_smoke_source_mirrors_the_product_source() -> None:
    v4, v3 = _v4(), _v3()
    v4_package, v3_product = v4.find(f"{V4}Package"), v3.find(f"{V3}Product")
    assert v4_package is not None
    assert v3_product is not None
    assert v4_package.get("UpgradeCode") == v3_product.get("UpgradeCode")
    guids4 = {c.get("Id"): c.get("Guid") for c in v4.iter(f"{V4}Component")}
    guids3 = {c.get("Id"): c.get("Guid") for c in v3.iter(f"{V3}Component")}
    assert guids4 == guids3
    assert _registry(v4, V4) == _registry(v3, V3)
    (s4,), (s3,) = v4.iter(f"{V4}Shortcut"), v3.iter(f"{V3}Shortcut")
    assert s4.attrib == s3.attrib


def test_macos_plists_and_distribution() -> None:
    info = plistlib.loads((MAC / "Info.plist.fragment").read_bytes())
    (url_type,) = info["CFBundleURLTypes"]
    assert url_type["CFBundleURLSchemes"] == ["tel", "sip", "sips"]
    assert info["NSMicrophoneUsageDescription"]
    bundle_id = info["CFBundleIdentifier"]
    (component,) = plistlib.loads((MAC / "component.plist").read_bytes())
    assert component["RootRelativeBundlePath"] == "HomeAgent.app"
    assert component["BundleIsRelocatable"] is False
    entitlements = plistlib.loads((MAC / "entitlements.plist").read_bytes())
    assert entitlements["com.apple.security.device.audio-input"] is True
    dist = ET.parse(MAC / "distribution.xml").getroot()
    domains = dist.find("domains")
    assert domains is not None
    assert domains.attrib == {
        "enable_anywhere": "false",
        "enable_currentUserHome": "false",
        "enable_localSystem": "true",
    }
    (pkg_ref,) = [r for r in dist.iter("pkg-ref") if r.text]
    assert pkg_ref.get("id") == bundle_id
    script = (MAC / "build_pkg.sh").read_text(encoding="utf-8")
    # build_pkg.sh builds the component the distribution names, with the same identifier.
    assert f"--identifier {bundle_id}" in script
    assert f'"$work/{pkg_ref.text.strip()}"' in script
    for step in ("notarytool submit", "--wait", "stapler staple", "spctl --assess"):
        assert step in script
    for rel in re.findall(r'"\$here/([^"]+)"', script):
        assert (MAC / rel).is_file(), rel


@pytest.mark.parametrize("script", ["build_pkg.sh", "scripts/postinstall"])
def test_macos_scripts_parse_and_are_executable(script: str) -> None:
    path = MAC / script
    assert path.stat().st_mode & 0o111
    shell = "bash" if script.endswith(".sh") else "sh"
    done = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_ci_workflow_is_valid_and_complete() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert set(triggers) == {"push", "workflow_dispatch"}
    jobs = workflow["jobs"]
    assert jobs["windows-msi"]["runs-on"].startswith("windows-")
    assert jobs["macos-pkg"]["runs-on"].startswith("macos-")
    for job in jobs.values():
        assert job["timeout-minutes"] <= 90
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            # Secrets are not allowed in `if:`; inputs never spliced into a script.
            assert "secrets." not in str(step.get("if", ""))
            assert "${{ inputs." not in step.get("run", "")
            assert "${{ secrets." not in step.get("run", "")
    runs = {name: "\n".join(s.get("run", "") for s in job["steps"]) for name, job in jobs.items()}
    for run in runs.values():
        assert "--require-hashes" in run
        assert "installers/lock/agent.txt" in run
        assert "--self-test" in run
    assert "wix build" in runs["windows-msi"]
    assert "installers/windows/homeagent.wxs" in runs["windows-msi"]
    assert "signtool.exe" in runs["windows-msi"] or "$signtool" in runs["windows-msi"]
    assert "installers/macos/build_pkg.sh" in runs["macos-pkg"]
    assert "--notarize" in runs["macos-pkg"]
    uploads = [
        s["with"]["path"]
        for job in jobs.values()
        for s in job["steps"]
        if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert uploads == ["dist/homeagent-*-windows-x86_64.msi", "dist/homeagent-*-macos.pkg"]
    # What this branch provides exists (the spec and the lock come with the bundle's work).
    for rel in (
        "installers/windows/homeagent.wxs",
        "installers/macos/build_pkg.sh",
        "installers/windows/harvest.py",
    ):
        assert (ROOT / rel).is_file()
