#!/usr/bin/env python3
"""diff_dirty: shorthand for `diff_changes.py dirty` (see diff_changes.py)."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diff_changes  # noqa: E402

if __name__ == '__main__':
    sys.exit(diff_changes.main(sys.argv[1:], 'dirty'))
