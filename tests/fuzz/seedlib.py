"""seedlib.py: what the gen_*_corpus.py scripts share.

write_corpus() puts a generated seed corpus on disk the same way for every
fuzz target, so each generator only says what its seeds are.
"""

import os
import sys


def write_corpus(target, files, max_len=None):
    """Writes files (name -> bytes) as the seed corpus of fuzz_<target>.

    The directory is the script's first argument, by default
    tests/fuzz/corpus/<target>/ (found from this file, so any working
    directory will do).  With max_len, every seed must be shorter than that
    (small seeds keep the fuzzer fast).
    """
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", target)
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(files.items()):
        assert max_len is None or len(data) < max_len, name
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d files to %s" % (len(files), out))
