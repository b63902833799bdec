#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_opt into tests/fuzz/corpus/opt/.

Each file is one selector byte (the parser, see fuzz_opt.c: 0 number, 1
comma list, 2 tcpcopy -x, 3 tcpcopy -c, 4 intercept -D, 5 literal
endpoint, 6 log level) then an option's text, good and bad values taken
from the man pages and the unit tests.  Run it again after changing it
(the output is deterministic):
    python3 tests/fuzz/gen_opt_corpus.py
"""
from seedlib import write_corpus

# number: the selector's high bits pick the range and the wording
NUMBER, LIST, TRANSFER, ADDRMAP, NAT, ENDPOINT, LEVEL = range(7)

SEEDS = {
    "num_ok": (NUMBER | 1 << 3, "8080"),
    "num_zero": (NUMBER | 2 << 3, "0"),
    "num_big": (NUMBER | 4 << 3, "99999999999999999999"),
    "num_sign": (NUMBER | 1 << 3, "+5"),
    "num_space": (NUMBER | 3 << 3, " 5"),
    "num_suffix": (NUMBER | 1 << 3, "64MB"),
    "num_empty": (NUMBER, ""),
    "list_ok": (LIST, "a,bb,c"),
    "list_empty_items": (LIST, ",a,,b,"),
    "list_commas": (LIST, ",,,"),
    "list_stop": (LIST, "x,stop,y"),
    "transfer_ok": (TRANSFER, "80-10.0.0.5:8080"),
    "transfer_local": (TRANSFER, "192.0.2.1:443-10.0.0.5"),
    "transfer_v6_local": (TRANSFER, "2001:db8::1:80-10.0.0.5:81"),
    "transfer_v6_target": (TRANSFER, "80-[::1]:80"),
    "transfer_no_dash": (TRANSFER, "80"),
    "transfer_bad_port": (TRANSFER, "0-10.0.0.5:80"),
    "transfer_host": (TRANSFER, "80-target.example:80"),
    "transfer_long": (TRANSFER, "1" * 200 + "-10.0.0.5:80"),
    "addrmap_list": (ADDRMAP, "192.0.2.9,192.0.2.1"),
    "addrmap_cidr": (ADDRMAP, "10.77.1.0/24"),
    "addrmap_bad_prefix": (ADDRMAP, "10.0.0.0/33"),
    "addrmap_v6": (ADDRMAP, "::1"),
    "nat_ok": (NAT, "172.17.0.2-10.0.0.5"),
    "nat_ports": (NAT, "172.17.0.2:80-10.0.0.5:8080"),
    "nat_v6": (NAT, "[fd00::2]:80-[2001:db8::5]:80"),
    "nat_mixed": (NAT, "172.17.0.2-::1"),
    "nat_no_dash": (NAT, "172.17.0.2"),
    "endpoint_v4": (ENDPOINT, "127.0.0.1:9100"),
    "endpoint_v6": (ENDPOINT, "[::1]:36524"),
    "endpoint_name": (ENDPOINT, "localhost:80"),
    "level_name": (LEVEL, "warning"),
    "level_digit": (LEVEL, "7"),
    "level_bad": (LEVEL, "loud"),
}


def main():
    write_corpus("opt", {name: bytes([sel]) + text.encode()
                         for name, (sel, text) in SEEDS.items()})


if __name__ == "__main__":
    main()
