#!/bin/sh
# Install or upgrade the learning kiosk on this computer. Run it as root, over SSH or from
# tty2 (the kiosk takes tty1). Safe to run again: the program is reinstalled, the units,
# drop-ins and rules are written again with the same content, and the configuration and the
# data are kept.
#
#   deploy/install.sh [--root DIR] [--source DIR] [--printer-usb VID:PID] [--admin NAME] [--no-start]
#
#   --root DIR        install under DIR instead of / (to try it, or to read what it writes);
#                     nothing is started
#   --source DIR      the learning-kiosk checkout to install (default: this script's parent)
#   --printer-usb ID  a USB printer's vendor:product id (from lsusb), for the udev rule
#   --admin NAME      create the first admin before the kiosk starts (asks for the PIN here);
#                     without it, the first person who presses 2, 9 or 0 at the kiosk becomes admin
#   --no-start        do not enable or start the services (implied with --root)
#
# PYTHON names the Python that creates the virtual environment (default python3; it must be
# 3.11 or newer), e.g. PYTHON=python3.11 deploy/install.sh. The program and its libraries are
# downloaded from PyPI: the computer needs internet access, or a proxy (https_proxy=...).
set -eu

ROOT=/
SOURCE=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
USB=""
ADMIN=""
START=yes
PYTHON=${PYTHON:-python3}

fail() { echo "install.sh: $*" >&2; exit 2; }
value() {  # the value after an option, or a clear error
    if [ $# -lt 2 ] || [ -z "$2" ]; then fail "$1 needs a value (see --help)"; fi
    case "$2" in -*) fail "$1 needs a value, not $2 (see --help)" ;; esac
}

while [ $# -gt 0 ]; do
    case "$1" in
        --root) value "$@"; ROOT=$2; START=no; shift 2 ;;
        --source) value "$@"; SOURCE=$2; shift 2 ;;
        --printer-usb) value "$@"; USB=$2; shift 2 ;;
        --admin) value "$@"; ADMIN=$2; shift 2 ;;
        --no-start) START=no; shift ;;
        -h|--help) sed -n '2,/^set /s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) fail "unknown option $1 (see --help)" ;;
    esac
done
case "$USB" in
    ""|[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]:[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) ;;
    *) fail "--printer-usb wants VID:PID as lsusb shows it, e.g. 04b8:0202" ;;
esac
[ -f "$SOURCE/pyproject.toml" ] && [ -d "$SOURCE/deploy" ] || fail "no learning-kiosk checkout in $SOURCE"
SOURCE=$(CDPATH= cd -- "$SOURCE" && pwd)
if [ "$ROOT" != / ]; then
    mkdir -p "$ROOT"
    ROOT=$(CDPATH= cd -- "$ROOT" && pwd)
fi
if [ "$ROOT" = / ] && [ "$(id -u)" != 0 ]; then
    echo "install.sh: run it as root (su -, or sudo), or with --root DIR to try it in a folder" >&2
    exit 1
fi
if [ "$START" = yes ] && [ "$(tty 2>/dev/null || true)" = /dev/tty1 ]; then
    echo "install.sh: the kiosk takes tty1, which would end this session: run it over SSH or from tty2" >&2
    exit 1
fi

R=${ROOT%/}
DEPLOY="$SOURCE/deploy"
APP="$R/opt/learning-kiosk"
DATA="$R/var/lib/learning-kiosk"
BACKUPS="$R/var/backups/learning-kiosk"
ETC="$R/etc/learning-kiosk"
UNITS="$R/etc/systemd/system"

if [ ! -x "$APP/venv/bin/python" ] && ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    found=$("$PYTHON" -V 2>/dev/null || true)
    echo "install.sh: the kiosk needs Python 3.11 or newer, and $PYTHON is ${found:-not installed}." >&2
    echo "  Install python3.11 and python3.11-venv, then run PYTHON=python3.11 deploy/install.sh" >&2
    exit 1
fi

say() { echo "learning-kiosk: $*"; }

# 1. The kiosk user: a system account with no shell and no password; its home is the data.
has_group() { grep -q "^$1:" "$R/etc/group" 2>/dev/null; }
has_user() { grep -q "^$1:" "$R/etc/passwd" 2>/dev/null; }
mkdir -p "$R/etc"
touch "$R/etc/passwd" "$R/etc/group"
if [ "$(id -u)" = 0 ]; then
    PREFIX=""; [ "$ROOT" = / ] || PREFIX="--prefix $R"
    if ! has_group kiosk; then
        groupadd $PREFIX --system kiosk
        say "group kiosk created"
    fi
    if ! has_user kiosk; then
        useradd $PREFIX --system --gid kiosk --home-dir /var/lib/learning-kiosk --no-create-home \
            --shell /usr/sbin/nologin --comment "learning kiosk" kiosk
        say "user kiosk created (no shell, no password)"
    fi
    for extra in lp dialout; do  # printers on /dev/usb/lp* and serial ports
        if has_group "$extra" && ! grep -q "^$extra:.*[:,]kiosk\(,\|$\)" "$R/etc/group"; then
            usermod $PREFIX -aG "$extra" kiosk
        fi
    done
else
    # Trying it in a folder as a normal user: the same entries, written directly.
    has_group kiosk || echo "kiosk:x:999:" >> "$R/etc/group"
    has_user kiosk || echo "kiosk:x:999:999:learning kiosk:/var/lib/learning-kiosk:/usr/sbin/nologin" >> "$R/etc/passwd"
fi

# 2. Folders: the data and the backups belong to the kiosk user only (on every run, so files
#    a command run as root left there become the kiosk's again).
install -d -m 0755 "$APP" "$ETC"
install -d -m 0750 "$DATA" "$BACKUPS"
if [ "$(id -u)" = 0 ]; then
    chown -R "$(grep '^kiosk:' "$R/etc/passwd" | cut -d: -f3):$(grep '^kiosk:' "$R/etc/group" | cut -d: -f3)" \
        "$DATA" "$BACKUPS"
fi

# 3. The program, in its own virtual environment (an upgrade reinstalls it; the data stays).
#    pip builds from a clean copy of the checkout: nothing left over from an earlier build
#    (a module deleted upstream) is installed again, and nothing is written into the checkout.
if [ ! -x "$APP/venv/bin/python" ]; then
    "$PYTHON" -m venv "$APP/venv"
    say "virtual environment created in /opt/learning-kiosk/venv"
fi
BUILD=$(mktemp -d "${TMPDIR:-/tmp}/learning-kiosk-build.XXXXXX")
trap 'rm -rf "$BUILD"' EXIT
trap 'exit 130' INT TERM
tar -C "$SOURCE" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist \
    --exclude='*.egg-info' --exclude=__pycache__ --exclude=./kiosk-data --exclude=./kiosk-demo \
    --exclude=./.pytest_cache --exclude=./.hypothesis -cf - . | tar -C "$BUILD" -xf -
"$APP/venv/bin/python" -m pip install --quiet --upgrade pip
"$APP/venv/bin/python" -m pip install --quiet --upgrade "$BUILD"
"$APP/venv/bin/python" -m compileall -q "$APP/venv/lib" >/dev/null 2>&1 || true
rm -rf "$BUILD"
install -d -m 0755 "$APP/deploy"
install -m 0644 "$SOURCE/README.md" "$APP/README.md"
install -m 0644 "$DEPLOY/README.md" "$DEPLOY/kiosk.example.toml" "$APP/deploy/"
say "program installed: $("$APP/venv/bin/kiosk" --help >/dev/null && echo ok)"

# 4. kiosk-admin: the kiosk command for the admin, run as the kiosk user with the installed
#    data folder and configuration (with --root: the ones under DIR).
install -d -m 0755 "$R/usr/local/bin"
sed -e "s|@KIOSK@|$APP/venv/bin/kiosk|" -e "s|@DATA@|$DATA|" -e "s|@CONFIG@|$ETC/kiosk.toml|" \
    "$DEPLOY/kiosk-admin" > "$R/usr/local/bin/kiosk-admin.new"
chmod 0755 "$R/usr/local/bin/kiosk-admin.new"
mv -f "$R/usr/local/bin/kiosk-admin.new" "$R/usr/local/bin/kiosk-admin"

# 5. The configuration: written once, then it is the admin's (never overwritten).
if [ ! -f "$ETC/kiosk.toml" ]; then
    sed 's|^dir = ""|dir = "/var/backups/learning-kiosk"|' "$DEPLOY/kiosk.example.toml" > "$ETC/kiosk.toml"
    chmod 0644 "$ETC/kiosk.toml"
    say "configuration written to /etc/learning-kiosk/kiosk.toml (edit it, kiosk-admin check, then restart the service)"
else
    say "configuration kept: /etc/learning-kiosk/kiosk.toml"
fi

# 5b. The first admin, before anyone at the kiosk can become one by pressing 2, 9 or 0.
if [ -n "$ADMIN" ]; then
    if [ "$(id -u)" = 0 ] && [ -z "$R" ]; then
        runuser -u kiosk -- env KIOSK_DATA="$DATA" KIOSK_CONFIG="$ETC/kiosk.toml" \
            "$APP/venv/bin/kiosk" supervisor add "$ADMIN" --admin
    else
        KIOSK_DATA="$DATA" KIOSK_CONFIG="$ETC/kiosk.toml" "$APP/venv/bin/kiosk" supervisor add "$ADMIN" --admin
    fi
    say "admin $ADMIN created"
elif [ ! -e "$DATA/kiosk.json" ]; then
    say "no admin yet: the first person who presses 2, 9 or 0 at the kiosk becomes admin."
    say "  To choose now: kiosk-admin supervisor add 'First Last' --admin (it asks for the PIN)"
fi

# 6. Services: the kiosk on tty1, the daily backup, the optional record page; tty1 and the
#    other consoles without login prompts; ctrl+alt+del (also pressed 7 times in 2 s) and
#    SysRq do nothing. Local changes belong in drop-ins (systemctl edit), which stay.
install -d -m 0755 "$UNITS" "$UNITS/getty@tty1.service.d" "$UNITS/autovt@tty1.service.d" \
    "$R/etc/systemd/logind.conf.d" "$R/etc/systemd/system.conf.d" "$R/etc/sysctl.d" "$R/etc/udev/rules.d"
for unit in learning-kiosk.service learning-kiosk-serve.service learning-kiosk-backup.service \
        learning-kiosk-backup.timer; do
    install -m 0644 "$DEPLOY/systemd/$unit" "$UNITS/$unit"
done
install -m 0644 "$DEPLOY/systemd/getty-tty1-override.conf" "$UNITS/getty@tty1.service.d/learning-kiosk.conf"
install -m 0644 "$DEPLOY/systemd/getty-tty1-override.conf" "$UNITS/autovt@tty1.service.d/learning-kiosk.conf"
install -m 0644 "$DEPLOY/systemd/logind-kiosk.conf" "$R/etc/systemd/logind.conf.d/learning-kiosk.conf"
install -m 0644 "$DEPLOY/systemd/manager-kiosk.conf" "$R/etc/systemd/system.conf.d/learning-kiosk.conf"
ln -sfn /dev/null "$UNITS/ctrl-alt-del.target"
printf '# The kiosk: no magic SysRq keys from its keyboard.\nkernel.sysrq = 0\n' > "$R/etc/sysctl.d/90-learning-kiosk.conf"

# 7. The USB printer's udev rule (mode 0660, group kiosk), when its id is known.
if [ -n "$USB" ]; then
    vid=${USB%%:*}; pid=${USB##*:}
    sed "s/@VID@/$vid/g; s/@PID@/$pid/g" "$DEPLOY/70-learning-kiosk-printer.rules" \
        > "$R/etc/udev/rules.d/70-learning-kiosk-printer.rules"
    say "udev rule for the USB printer $USB written"
fi

# 8. Start, on a real system. daemon-reload also reads system.conf.d (the ctrl+alt+del burst).
if [ "$START" = yes ]; then
    systemctl daemon-reload
    systemctl restart systemd-logind.service || true
    sysctl -q -p /etc/sysctl.d/90-learning-kiosk.conf || true
    if [ -n "$USB" ]; then
        udevadm control --reload && udevadm trigger --subsystem-match=usb --subsystem-match=usbmisc || true
    fi
    systemctl enable learning-kiosk.service learning-kiosk-backup.timer
    systemctl restart learning-kiosk.service
    systemctl try-restart learning-kiosk-serve.service
    systemctl start learning-kiosk-backup.timer
    say "started on tty1; 'systemctl status learning-kiosk' shows it, 'journalctl -u learning-kiosk' its log"
fi
say "done"
