#!/bin/bash
# Build, sign and notarise the macOS installer package of HomeAgent (runs on macOS only).
#
#   installers/macos/build_pkg.sh --app dist/bundle/HomeAgent.app --version 1.2.3 \
#       --out dist [--config DIR] [--app-identity "Developer ID Application: Org (TEAMID)"] \
#       [--installer-identity "Developer ID Installer: Org (TEAMID)"] [--notarize]
#
# Output: dist/homeagent-<version>-macos.pkg (the TUF target name). Steps:
#   1. codesign every Mach-O inside the .app, then the .app, hardened runtime + timestamp
#      (notarisation refuses anything else), with entitlements.plist;
#   2. pkgbuild the component (component.plist: /Applications/HomeAgent.app, not relocatable)
#      with scripts/postinstall and, with --config, IT's files for
#      /Library/Application Support/HomeAgent/ (profile.json, trusted-keys.pem,
#      update-policy.json, update-root.json);
#   3. productbuild with distribution.xml (whole machine only), signed with the Installer ID;
#   4. with --notarize: xcrun notarytool submit --wait (credentials from the keychain profile
#      $NOTARY_PROFILE, or $APPLE_ID / $APPLE_TEAM_ID / $APPLE_APP_PASSWORD), xcrun stapler
#      staple, then spctl --assess and pkgutil --check-signature must pass.
# Without identities the package is built unsigned (a local test build, refused by Gatekeeper).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
app="" version="" out="dist" config="" app_identity="" installer_identity="" notarize=0
while [ $# -gt 0 ]; do
    case "$1" in
        --app) app=$2; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --config) config=$2; shift 2 ;;
        --app-identity) app_identity=$2; shift 2 ;;
        --installer-identity) installer_identity=$2; shift 2 ;;
        --notarize) notarize=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$app" ] && [ -d "$app/Contents/MacOS" ] || { echo "--app: a built HomeAgent.app" >&2; exit 2; }
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "--version: X.Y.Z" >&2; exit 2; }
if [ "$notarize" = 1 ] && { [ -z "$app_identity" ] || [ -z "$installer_identity" ]; }; then
    echo "--notarize needs --app-identity and --installer-identity" >&2; exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root" "$work/scripts" "$out"
ditto "$app" "$work/root/HomeAgent.app"
cp "$here/scripts/postinstall" "$work/scripts/postinstall"
chmod 755 "$work/scripts/postinstall"
if [ -n "$config" ]; then
    mkdir "$work/scripts/config"
    for base in profile.json trusted-keys.pem update-policy.json update-root.json; do
        [ -f "$config/$base" ] && cp "$config/$base" "$work/scripts/config/$base"
    done
    [ -n "$(ls -A "$work/scripts/config")" ] || { echo "--config: no known file in $config" >&2; exit 2; }
fi

if [ -n "$app_identity" ]; then
    # Inside out: libraries and helpers first, the app last (no --deep: it signs the wrong way).
    find "$work/root/HomeAgent.app/Contents" -type f \( -perm -u+x -o -name '*.dylib' -o -name '*.so' \) -print0 |
        while IFS= read -r -d '' f; do
            if file -b "$f" | grep -q 'Mach-O'; then
                codesign --force --timestamp --options runtime \
                    --entitlements "$here/entitlements.plist" --sign "$app_identity" "$f"
            fi
        done
    codesign --force --timestamp --options runtime --entitlements "$here/entitlements.plist" \
        --sign "$app_identity" "$work/root/HomeAgent.app"
    codesign --verify --strict --deep --verbose=2 "$work/root/HomeAgent.app"
fi

pkgbuild --root "$work/root" \
    --component-plist "$here/component.plist" \
    --identifier org.homeagent.app \
    --version "$version" \
    --install-location /Applications \
    --scripts "$work/scripts" \
    "$work/homeagent-app.pkg"

product="$out/homeagent-$version-macos.pkg"
sign_args=()
[ -n "$installer_identity" ] && sign_args=(--sign "$installer_identity" --timestamp)
productbuild --distribution "$here/distribution.xml" \
    --package-path "$work" \
    --version "$version" \
    "${sign_args[@]}" \
    "$product"

if [ "$notarize" = 1 ]; then
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        creds=(--keychain-profile "$NOTARY_PROFILE")
    else
        creds=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
    fi
    xcrun notarytool submit "$product" "${creds[@]}" --wait --timeout 30m \
        --output-format json > "$work/notary.json"
    cat "$work/notary.json"
    grep -q '"status" *: *"Accepted"' "$work/notary.json" || {
        id=$(sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' "$work/notary.json" | head -1)
        [ -n "$id" ] && xcrun notarytool log "$id" "${creds[@]}" || true
        echo "notarisation refused" >&2; exit 1
    }
    xcrun stapler staple "$product"
    xcrun stapler validate "$product"
    spctl --assess --type install --verbose=4 "$product"
    pkgutil --check-signature "$product"
fi
echo "$product"
