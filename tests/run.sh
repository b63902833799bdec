#!/bin/sh
# tests/run.sh unit|e2e|all: runs the suites (unit includes tests/conf:
# units, man pages) and ends with one line
# "N passed, N failed, N skipped".  Unit binaries report per check; the
# corpus replays count one each; e2e scripts report "ok N - name" /
# "not ok N - name" lines (kselftest style; exit 4 means skipped).

mode=${1:-all}
O=objs
passed=0; failed=0; skipped=0
log_dir=$O/test-logs
mkdir -p "$log_dir"

count_unit() {
    for t in $O/unit/test_*; do
        [ -x "$t" ] || continue
        name=${t##*/}
        out=$log_dir/$name.log
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            timeout 300 "$t" > "$out" 2>&1
        rc=$?
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
        p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
        f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
        p=${p:-0}; f=${f:-0}
        if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
        passed=$((passed + p)); failed=$((failed + f))
        if [ "$f" = 0 ]; then
            echo "unit  $name: $p passed"
        else
            echo "unit  $name: $p passed, $f FAILED (exit $rc)"
            grep -E '^FAIL|ERROR|runtime error' "$out" | head -n 20
        fi
    done
}

count_replay() {
    for t in $O/replay/fuzz_*; do
        [ -x "$t" ] || continue
        name=${t##*/fuzz_}
        out=$log_dir/replay_$name.log
        if timeout 300 "$t" tests/fuzz/corpus/$name > "$out" 2>&1; then
            passed=$((passed + 1))
            echo "fuzz  $name corpus: $(tail -n 1 "$out")"
        else
            failed=$((failed + 1))
            echo "fuzz  $name corpus: FAILED"
            tail -n 20 "$out"
        fi
    done
}

# count_scripts TAG DIR TIMEOUT_S: runs each DIR/t_*.sh, which prints
# "ok N - name" / "not ok N - name" lines (kselftest style) and exits 4
# when skipped; a failing script's last lines are shown.
count_scripts() {
    for t in "$2"/t_*.sh; do
        [ -f "$t" ] || continue
        name=$(basename "$t" .sh)
        out=$log_dir/$name.log
        timeout -k 10 "$3" sh "$t" > "$out" 2>&1
        rc=$?
        if [ $rc = 4 ]; then
            skipped=$((skipped + 1))
            echo "$1 $name: skipped ($(grep -m1 -i skip "$out"))"
            continue
        fi
        p=$(grep -c '^ok ' "$out")
        f=$(grep -c '^not ok ' "$out")
        if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
        passed=$((passed + p)); failed=$((failed + f))
        grep -E '^(ok|not ok) ' "$out" | sed "s/^/$1 $name: /"
        if [ "$f" != 0 ]; then
            echo "$1 $name: exit $rc; last lines of $out:"
            tail -n 30 "$out" | sed 's/^/    /'
        fi
    done
}

# tests/e2e: network namespaces, so root only.
count_e2e() {
    if [ "$(id -u)" != 0 ]; then
        echo "e2e   skipped: needs root (network namespaces)"
        skipped=$((skipped + 1))
        return
    fi
    count_scripts "e2e  " tests/e2e 600
}

# tests/conf: no root, no network: systemd units, man pages against --help.
count_conf() {
    count_scripts "conf " tests/conf 120
}

# The layout rule of shared/STYLE.md: clang-format with the repo's
# .clang-format must have nothing to change.
count_format() {
    if ! command -v clang-format > /dev/null 2>&1; then
        echo "style clang-format: skipped (not installed)"
        skipped=$((skipped + 1))
        return
    fi
    out=$log_dir/format.log
    if clang-format --dry-run -Werror src/*/*.[ch] tests/unit/*.[ch] \
            tests/fuzz/*.c > "$out" 2>&1; then
        passed=$((passed + 1))
        echo "style clang-format: clean"
    else
        failed=$((failed + 1))
        echo "style clang-format: FAILED (run make format)"
        grep -m 10 'warning:' "$out"
    fi
}

case $mode in
    unit) count_format; count_unit; count_replay; count_conf ;;
    e2e)  count_e2e ;;
    all)  count_format; count_unit; count_replay; count_conf; count_e2e ;;
    *)    echo "usage: tests/run.sh unit|e2e|all" >&2; exit 2 ;;
esac

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
