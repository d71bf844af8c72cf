#!/bin/sh
# Install (or upgrade) the learning kiosk on this computer. Safe to run again: it never
# overwrites the configuration or the data, and every step checks before it acts.
#
#   sudo deploy/install.sh [--root DIR] [--source DIR] [--printer-usb VID:PID] [--no-start]
#
#   --root DIR        install under DIR instead of / (to try it, or to prepare an image)
#   --source DIR      the learning-kiosk checkout to install (default: this script's parent)
#   --printer-usb ID  a USB printer's vendor:product id (from lsusb), for the udev rule
#   --no-start        do not enable or start the services (implied with --root)
set -eu

ROOT=/
SOURCE=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
USB=""
START=yes
PYTHON=${PYTHON:-python3}

while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=$2; START=no; shift 2 ;;
        --source) SOURCE=$2; shift 2 ;;
        --printer-usb) USB=$2; shift 2 ;;
        --no-start) START=no; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$USB" in
    ""|[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]:[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) ;;
    *) echo "install.sh: --printer-usb wants VID:PID as lsusb shows it, e.g. 04b8:0202" >&2; exit 2 ;;
esac

R=${ROOT%/}
DEPLOY="$SOURCE/deploy"
APP="$R/opt/learning-kiosk"
DATA="$R/var/lib/learning-kiosk"
BACKUPS="$R/var/backups/learning-kiosk"
ETC="$R/etc/learning-kiosk"
UNITS="$R/etc/systemd/system"

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
elif [ "$ROOT" != / ]; then
    # Preparing a folder as a normal user (e.g. an image): the same entries, written directly.
    has_group kiosk || echo "kiosk:x:999:" >> "$R/etc/group"
    has_user kiosk || echo "kiosk:x:999:999:learning kiosk:/var/lib/learning-kiosk:/usr/sbin/nologin" >> "$R/etc/passwd"
else
    echo "install.sh: run it as root (sudo), or with --root DIR to prepare a folder" >&2
    exit 1
fi

# 2. Folders: the data and the backups belong to the kiosk user only.
install -d -m 0755 "$APP" "$ETC"
install -d -m 0750 "$DATA" "$BACKUPS"
if [ "$(id -u)" = 0 ]; then
    chown -R "$(grep '^kiosk:' "$R/etc/passwd" | cut -d: -f3):$(grep '^kiosk:' "$R/etc/group" | cut -d: -f3)" \
        "$DATA" "$BACKUPS"
fi

# 3. The program, in its own virtual environment (an upgrade reinstalls it; the data stays).
if [ ! -x "$APP/venv/bin/python" ]; then
    "$PYTHON" -m venv "$APP/venv"
    say "virtual environment created in /opt/learning-kiosk/venv"
fi
"$APP/venv/bin/python" -m pip install --quiet --upgrade pip
"$APP/venv/bin/python" -m pip install --quiet --upgrade "$SOURCE"
"$APP/venv/bin/python" -m compileall -q "$APP/venv/lib" >/dev/null 2>&1 || true
cp "$SOURCE/README.md" "$APP/README.md"
say "program installed: $("$APP/venv/bin/kiosk" --help >/dev/null && echo ok)"

# 4. The configuration: written once, then it is the admin's (never overwritten).
if [ ! -f "$ETC/kiosk.toml" ]; then
    sed 's|^dir = ""|dir = "/var/backups/learning-kiosk"|' "$DEPLOY/kiosk.example.toml" > "$ETC/kiosk.toml"
    chmod 0644 "$ETC/kiosk.toml"
    say "configuration written to /etc/learning-kiosk/kiosk.toml (edit it, then restart the service)"
else
    say "configuration kept: /etc/learning-kiosk/kiosk.toml"
fi

# 5. Services: the kiosk on tty1, the daily backup, the optional record page; tty1 and the
#    other consoles without login prompts; ctrl+alt+del and SysRq do nothing.
install -d -m 0755 "$UNITS" "$UNITS/getty@tty1.service.d" "$UNITS/autovt@tty1.service.d" \
    "$R/etc/systemd/logind.conf.d" "$R/etc/sysctl.d" "$R/etc/udev/rules.d"
for unit in learning-kiosk.service learning-kiosk-serve.service learning-kiosk-backup.service \
        learning-kiosk-backup.timer; do
    install -m 0644 "$DEPLOY/systemd/$unit" "$UNITS/$unit"
done
install -m 0644 "$DEPLOY/systemd/getty-tty1-override.conf" "$UNITS/getty@tty1.service.d/learning-kiosk.conf"
install -m 0644 "$DEPLOY/systemd/getty-tty1-override.conf" "$UNITS/autovt@tty1.service.d/learning-kiosk.conf"
install -m 0644 "$DEPLOY/systemd/logind-kiosk.conf" "$R/etc/systemd/logind.conf.d/learning-kiosk.conf"
ln -sfn /dev/null "$UNITS/ctrl-alt-del.target"
printf '# The kiosk: no magic SysRq keys from its keyboard.\nkernel.sysrq = 0\n' > "$R/etc/sysctl.d/90-learning-kiosk.conf"

# 6. The USB printer's udev rule (mode 0660, group kiosk), when its id is known.
if [ -n "$USB" ]; then
    vid=${USB%%:*}; pid=${USB##*:}
    sed "s/@VID@/$vid/g; s/@PID@/$pid/g" "$DEPLOY/70-learning-kiosk-printer.rules" \
        > "$R/etc/udev/rules.d/70-learning-kiosk-printer.rules"
    say "udev rule for the USB printer $USB written"
fi

# 7. Start, on a real system.
if [ "$START" = yes ]; then
    systemctl daemon-reload
    systemctl restart systemd-logind.service || true
    sysctl -q -p /etc/sysctl.d/90-learning-kiosk.conf || true
    if [ -n "$USB" ]; then udevadm control --reload && udevadm trigger --subsystem-match=usb; fi
    systemctl enable learning-kiosk.service learning-kiosk-backup.timer
    systemctl restart learning-kiosk.service
    systemctl start learning-kiosk-backup.timer
    say "started on tty1; 'systemctl status learning-kiosk' shows it, 'journalctl -u learning-kiosk' its log"
fi
say "done"
