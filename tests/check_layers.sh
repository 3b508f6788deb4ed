#!/bin/sh
# check_layers.sh -- fails when a library file (L0-L2: the libminibase
# archive) includes a server header.
#
#   sh tests/check_layers.sh SRC_DIR lib1.c lib2.c ...
#
# A library file (each .c given, and the .h of the same name) may include
# system headers and the headers of other library files only; server.h or
# any other server header breaks the layering ARCHITECTURE.md describes
# (a library must build and be unit-tested without the server). Prints
# each offending line and exits 1; prints one summary line and exits 0
# otherwise.
set -u
src=$1
shift
allowed=" ae_backend.h "
for f in "$@"; do
    allowed="$allowed${f%.c}.h "
done
bad=0
checked=0
for f in "$@"; do
    for file in "$src/$f" "$src/${f%.c}.h"; do
        [ -f "$file" ] || continue
        checked=$((checked + 1))
        # Every quoted include: only library headers may appear.
        for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file"); do
            case "$allowed" in
            *" $inc "*) ;;
            *)
                echo "layer check: $file includes \"$inc\", a server header (library files may include only library headers)"
                bad=1
                ;;
            esac
        done
    done
done
if [ "$bad" -ne 0 ]; then
    exit 1
fi
echo "layer check: $checked library files include no server header"
