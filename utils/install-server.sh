#!/bin/sh
# install-server.sh -- prepare a host to run minired as a service: the
# "minired" system user, the config file and the data and log directories
# (what Debian's redis-server package does for Redis). Run after
# `make install`. Idempotent: an existing config file is kept.
#
# Settings (environment): PREFIX (/usr/local), SYSCONFDIR ($PREFIX/etc, or
# /etc when PREFIX is /usr), LOCALSTATEDIR (/var), PORT (6379),
# MINIRED_USER (minired), DESTDIR (a staging root: nothing outside it is
# touched and no user is created; for packaging and tests).
set -eu

PREFIX=${PREFIX:-/usr/local}
if [ "$PREFIX" = /usr ]; then SYSCONFDIR=${SYSCONFDIR:-/etc}; else SYSCONFDIR=${SYSCONFDIR:-$PREFIX/etc}; fi
LOCALSTATEDIR=${LOCALSTATEDIR:-/var}
PORT=${PORT:-6379}
MINIRED_USER=${MINIRED_USER:-minired}
DESTDIR=${DESTDIR:-}

conf_dir=$SYSCONFDIR/minired
data_dir=$LOCALSTATEDIR/lib/minired
log_dir=$LOCALSTATEDIR/log/minired
example=$PREFIX/share/minired/redis.conf.example
[ -r "$DESTDIR$example" ] || example=$(dirname "$0")/../redis.conf.example
[ -r "$DESTDIR$example" ] || [ -r "$example" ] || { echo "install-server.sh: no redis.conf.example (run make install first)" >&2; exit 1; }
[ -r "$DESTDIR$example" ] && example=$DESTDIR$example

# The user: a system account without a shell or home of its own.
if [ -n "$DESTDIR" ]; then
    echo "DESTDIR set: not creating user $MINIRED_USER"
elif id "$MINIRED_USER" >/dev/null 2>&1; then
    echo "user $MINIRED_USER exists"
else
    useradd --system --user-group --no-create-home --home-dir "$data_dir" \
        --shell /usr/sbin/nologin "$MINIRED_USER"
    echo "created user $MINIRED_USER"
fi

mkdir -p "$DESTDIR$conf_dir" "$DESTDIR$data_dir" "$DESTDIR$log_dir"
chmod 750 "$DESTDIR$data_dir" "$DESTDIR$log_dir"

# The config: the commented example with this host's port, data dir, log
# file and systemd supervision; an operator's existing file is never replaced.
conf=$DESTDIR$conf_dir/minired.conf
if [ -e "$conf" ]; then
    echo "keeping existing $conf_dir/minired.conf"
else
    sed -e "s|^port .*|port $PORT|" \
        -e "s|^dir .*|dir $data_dir|" \
        -e "s|^logfile .*|logfile $log_dir/minired-server.log|" \
        -e "s|^supervised .*|supervised auto|" \
        -e "s|^daemonize .*|daemonize no|" \
        "$example" > "$conf"
    chmod 640 "$conf"
    echo "wrote $conf_dir/minired.conf"
fi

# Ownership only for a real install: under DESTDIR the user may not exist.
if [ -z "$DESTDIR" ]; then
    chown "$MINIRED_USER:$MINIRED_USER" "$data_dir" "$log_dir" "$conf_dir" "$conf"
fi
echo "done: start with 'systemctl enable --now minired' or"
echo "      $PREFIX/bin/minired-server $conf_dir/minired.conf"
