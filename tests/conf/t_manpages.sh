#!/bin/sh
# t_manpages: every option of `tcpcopy --help` and `intercept --help` has
# an entry in docs/tcpcopy.8 / docs/intercept.8, and every option the man
# page documents is in --help (short and long forms, both directions).
# Also: man renders each page without a warning.  kselftest-style output.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
# the e2e helpers: ok, not_ok, t_done, e2e_require_daemons (nothing else
# of them runs here: no namespace, no root)
. "$TOP/tests/e2e/lib.sh"
e2e_require_daemons

# help_opts BIN: the options of BIN --help, one a line ("-x" or "--long"):
# from the lines that start with spaces then a dash, the leading
# "-x, --long" part only (arguments and prose are left out).
help_opts() {
    "$1" --help | sed -nE \
        's/^ +(-[A-Za-z0-9])?(, )?(--[a-z][a-z0-9-]*)?([ =].*)?$/\1 \3/p' |
        tr ' ' '\n' | grep -E '^-' | sort -u
}

# man_opts PAGE: the options the page documents: the line after each .TP
# that starts with a bold option, roff escapes removed.
man_opts() {
    awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' "$1" |
        sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' | sed -nE \
        's/^(-[A-Za-z0-9])?(, )?(--[a-z][a-z0-9-]*)?([ ,].*)?$/\1 \3/p' |
        tr ' ' '\n' | grep -E '^-' | sort -u
}

for d in tcpcopy intercept; do
    bin=$TOP/objs/$d
    page=$TOP/docs/$d.8
    help_opts "$bin" > "/tmp/t_man.$$.help"
    man_opts "$page" > "/tmp/t_man.$$.man"
    nh=$(wc -l < "/tmp/t_man.$$.help")
    miss=$(comm -23 "/tmp/t_man.$$.help" "/tmp/t_man.$$.man" | tr '\n' ' ')
    extra=$(comm -13 "/tmp/t_man.$$.help" "/tmp/t_man.$$.man" | tr '\n' ' ')
    if [ "$nh" -gt 4 ] && [ -z "$miss" ]; then
        ok "$d: all $nh options of --help are in $d.8"
    else
        not_ok "$d: options of --help missing from docs/$d.8: ${miss:-(none found)}"
    fi
    if [ -z "$extra" ]; then
        ok "$d: $d.8 documents no option --help lacks"
    else
        not_ok "$d: docs/$d.8 documents options not in --help: $extra"
    fi
    if command -v man > /dev/null 2>&1; then
        warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null)
        if [ -z "$warn" ]; then
            ok "$d: man renders $d.8 without warnings"
        else
            not_ok "$d: man warns on $d.8: $(echo "$warn" | head -n 3)"
        fi
    fi
done
rm -f "/tmp/t_man.$$.help" "/tmp/t_man.$$.man"

t_done
