# tests/e2e/lib.sh: shared helpers for the end-to-end test bed, the demo
# and the benchmark.  Sourced (POSIX sh) by a script that first sets TOP to
# the repository root:
#
#     TOP=$(cd "$(dirname "$0")/../.." && pwd)
#     . "$TOP/tests/e2e/lib.sh"
#     trap cleanup EXIT INT TERM
#     e2e_require nginx curl
#     topo_up
#
# Topology (all inside 10.77.0.0/16, one set of namespaces per run, named
# after this shell's pid so parallel runs do not collide):
#
#   cli-$S 10.77.1.2 --- 10.77.1.1 onl-$S 10.77.2.1 --- 10.77.2.2 tgt-$S
#  cli2-$S 10.77.3.2 --- 10.77.3.1 onl2-$S 10.77.4.1 --- 10.77.4.2 tgt-$S
#                                                     (second pair: "two")
#
# Clients route everything via their online host; online hosts never
# forward (ip_forward=0), so a reply of the target can only reach a client
# if something is badly wrong.  Every process started here is recorded and
# killed by cleanup; the namespaces and the per-run temp dir ($W) go too
# (the temp dir stays if KEEP=1).

TOP=${TOP:-$(pwd)}
# Sorted lists are compared with comm/cmp: one collation for all of them.
LC_ALL=C
export LC_ALL
TCPCOPY=${TCPCOPY:-$TOP/objs/tcpcopy}
INTERCEPT=${INTERCEPT:-$TOP/objs/intercept}
# Extra options for the daemons, e.g. TCPCOPY_ARGS="--with-debug-thing".
TCPCOPY_ARGS=${TCPCOPY_ARGS:-}
INTERCEPT_ARGS=${INTERCEPT_ARGS:-}
CTL_PORT=${CTL_PORT:-36524}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

S=$$
NS_CLI=cli-$S
NS_ONL=onl-$S
NS_TGT=tgt-$S
NS_CLI2=cli2-$S
NS_ONL2=onl2-$S
NS_AST=ast-$S
NS_AST2=ast2-$S
NS_SW=sw-$S

CLI_IP=10.77.1.2
ONL_IP=10.77.1.1
ONL_TGT_IP=10.77.2.1
TGT_IP=10.77.2.2
CLI2_IP=10.77.3.2
ONL2_IP=10.77.3.1
ONL2_TGT_IP=10.77.4.1
TGT2_IP=10.77.4.2
# advanced architecture (topo_up_assist): one L2 segment
AST_IP=10.77.2.3
AST2_IP=10.77.2.4

T_NUM=0
T_FAILED=0
T_DONE=0
E2E_NSES=
E2E_PIDS=
E2E_NGINX=
E2E_REDIS=
W=


# ---------------------------------------------------------------- output

# log MSG...: a comment line in the test output (TAP "# ").
log() {
    echo "# $*"
}

# ok DESC / not_ok DESC: one kselftest result line each.
ok() {
    T_NUM=$((T_NUM + 1))
    echo "ok $T_NUM - $*"
}

not_ok() {
    T_NUM=$((T_NUM + 1))
    T_FAILED=$((T_FAILED + 1))
    echo "not ok $T_NUM - $*"
}

# check DESC CMD...: runs CMD; ok if it succeeds, not ok otherwise.
check() {
    _desc=$1
    shift
    if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}

# t_skip REASON: the whole script is skipped (exit 4, run.sh counts it).
t_skip() {
    echo "SKIP: $*"
    T_DONE=1
    exit 4
}

# t_done: prints the plan and exits 0 if every result was ok, else 1.
t_done() {
    echo "1..$T_NUM"
    T_DONE=1
    if [ "$T_FAILED" -eq 0 ]; then
        echo "# all $T_NUM ok"
        exit 0
    fi
    echo "# $T_FAILED of $T_NUM failed"
    exit 1
}

# bail DESC: a fatal failure: counted as not ok, then the script ends
# (cleanup still runs).  Used when later checks would be meaningless.
bail() {
    not_ok "$*"
    echo "Bail out! $*"
    t_done
}


# ---------------------------------------------------------------- setup

# e2e_require TOOL...: skips the script unless root and every tool exists.
e2e_require() {
    if [ "$(id -u)" != 0 ]; then
        t_skip "needs root (network namespaces, iptables)"
    fi
    _missing=
    for _t in ip iptables ss timeout "$@"; do
        command -v "$_t" > /dev/null 2>&1 || _missing="$_missing $_t"
    done
    if [ -n "$_missing" ]; then
        t_skip "missing tools:$_missing (run: sh auto/deps)"
    fi
    # mktemp -d is private to root; nginx workers run as root too (conf).
    W=$(mktemp -d "${TMPDIR:-/tmp}/tc-e2e.XXXXXX") || t_skip "mktemp failed"
    export W
    log "work dir $W (namespaces *-$S)"
}

# e2e_require_daemons: skips unless both binaries were built.
e2e_require_daemons() {
    for _b in "$TCPCOPY" "$INTERCEPT"; do
        [ -x "$_b" ] || t_skip "$_b not built (run: ./configure && make)"
    done
}

# nsx NS CMD...: runs CMD inside namespace NS.
nsx() {
    _ns=$1
    shift
    ip netns exec "$_ns" "$@"
}

# now_s: wall clock as seconds with fraction (same clock as nginx $msec).
now_s() {
    date +%s.%N | cut -c1-14
}

# wait_until TIMEOUT_S CMD...: polls CMD every 0.1 s until it succeeds
# (return 0) or TIMEOUT_S seconds have passed (return 1).
wait_until() {
    _limit=$(( $1 * 10 ))
    shift
    _i=0
    while [ "$_i" -lt "$_limit" ]; do
        "$@" && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    "$@"
}

_ns_add() {
    ip netns add "$1" || return 1
    E2E_NSES="$E2E_NSES $1"
    ip -n "$1" link set lo up
}

_offload_off() {
    # Offloads stay on by default: real NICs do GRO/TSO too, so the capture
    # sees merged 64 KB segments and the target sends TSO replies; tcpcopy
    # must cope.  E2E_OFFLOAD=off turns them off, to tell the cases apart.
    [ "${E2E_OFFLOAD:-on}" = off ] || return 0
    command -v ethtool > /dev/null 2>&1 || return 0
    nsx "$1" ethtool -K "$2" tso off gso off gro off tx off rx off \
        > /dev/null 2>&1 || true
}

# _link NS1 IF1 IP1 NS2 IF2 IP2: one veth pair, /24 addresses, up.
_link() {
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" ||
        return 1
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$4" addr add "$6/24" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
    _offload_off "$1" "$2"
    _offload_off "$4" "$5"
}

_sysctl_host() {
    # rp_filter off everywhere: tcpcopy sends from the client's address,
    # which is not the online host's own.  Effective value is max(all, if).
    _ns=$1
    _fwd=$2
    nsx "$_ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
        net.ipv4.conf.default.rp_filter=0 "net.ipv4.ip_forward=$_fwd" \
        net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
    for _if in $(ip -n "$_ns" -o link show | awk -F': ' '{print $2}' \
                 | sed 's/@.*//'); do
        nsx "$_ns" sysctl -qw "net.ipv4.conf.$_if.rp_filter=0"
    done
}

# _sw_port NS IP/LEN...: plugs NS into the switch namespace's bridge
# (eth0 in NS, port "p-NS" there) with the given addresses, up.
_sw_port() {
    _ns=$1
    _port=p$(echo "$_ns" | cut -d- -f1)
    shift
    ip link add eth0 netns "$_ns" type veth peer name "$_port" \
        netns "$NS_SW" || return 1
    for _a in "$@"; do
        ip -n "$_ns" addr add "$_a" dev eth0 || return 1
    done
    ip -n "$NS_SW" link set "$_port" master br0 up || return 1
    ip -n "$_ns" link set eth0 up
    _offload_off "$_ns" eth0
}

# topo_up_assist [two]: the advanced architecture, every host on one L2
# segment (bridge br0 in namespace sw-$S):
#   cli-$S  10.77.1.2           default via online 10.77.1.1
#   onl-$S  10.77.1.1 10.77.2.1 tcpcopy -s ASSISTANT
#   tgt-$S  10.77.2.2           route 10.77.1.0/24 via assistant 10.77.2.3
#   ast-$S  10.77.2.3 10.77.1.3 ip_forward=0: captures and drops replies
# The assistant also sits on the client network, so replies it forwarded
# by mistake would reach the client.  With "two" a second assistant
# ast2-$S 10.77.2.4 (10.77.1.4) takes the replies to 10.77.1.128/25.
topo_up_assist() {
    _ns_add "$NS_SW" && _ns_add "$NS_CLI" && _ns_add "$NS_ONL" &&
        _ns_add "$NS_TGT" && _ns_add "$NS_AST" || return 1
    ip -n "$NS_SW" link add br0 type bridge || return 1
    ip -n "$NS_SW" link set br0 up || return 1
    _sw_port "$NS_CLI" "$CLI_IP/24" || return 1
    _sw_port "$NS_ONL" "$ONL_IP/24" "$ONL_TGT_IP/24" || return 1
    _sw_port "$NS_TGT" "$TGT_IP/24" || return 1
    _sw_port "$NS_AST" "$AST_IP/24" 10.77.1.3/24 || return 1
    ip -n "$NS_CLI" route add default via "$ONL_IP" || return 1
    if [ "${1:-}" = two ]; then
        _ns_add "$NS_AST2" || return 1
        _sw_port "$NS_AST2" "$AST2_IP/24" 10.77.1.4/24 || return 1
        ip -n "$NS_TGT" route add 10.77.1.0/25 via "$AST_IP" || return 1
        ip -n "$NS_TGT" route add 10.77.1.128/25 via "$AST2_IP" || return 1
        _sysctl_host "$NS_AST2" 0
    else
        ip -n "$NS_TGT" route add 10.77.1.0/24 via "$AST_IP" || return 1
    fi
    for _ns in "$NS_ONL" "$NS_TGT" "$NS_CLI" "$NS_AST"; do
        _sysctl_host "$_ns" 0
    done
    nsx "$NS_CLI" ping -c 1 -W 2 "$ONL_IP" > /dev/null 2>&1 || true
    return 0
}

# from_target_count NS: TCP packets from the target that reached NS's IP
# layer (a rule set up by count_from_target NS); must stay 0 at a client.
count_from_target() {
    nsx "$1" iptables -t raw -I PREROUTING -p tcp -s "$TGT_IP" -j ACCEPT
}

from_target_count() {
    nsx "$1" iptables -t raw -nvxL PREROUTING |
        awk -v s="$TGT_IP" '$8 == s { n += $1 } END { print n + 0 }'
}

# assert_no_leak: ok if no packet of the target reached the client (the
# count of count_from_target "$NS_CLI" is still 0).
assert_no_leak() {
    _leaked=$(from_target_count "$NS_CLI")
    check "no packet of the target reached the client ($_leaked)" \
        [ "$_leaked" = 0 ]
}

# intercept_pcap_start NAME NS FILTER [ARGS...]: intercept with the
# libpcap input (-i eth0 -F FILTER) on an assistant; waits until it
# listens.  Sets INTERCEPT_PID.
intercept_pcap_start() {
    _ip=$1
    _ip_ns=$2
    _ip_f=$3
    shift 3
    intercept_start "$_ip" "$_ip_ns" -i eth0 -F "$_ip_f" "$@"
}

# topo_up [two]: builds client, online and target namespaces (and with
# "two" a second client and online host wired to the same target).
topo_up() {
    _ns_add "$NS_CLI" && _ns_add "$NS_ONL" && _ns_add "$NS_TGT" || return 1
    _link "$NS_CLI" eth0 "$CLI_IP" "$NS_ONL" cli0 "$ONL_IP" || return 1
    _link "$NS_ONL" tgt0 "$ONL_TGT_IP" "$NS_TGT" onl0 "$TGT_IP" || return 1
    ip -n "$NS_CLI" route add default via "$ONL_IP" || return 1
    ip -n "$NS_TGT" route add 10.77.1.0/24 via "$ONL_TGT_IP" || return 1
    if [ "${1:-}" = two ]; then
        _ns_add "$NS_CLI2" && _ns_add "$NS_ONL2" || return 1
        _link "$NS_CLI2" eth0 "$CLI2_IP" "$NS_ONL2" cli0 "$ONL2_IP" ||
            return 1
        _link "$NS_ONL2" tgt0 "$ONL2_TGT_IP" "$NS_TGT" onl20 "$TGT2_IP" ||
            return 1
        ip -n "$NS_CLI2" route add default via "$ONL2_IP" || return 1
        ip -n "$NS_TGT" route add 10.77.3.0/24 via "$ONL2_TGT_IP" ||
            return 1
        _sysctl_host "$NS_ONL2" 0
        _sysctl_host "$NS_CLI2" 0
    fi
    _sysctl_host "$NS_ONL" 0
    _sysctl_host "$NS_TGT" 0
    _sysctl_host "$NS_CLI" 0
    nsx "$NS_CLI" ping -c 1 -W 2 "$ONL_IP" > /dev/null 2>&1 || true
    return 0
}


# ---------------------------------------------------------------- processes

# proc_alive PID: true if PID runs and is not a zombie.
proc_alive() {
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    _st=$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1)
    [ -n "$_st" ] && [ "$_st" != Z ]
}

_proc_gone() {
    ! proc_alive "$1"
}

# proc_stop PID [SIG] [TIMEOUT_S]: sends SIG (TERM), waits up to TIMEOUT_S
# (5) for the process to end, then KILLs it.  Returns 0 if it ended by
# itself.
proc_stop() {
    _pid=$1
    proc_alive "$_pid" || return 0
    kill "-${2:-TERM}" "$_pid" 2> /dev/null
    if wait_until "${3:-5}" _proc_gone "$_pid"; then
        return 0
    fi
    kill -KILL "$_pid" 2> /dev/null
    wait_until 2 _proc_gone "$_pid"
    return 1
}

# e2e_bg NS LOG CMD...: starts CMD in the background inside NS with stdout
# and stderr to LOG; sets BG_PID (ip netns exec execs, so it is CMD's pid)
# and records it for cleanup.
e2e_bg() {
    _ns=$1
    _log=$2
    shift 2
    ip netns exec "$_ns" "$@" > "$_log" 2>&1 &
    BG_PID=$!
    E2E_PIDS="$E2E_PIDS $BG_PID"
}

# port_listens NS PORT: a TCP socket listens on PORT inside NS.
port_listens() {
    nsx "$1" ss -Hltn "sport = :$2" 2> /dev/null | grep -q .
}

# conn_count NS FILTER: number of established TCP sockets matching an ss
# filter, e.g. "dport = :36524".
conn_count() {
    nsx "$1" ss -Htn state established "$2" 2> /dev/null | wc -l
}

_has_conn() {
    [ "$(conn_count "$1" "$2")" -gt 0 ]
}


# ---------------------------------------------------------------- nginx

# nginx_start NS NAME: starts an nginx (1 worker, daemon) in NS listening on
# port 80 of every address there, files in $W/NAME.  The access log is
# $W/NAME/access.log, one line a request:
#     $msec|$remote_addr:$remote_port|$status|$request_length|$request
# GET (any URI) answers 200 "ok".  /post/* reads the whole body (up to
# 2 MB) by proxying it to a local sink, then answers 200, so a request
# logged 200 with the right $request_length really arrived complete.
nginx_start() {
    _ns=$1
    _d=$W/$2
    mkdir -p "$_d/tmp"
    if [ ! -f "$_d/nginx.conf" ]; then
        _nginx_conf "$_d" > "$_d/nginx.conf"
    fi
    nsx "$_ns" nginx -q -c "$_d/nginx.conf" -p "$_d" -e "$_d/error.log" ||
        return 1
    E2E_NGINX="$E2E_NGINX $_d"
    wait_until 5 test -s "$_d/nginx.pid" &&
        wait_until 5 port_listens "$_ns" 80
}

_nginx_conf() {
    cat << EOF
user root;
worker_processes 1;
daemon on;
pid $1/nginx.pid;
error_log $1/error.log warn;
worker_rlimit_nofile 65536;
events {
    worker_connections 30000;
}
http {
    client_body_temp_path $1/tmp/body;
    proxy_temp_path $1/tmp/proxy;
    fastcgi_temp_path $1/tmp/fastcgi;
    uwsgi_temp_path $1/tmp/uwsgi;
    scgi_temp_path $1/tmp/scgi;
    log_format e2e '\$msec|\$remote_addr:\$remote_port|\$status|\$request_length|\$request';
    keepalive_timeout ${NGINX_KEEPALIVE:-300s};
    keepalive_requests 1000000;
    client_max_body_size 2m;
    client_body_buffer_size 2m;
    server {
        listen 80 backlog=65535;
        access_log $1/access.log e2e;
        location / {
            return 200 "ok\n";
        }
        location /post/ {
            proxy_pass http://127.0.0.1:8079/sink;
            proxy_request_buffering on;
        }
    }
    server {
        listen 127.0.0.1:8079;
        access_log $1/sink.log e2e;
        location / {
            return 200 "ok\n";
        }
    }
}
EOF
}

# nginx_pid NAME: the master's pid.
nginx_pid() {
    cat "$W/$1/nginx.pid" 2> /dev/null
}

# nginx_stop NAME: stops that nginx (fast shutdown) and waits for it.
nginx_stop() {
    _p=$(nginx_pid "$1")
    [ -n "$_p" ] || return 0
    proc_stop "$_p" TERM 5
    rm -f "$W/$1/nginx.pid"
}

# access_count NAME: lines in that nginx's access log.
access_count() {
    if [ -f "$W/$1/access.log" ]; then
        wc -l < "$W/$1/access.log"
    else
        echo 0
    fi
}

# requests NAME [MIN_MSEC [MAX_MSEC]]: sorted "$request" of every logged
# request (with MIN_MSEC < $msec <= MAX_MSEC if given).
requests() {
    [ -f "$W/$1/access.log" ] || return 0
    awk -F'|' -v min="${2:-0}" -v max="${3:-9999999999}" \
        '$1 > min && $1 <= max {
        r = $5; for (i = 6; i <= NF; i++) r = r "|" $i; print r }' \
        "$W/$1/access.log" | sort
}

# wait_count TIMEOUT_S QUIET_S WANT FUNC ARGS...: polls "FUNC ARGS" (which
# prints a number) until it reaches WANT (return 0), or has not changed for
# QUIET_S seconds, or TIMEOUT_S passed (return 1).  So a replay that stalls
# fails after QUIET_S instead of the whole TIMEOUT_S.
wait_count() {
    _limit=$(( $1 * 10 ))
    _quiet=$(( $2 * 10 ))
    _want=$3
    shift 3
    _i=0
    _last=-1
    _still=0
    while [ "$_i" -lt "$_limit" ]; do
        _n=$("$@")
        _n=${_n:-0}
        [ "$_n" -ge "$_want" ] && return 0
        if [ "$_n" = "$_last" ]; then
            _still=$((_still + 1))
            [ "$_still" -ge "$_quiet" ] && return 1
        else
            _still=0
            _last=$_n
        fi
        sleep 0.1
        _i=$((_i + 1))
    done
    return 1
}

# wait_access NAME N TIMEOUT_S [QUIET_S]: waits until NAME's access log has
# N lines (see wait_count).
wait_access() {
    wait_count "$3" "${4:-$3}" "$2" access_count "$1"
}

# access_settle NAME [N]: waits until NAME's access log has N lines, or
# (without N) has not grown for 1 s.  nginx writes the log line after the
# response went out, so a client can be done before the line is written.
access_settle() {
    wait_count 10 1 "${2:-999999999}" access_count "$1"
    return 0
}

# assert_same_requests ONLINE TARGET DESC: ok if the sorted request lists
# of the two nginx logs are identical (and not empty).  Prints the counts.
assert_same_requests() {
    requests "$1" > "$W/cmp.$1"
    requests "$2" > "$W/cmp.$2"
    _a=$(wc -l < "$W/cmp.$1")
    _b=$(wc -l < "$W/cmp.$2")
    log "requests: online($1) $_a, target($2) $_b"
    if [ "$_a" -gt 0 ] && cmp -s "$W/cmp.$1" "$W/cmp.$2"; then
        ok "$3 (online $_a, target $_b)"
        return 0
    fi
    log "diff online target (first 20 lines):"
    diff "$W/cmp.$1" "$W/cmp.$2" | head -n 20 | sed 's/^/#   /'
    not_ok "$3 (online $_a, target $_b)"
    return 1
}

# assert_subset LIST_A LIST_B DESC: ok if every line of sorted file A is in
# sorted file B.  Prints how many are missing.
assert_subset() {
    _n=$(wc -l < "$1")
    _miss=$(comm -23 "$1" "$2" | wc -l)
    if [ "$_n" -gt 0 ] && [ "$_miss" -eq 0 ]; then
        ok "$3 ($_n of $_n)"
        return 0
    fi
    comm -23 "$1" "$2" | head -n 10 | sed 's/^/#   missing: /'
    not_ok "$3 ($((_n - _miss)) of $_n, $_miss missing)"
    return 1
}

# post_lines NAME: "$status|$request_length|$request" of POST requests.
post_lines() {
    [ -f "$W/$1/access.log" ] || return 0
    awk -F'|' '$5 ~ /^POST / { print $3 "|" $4 "|" $5 }' \
        "$W/$1/access.log" | sort
}

# gets N TAG: N GETs from the client to the online nginx, one connection
# each, URIs /TAG/$S/1..N; prints how many were answered 200.
gets() {
    _good=0
    for _i in $(seq 1 "$1"); do
        _c=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' \
             --max-time 5 "http://$ONL_IP/$2/$S/$_i")
        [ "$_c" = 200 ] && _good=$((_good + 1))
    done
    echo "$_good"
}

# check_gets N TAG: gets N TAG; ok if all N were answered 200.
check_gets() {
    _cg=$(gets "$1" "$2")
    check "$1 GETs answered online ($_cg)" [ "$_cg" = "$1" ]
}

# check_post_1mb NAME: one POST of 1 MB of random bytes from the client to
# the online nginx's /post/NAME (read whole by nginx, see nginx_start); ok
# if answered 200.  assert_same_posts then compares what the target got.
check_post_1mb() {
    head -c 1048576 /dev/urandom > "$W/body.bin"
    _cp=$(nsx "$NS_CLI" curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
          -H 'Content-Type: application/octet-stream' \
          --data-binary @"$W/body.bin" "http://$ONL_IP/post/$1")
    check "1 MB POST answered online (status $_cp)" [ "$_cp" = 200 ]
}

# assert_same_posts DESC: the POSTs nginx logged on the target have the
# same status and $request_length as online, and one is a 200 of ~1 MB
# (a POST cut short would be logged shorter, or 400).
assert_same_posts() {
    post_lines onl > "$W/post.onl"
    post_lines tgt > "$W/post.tgt"
    log "POST online: $(cat "$W/post.onl")"
    log "POST target: $(cat "$W/post.tgt")"
    check "$1" sh -c "grep -q '^200|10[0-9]*|POST' '$W/post.tgt' &&
                      cmp -s '$W/post.onl' '$W/post.tgt'"
}

# wrk_replayed TGT URI_PREFIX DELAY_MS DESC [WRK_OPTS]: 3 s of wrk from the
# client to the online nginx, keep-alive (-c 8 -t 2, or as WRK_OPTS say,
# named in the check), unique URIs URI_PREFIX<thread>/<n>, each connection
# waiting DELAY_MS before each request (0: full speed).  Checks that wrk
# ran and the online nginx logged more than 100 requests, waits for nginx
# TGT to log as many, then asserts both logged the same requests (DESC).
# Sets WRK_N to the online count.
wrk_replayed() {
    _wr_opts=${5:-}
    wrk_lua "$W/uniq.lua" "$2" "$3"
    # shellcheck disable=SC2086 # WRK_OPTS are words
    nsx "$NS_CLI" timeout 30 wrk -c 8 -t 2 -d 3s --timeout 2s $_wr_opts \
        -s "$W/uniq.lua" "http://$ONL_IP/" > "$W/wrk.out" 2>&1
    _wr_rc=$?
    grep -E 'Requests/sec|requests in' "$W/wrk.out" | sed 's/^/#   /'
    access_settle onl
    WRK_N=$(access_count onl)
    _wr_d="wrk${_wr_opts:+ $_wr_opts} ran"
    check "$_wr_d (exit $_wr_rc, online logged $WRK_N requests)" \
        [ "$_wr_rc" = 0 -a "$WRK_N" -gt 100 ]
    wait_access "$1" "$WRK_N" 60 10
    assert_same_requests onl "$1" "$4"
}


# ---------------------------------------------------------------- redis

# redis_start NS NAME: redis-server on port 6379 of every address in NS,
# files (and a unix socket for our own queries) in $W/NAME.  Queries go
# through the unix socket so they are never seen by tcpcopy.
redis_start() {
    _d=$W/$2
    mkdir -p "$_d"
    nsx "$1" redis-server --port 6379 --bind 0.0.0.0 --protected-mode no \
        --save '' --appendonly no --daemonize yes \
        --pidfile "$_d/redis.pid" --logfile "$_d/redis.log" --dir "$_d" \
        --unixsocket "$_d/redis.sock" --unixsocketperm 700 \
        --maxclients 20000 || return 1
    E2E_REDIS="$E2E_REDIS $_d"
    wait_until 5 test -S "$_d/redis.sock" &&
        wait_until 5 port_listens "$1" 6379
}

# rcli NAME ARGS...: redis-cli on NAME's unix socket (no TCP involved).
rcli() {
    _n=$1
    shift
    redis-cli -s "$W/$_n/redis.sock" "$@" | tr -d '\r'
}

# redis_calls NAME CMD: the "calls" figure of INFO commandstats for CMD.
redis_calls() {
    _v=$(rcli "$1" INFO commandstats |
         sed -n "s/^cmdstat_$2:calls=\([0-9]*\),.*/\1/p")
    echo "${_v:-0}"
}

# redis_reset NAME: empties the database and the command statistics.
redis_reset() {
    rcli "$1" FLUSHALL > /dev/null && rcli "$1" CONFIG RESETSTAT > /dev/null
}

# wait_redis ONLINE TARGET CMD TIMEOUT_S [QUIET_S]: waits until TARGET
# counted as many CMD calls as ONLINE (see wait_count).
wait_redis() {
    wait_count "$4" "${5:-10}" "$(redis_calls "$1" "$3")" \
        redis_calls "$2" "$3"
}

# assert_same_redis ONLINE TARGET CMD DESC: CMD calls and DBSIZE equal.
assert_same_redis() {
    _ca=$(redis_calls "$1" "$3")
    _cb=$(redis_calls "$2" "$3")
    _da=$(rcli "$1" DBSIZE)
    _db=$(rcli "$2" DBSIZE)
    log "redis $3 calls: online $_ca, target $_cb; DBSIZE online $_da, target $_db"
    if [ "$_ca" -gt 0 ] && [ "$_ca" = "$_cb" ] && [ "$_da" = "$_db" ]; then
        ok "$4 ($3 calls online $_ca, target $_cb; dbsize $_da = $_db)"
        return 0
    fi
    not_ok "$4 ($3 calls online $_ca, target $_cb; dbsize $_da, $_db)"
    return 1
}

# redis_bench ARGS...: redis-benchmark SETs with random keys from the
# client to the online redis (-c 10 -r 100000 unless ARGS say otherwise;
# output appended to $W/bench.out, the rate shown); returns its status.
redis_bench() {
    nsx "$NS_CLI" timeout 120 redis-benchmark -h "$ONL_IP" -p 6379 -t set \
        -r 100000 -c 10 -q "$@" >> "$W/bench.out" 2>&1
    _rb=$?
    tr '\r' '\n' < "$W/bench.out" | grep 'requests per second' |
        tail -n 1 | sed 's/^/#   /'
    return "$_rb"
}

# assert_sets_replayed DESC: waits until the target redis counted as many
# SETs as the online one, then asserts the same SET calls and DBSIZE.
assert_sets_replayed() {
    wait_redis ronl rtgt set 60
    assert_same_redis ronl rtgt set "$1"
}

# redis_bench_replayed DESC ARGS...: redis_bench ARGS (ok "redis-benchmark
# ARGS" if it succeeds), then assert_sets_replayed DESC.
redis_bench_replayed() {
    _rr=$1
    shift
    redis_bench "$@"
    _rb=$?
    if [ "$_rb" = 0 ]; then
        ok "redis-benchmark $*"
    else
        not_ok "redis-benchmark $* (exit $_rb)"
    fi
    assert_sets_replayed "$_rr"
}


# ---------------------------------------------------------------- recordings

# record_start NAME IF FILE FILTER [TCPDUMP_OPTS...]: tcpdump on the online
# host writes what IF carries (FILTER, whole packets) to FILE, log
# $W/NAME.log; returns once it listens (1 if not within 10 s).
record_start() {
    _rs=$1
    _rs_if=$2
    _rs_file=$3
    _rs_f=$4
    shift 4
    e2e_bg "$NS_ONL" "$W/$_rs.log" tcpdump -i "$_rs_if" -s 0 -U -Z root \
        "$@" -w "$_rs_file" "$_rs_f"
    RECORD_PID=$BG_PID
    wait_until 10 grep -q 'listening on' "$W/$_rs.log"
}

# record_stop NAME: once the online nginx's log settled, ends the tcpdump
# of record_start NAME.  Sets RECORD_DROPPED to the packets its kernel
# buffer dropped (empty if tcpdump did not say).
record_stop() {
    access_settle onl
    # tcpdump takes packets from the kernel once a second: the clients'
    # last FINs and ACKs reach the file within that.
    sleep 1
    proc_stop "$RECORD_PID" INT 10
    wait "$RECORD_PID" 2> /dev/null
    RECORD_DROPPED=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' \
                     "$W/$1.log")
}

# record_traffic N TAG REDIS_N: the traffic of the offline tests, from the
# client to the online host: N GETs on short connections (URIs /TAG/$S/i),
# 2 s of paced keep-alive wrk (-c 4, URIs /TAG-ka/$S/...), then
# redis-benchmark -c 5 of REDIS_N each of SET, GET, INCR, LPUSH and -c 2
# -P 8 of REDIS_N SETs; an ok line for each.
record_traffic() {
    _rt=$(gets "$1" "$2")
    check "$1 GETs on short connections answered online ($_rt)" \
        [ "$_rt" = "$1" ]
    wrk_lua "$W/uniq.lua" "/$2-ka/$S/" 5
    nsx "$NS_CLI" timeout 30 wrk -c 4 -t 2 -d 2s --timeout 2s \
        -s "$W/uniq.lua" "http://$ONL_IP/" > "$W/wrk.out" 2>&1
    check "wrk -c 4 keep-alive run (exit $?)" [ $? = 0 ]
    nsx "$NS_CLI" timeout 60 redis-benchmark -h "$ONL_IP" -p 6379 -c 5 \
        -n "$3" -r 100000 -t set,get,incr,lpush -q > "$W/bench.out" 2>&1
    check "redis-benchmark -c 5 -n $3 (exit $?)" [ $? = 0 ]
    nsx "$NS_CLI" timeout 60 redis-benchmark -h "$ONL_IP" -p 6379 -c 2 \
        -n "$3" -r 100000 -t set -P 8 -q > "$W/bench2.out" 2>&1
    check "redis-benchmark -c 2 -P 8 -n $3 (exit $?)" [ $? = 0 ]
}

# offline_replay NAME ARGS...: one tcpcopy --offline run (ARGS name the
# file) of ports 80 and 6379 to the target, -s $OFF_ICP (intercept's
# address), to its end under a 120 s timeout (exit 124: a hang); log
# $W/NAME.log, its last lines about the file shown.  Sets RC.
offline_replay() {
    _or=$1
    shift
    # shellcheck disable=SC2086
    nsx "$NS_ONL" timeout 120 "$TCPCOPY" \
        -x "80-$TGT_IP:80,6379-$TGT_IP:6379" -s "$OFF_ICP" \
        --stats-interval 1 $TCPCOPY_ARGS "$@" > "$W/$_or.log" 2>&1
    RC=$?
    grep -E 'offline|ledger \(final\)|replaying|error|warn|crit' \
        "$W/$_or.log" | tail -n 6 | cut -c1-400 | sed 's/^/#   /'
}

# target_reset: empties the target's redis and nginx access log (between
# offline replays).
target_reset() {
    redis_reset rtgt
    : > "$W/tgt/access.log"
}


# ---------------------------------------------------------------- daemons

# nfqueue_rules NS PORT...: queues the target's replies from each PORT.
nfqueue_rules() {
    _ns=$1
    shift
    for _p in "$@"; do
        nsx "$_ns" iptables -I OUTPUT -p tcp --sport "$_p" -j NFQUEUE ||
            return 1
    done
}

# intercept_start [NAME [NS [ARGS...]]]: starts intercept (options
# $INTERCEPT_ARGS and ARGS) in NS, by default the target namespace (log
# $W/NAME.log, default name "intercept") and waits until it listens on the
# control port.  Sets INTERCEPT_PID.  The NFQUEUE rules are separate.
intercept_start() {
    _name=${1:-intercept}
    _ns=${2:-$NS_TGT}
    shift $(($# < 2 ? $# : 2))
    # shellcheck disable=SC2086
    e2e_bg "$_ns" "$W/$_name.log" "$INTERCEPT" -p "$CTL_PORT" \
        --stats-interval 1 $INTERCEPT_ARGS "$@"
    INTERCEPT_PID=$BG_PID
    wait_until 10 port_listens "$_ns" "$CTL_PORT" && proc_alive "$BG_PID"
}

# tcpcopy_start NAME NS TARGET_IP PORT...: starts tcpcopy in NS replaying
# each PORT to TARGET_IP:PORT, log $W/NAME.log, and waits until its control
# connection to intercept is up and has exchanged HELLOs ("connected", the
# state its metrics call ready); with several -s intercepts or -C
# connections, until TCPCOPY_READY (1) of them are.  Sets TCPCOPY_PID.
tcpcopy_start() {
    _name=$1
    _ns=$2
    _tip=$3
    shift 3
    _x=
    for _p in "$@"; do
        _x="${_x:+$_x,}$_p-$_tip:$_p"
    done
    # shellcheck disable=SC2086
    e2e_bg "$_ns" "$W/$_name.log" "$TCPCOPY" -x "$_x" -s "${ICP_ADDR:-$_tip}" \
        --stats-interval 1 $TCPCOPY_ARGS
    TCPCOPY_PID=$BG_PID
    wait_until 10 _has_conn "$_ns" "dport = :$CTL_PORT" || return 1
    wait_until 10 _said_n "$W/$_name.log" ': connected (' \
        "${TCPCOPY_READY:-1}" || return 1
    # The capture socket is opened at start-up; give it a moment to show
    # (raw or packet socket of that pid) but do not insist on its kind.
    wait_until 3 _has_capture "$_ns" "$BG_PID" || true
    proc_alive "$BG_PID"
}

# _said_n FILE TEXT N: FILE has at least N lines holding TEXT.
_said_n() {
    [ "$(grep -cF -- "$2" "$1" 2> /dev/null)" -ge "$3" ]
}

_has_capture() {
    nsx "$1" ss -Hap -A raw,packet 2> /dev/null | grep -q "pid=$2,"
}

# show_log NAME [LINES]: the last LINES (20) lines of a daemon's log.
show_log() {
    log "---- last ${2:-20} lines of $1.log"
    tail -n "${2:-20}" "$W/$1.log" 2> /dev/null | sed 's/^/#   /'
}


# ---------------------------------------------------------------- cleanup

# cleanup: kills everything this run started, deletes its namespaces and
# (unless KEEP=1) its temp dir.  Safe to call more than once.
cleanup() {
    _rc=$?
    trap - EXIT INT TERM
    if [ "$T_DONE" != 1 ] && [ "$_rc" = 0 ]; then
        _rc=1
    fi
    for _pid in $E2E_PIDS; do
        proc_alive "$_pid" && kill -TERM "$_pid" 2> /dev/null
    done
    for _d in $E2E_NGINX; do
        _p=$(cat "$_d/nginx.pid" 2> /dev/null)
        [ -n "$_p" ] && kill -TERM "$_p" 2> /dev/null
    done
    for _d in $E2E_REDIS; do
        _p=$(cat "$_d/redis.pid" 2> /dev/null)
        [ -n "$_p" ] && kill -TERM "$_p" 2> /dev/null
    done
    for _pid in $E2E_PIDS; do
        wait_until 3 _proc_gone "$_pid" || kill -KILL "$_pid" 2> /dev/null
    done
    topo_down
    if [ -n "$W" ] && [ -d "$W" ]; then
        if [ "${KEEP:-0}" = 1 ]; then
            echo "# KEEP=1: logs left in $W"
        else
            rm -rf "$W"
        fi
    fi
    exit "$_rc"
}


# topo_down: ends whatever still runs in this run's namespaces (nginx
# workers, helpers, daemons: all started by this run) by pid, deletes the
# namespaces and forgets them and their servers, so that cleanup has
# nothing left there and a script can build another topology under the
# same names (t_check: traditional, then assistant).
topo_down() {
    for _ns in $E2E_NSES; do
        _left=$(ip netns pids "$_ns" 2> /dev/null)
        [ -n "$_left" ] || continue
        # shellcheck disable=SC2086 # one pid per word
        kill -TERM $_left 2> /dev/null
        for _pid in $_left; do
            wait_until 3 _proc_gone "$_pid" || kill -KILL "$_pid" 2> /dev/null
        done
    done
    for _ns in $E2E_NSES; do
        ip netns del "$_ns" 2> /dev/null
    done
    E2E_NSES=
    E2E_NGINX=
    E2E_REDIS=
}


# ---------------------------------------------------------------- recipes

# start_or_bail NAME DESC CMD...: runs CMD, a start that logs to
# $W/NAME.log (intercept_start, tcpcopy_start...); if it fails, shows the
# end of that log and bails out with DESC (what follows needs it).
start_or_bail() {
    _ub_name=$1
    _ub_desc=$2
    shift 2
    if ! "$@"; then
        show_log "$_ub_name"
        bail "$_ub_desc"
    fi
}

# up_or_bail NAME DESC CMD...: start_or_bail, then ok DESC.
up_or_bail() {
    start_or_bail "$@"
    ok "$2"
}

# servers_up SERVER...: starts each SERVER (nginx, redis) on the online host
# (named onl, ronl) and on the target (tgt, rtgt), the redis ones emptied;
# one ok line "nginx and redis on online host and target"; bails out if
# one does not start.
servers_up() {
    _su_what=
    for _su in "$@"; do
        case $_su in
        nginx)
            nginx_start "$NS_ONL" onl || bail "nginx on online host"
            nginx_start "$NS_TGT" tgt || bail "nginx on target"
            ;;
        redis)
            redis_start "$NS_ONL" ronl || bail "redis on online host"
            redis_start "$NS_TGT" rtgt || bail "redis on target"
            redis_reset ronl && redis_reset rtgt
            ;;
        esac
        _su_what="${_su_what:+$_su_what and }$_su"
    done
    ok "$_su_what on online host and target"
}

# replay_up PORT...: NFQUEUE rules and intercept on the target, then tcpcopy
# on the online host replaying PORT... to the target.  Reports ok lines;
# bails out if either daemon does not come up.
replay_up() {
    nfqueue_rules "$NS_TGT" "$@" || bail "NFQUEUE rules for $* on target"
    up_or_bail intercept "intercept listens on :$CTL_PORT" intercept_start
    up_or_bail tcpcopy "tcpcopy connected to intercept" \
        tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" "$@"
}

# http_replay_up TOOL...: the start most HTTP scripts share: skips unless
# root, nginx, TOOL... and both daemons are there, then the topology, nginx
# on the online host and the target, and replay_up 80 (TCPCOPY_ARGS and
# INTERCEPT_ARGS apply), with their ok lines; bails out if one fails.
http_replay_up() {
    e2e_require nginx "$@"
    e2e_require_daemons
    check "topology up" topo_up || bail "topology"
    servers_up nginx
    replay_up 80
}

# assist_intercept_up PORT...: intercept with the pcap input on the
# assistant (advanced architecture), capturing the target's replies from
# each PORT; ok line, or bails out.
assist_intercept_up() {
    _ai_f=
    for _ai_p in "$@"; do
        _ai_f="${_ai_f:+$_ai_f or }src port $_ai_p"
    done
    [ $# -gt 1 ] && _ai_f="($_ai_f)"
    up_or_bail intercept "intercept (pcap input) listens on the assistant" \
        intercept_pcap_start intercept "$NS_AST" "tcp and $_ai_f"
}

# assist_replay_up TCPCOPY_OPTS PORT...: replay_up for the advanced
# architecture: assist_intercept_up, then tcpcopy on the online host
# replaying PORT... to the target with -s the assistant and the extra
# options TCPCOPY_OPTS (may be empty; named in the ok line).
assist_replay_up() {
    _ar_opts=$1
    shift
    assist_intercept_up "$@"
    _ar_d="tcpcopy${_ar_opts:+ $_ar_opts} connected to the assistant's"
    ICP_ADDR=$AST_IP TCPCOPY_ARGS="$_ar_opts $TCPCOPY_ARGS" \
        up_or_bail tcpcopy "$_ar_d intercept" \
        tcpcopy_start tcpcopy "$NS_ONL" "$TGT_IP" "$@"
}

# daemon_stop NAME PID: SIGTERM; ok if it ends by itself with status 0.
# Then shows the end of its log (where the final ledger is).
daemon_stop() {
    if ! proc_alive "$2"; then
        wait "$2" 2> /dev/null
        not_ok "$1 still running before stop (it exited with $?)"
        show_log "$1" 30
        return 1
    fi
    proc_stop "$2" TERM 10
    _ended=$?
    wait "$2" 2> /dev/null
    _st=$?
    if [ "$_ended" = 0 ] && [ "$_st" = 0 ]; then
        ok "$1 stops on SIGTERM (exit 0)"
    else
        not_ok "$1 stops on SIGTERM (exit $_st, killed: $_ended)"
    fi
    show_log "$1" "${3:-12}"
}

# ledger_dump NAME PID: SIGUSR1 to a daemon, then waits until its log grew.
ledger_dump() {
    _before=$(wc -c < "$W/$1.log")
    kill -USR1 "$2" 2> /dev/null || return 1
    wait_until 3 _log_grew "$W/$1.log" "$_before"
}

_log_grew() {
    [ "$(wc -c < "$1")" -gt "$2" ]
}

# wrk_lua FILE PREFIX [DELAY_MS] [close]: writes a wrk script whose every
# request has a unique URI PREFIX<thread>/<n>; with DELAY_MS each
# connection waits that long before each request (pacing); with "close"
# every request carries "Connection: close" (one request a connection).
wrk_lua() {
    {
        echo 'local n = 0'
        echo 'local threads = 0'
        echo 'function setup(thread)'
        echo '    threads = threads + 1'
        echo '    thread:set("tid", threads)'
        echo 'end'
        if [ "${4:-}" = close ]; then
            echo 'wrk.headers["Connection"] = "close"'
        fi
        echo 'function request()'
        echo '    n = n + 1'
        echo "    return wrk.format(\"GET\", \"$2\" .. tid .. \"/\" .. n)"
        echo 'end'
        if [ "${3:-0}" != 0 ]; then
            echo "function delay() return $3 end"
        fi
    } > "$1"
}

# load_start URI_PREFIX: paced short-connection load in the background:
# wrk from the client, 4 connections, one request each ("Connection:
# close"), 20 ms apart, so about 4 x 1000/20 = 200 requests/s, for 10 s.
# Returns once the online nginx logged 300 of them; sets LOAD_PID.
load_start() {
    wrk_lua "$W/close.lua" "$1" 20 close
    e2e_bg "$NS_CLI" "$W/wrk.out" timeout 40 wrk -c 4 -t 1 -d 10s \
        --timeout 2s -s "$W/close.lua" "http://$ONL_IP/"
    LOAD_PID=$BG_PID
    wait_count 10 5 300 access_count onl || log "load slower than expected"
}

# load_end WHAT: waits for the load of load_start to end; ok "load ran
# across WHAT" if wrk succeeded and the online nginx logged more than 500
# requests (set in LOAD_N).
load_end() {
    wait_until 40 _proc_gone "$LOAD_PID"
    wait "$LOAD_PID"
    _le=$?
    sed 's/^/#   /' "$W/wrk.out"
    access_settle onl
    LOAD_N=$(access_count onl)
    if [ "$_le" = 0 ] && [ "$LOAD_N" -gt 500 ]; then
        ok "load ran across $1 (online $LOAD_N requests)"
    else
        not_ok "load ran across $1 (wrk exit $_le, online $LOAD_N)"
    fi
}

# intercept_outage DESC CMD...: under load, once the target has caught up
# with what the online host logged so far (T_SYNC), stops intercept
# ($INTERCEPT_PID) and keeps it away for 1 s, then starts it again with CMD
# (ok DESC, or bails out), checks that tcpcopy reconnects within 20 s and
# survived.  Sets T_SYNC, T_DOWN (intercept stopped) and T_CONN (tcpcopy
# reconnected), wall clock seconds as in nginx's $msec.
intercept_outage() {
    _io=$1
    shift
    # A loaded machine may be behind by more than any fixed margin: the
    # requests "before the outage" are those the target had before it.
    T_SYNC=$(now_s)
    wait_until 20 _target_has_until "$T_SYNC" ||
        log "target still behind online's $T_SYNC after 20 s"
    T_DOWN=$(now_s)
    proc_stop "$INTERCEPT_PID" TERM 10
    wait "$INTERCEPT_PID"
    log "intercept stopped (exit $?) at $T_DOWN," \
        "online had $(access_count onl)"
    show_log intercept 6
    # The outage itself: intercept stays away this long on purpose.
    sleep 1
    "$@" || bail "$_io"
    _io_up=$(now_s)
    ok "$_io"
    if wait_until 20 _has_conn "$NS_ONL" "dport = :$CTL_PORT"; then
        T_CONN=$(now_s)
        ok "tcpcopy reconnected to the new intercept"
    else
        T_CONN=$(now_s)
        not_ok "tcpcopy reconnected to the new intercept within 20 s"
    fi
    log "intercept down $T_DOWN, up $_io_up, tcpcopy reconnected $T_CONN"
    check "tcpcopy survived the intercept restart" proc_alive "$TCPCOPY_PID"
}

# _target_has_until T: the target logged every request online logged up to
# wall clock T.
_target_has_until() {
    requests onl 0 "$1" > "$W/until.onl"
    requests tgt > "$W/until.tgt"
    [ "$(comm -23 "$W/until.onl" "$W/until.tgt" | wc -l)" = 0 ]
}

# assert_outage_loss: after intercept_outage and load_end: waits for the
# target's nginx to log LOAD_N requests (or stop growing), asserts that it
# got every request the online one logged before the outage and after
# tcpcopy reconnected, and logs the loss in between as FIGURES.  Sets LOST.
assert_outage_loss() {
    wait_access tgt "$LOAD_N" 60 10
    _ol_t=$(access_count tgt)
    # Margin: sessions that began before tcpcopy reconnected may still be
    # mid-handshake; 1 s is far longer than one request takes here.
    _ol_after=$(add_s "$T_CONN" 1.0)
    requests onl "$_ol_after" > "$W/after.onl"
    requests tgt > "$W/all.tgt"
    requests onl > "$W/all.onl"
    assert_subset "$W/after.onl" "$W/all.tgt" \
        "target got every request sent after tcpcopy reconnected"
    # Requests the target had caught up with before intercept went away
    # must all be there.
    requests onl 0 "$T_SYNC" > "$W/before.onl"
    assert_subset "$W/before.onl" "$W/all.tgt" \
        "target got every request sent before intercept stopped"
    LOST=$(comm -23 "$W/all.onl" "$W/all.tgt" | wc -l)
    requests onl "$T_DOWN" "$_ol_after" > "$W/outage.onl"
    _ol_out=$(wc -l < "$W/outage.onl")
    _ol_lost=$(comm -23 "$W/outage.onl" "$W/all.tgt" | wc -l)
    log "FIGURES: online $LOAD_N, target $_ol_t, lost $LOST" \
        "($(pct "$LOST" "$LOAD_N")%); outage window" \
        "$(add_s "$_ol_after" "-$T_DOWN") s: $_ol_out requests online," \
        "$_ol_lost lost ($(pct "$_ol_lost" "$_ol_out")%)"
}

# ledger_max LOGFILE REGEX: the largest number that follows a ledger key
# matching REGEX (extended, case-insensitive) in "key=N" or "key: N" or
# "key N" form anywhere in LOGFILE; 0 if none.
ledger_max() {
    _v=$(grep -oiE "($2)[A-Za-z_.-]*[=:]? *[0-9]+" "$1" 2> /dev/null |
         grep -oE '[0-9]+$' | sort -n | tail -n 1)
    echo "${_v:-0}"
}

# datalink_fallback LOGFILE: the segments tcpcopy's datalink sender sent
# through the IP socket instead (its last "datalink sender: N segments"
# line in LOGFILE); 0 if it said none.
datalink_fallback() {
    _v=$(sed -n 's/.*datalink sender: \([0-9]*\) segments.*/\1/p' "$1" |
         tail -n 1)
    echo "${_v:-0}"
}

# add_s T DELTA: prints T + DELTA (seconds, 3 decimals).
add_s() {
    awk -v t="$1" -v d="$2" 'BEGIN { printf "%.3f\n", t + d }'
}

# pct PART WHOLE: PART as a percentage of WHOLE, one decimal.
pct() {
    awk -v p="$1" -v w="$2" 'BEGIN { printf "%.1f\n", w ? 100 * p / w : 0 }'
}
