#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# python-files.py YNL_TOOLS: the files of this python3 that the kernel's ynl
# CLI (YNL_TOOLS/cli.py, YNL_TOOLS/lib/) needs, one path a line: the
# interpreter's startup modules, every module cli.py and its library import
# (PyYAML included), and what they import only when running, each with its
# compiled .pyc beside it where there is one. vm.sh copies them into the
# test VM's initramfs: a few MB, where the whole library would be 50.
import importlib
import importlib.util
import os
import sys

ynl = os.path.abspath(sys.argv[1])
sys.path.insert(0, ynl)

# cli.py's imports, then its library's; what they import when they run
# (argparse's help and errors, yaml's loading, the JSON output).
for m in ('argparse', 'json', 'pprint', 'time', 'lib', 'shutil', 'gettext',
          'encodings.ascii', 'encodings.latin_1', 'encodings.utf_8', 'encodings.idna',
          'yaml.loader', 'yaml.constructor', 'yaml.resolver', 'json.encoder',
          'json.decoder', 'locale', 'struct', 'socket', 'ipaddress', 'uuid',
          'collections.abc', 'textwrap', 'copy', 'weakref', 'datetime', 'base64', 'binascii'):
    importlib.import_module(m)

files = set()
for name, mod in list(sys.modules.items()):
    f = getattr(mod, '__file__', None)
    if not f or name == '__main__':
        continue
    if os.path.realpath(f).startswith(ynl + os.sep):
        continue  # the ynl tools themselves go in apart
    files.add(f)
    if f.endswith('.py'):
        pyc = importlib.util.cache_from_source(f)
        if os.path.exists(pyc):
            files.add(pyc)
# The landmark by which python finds its prefix.
stdlib = os.path.dirname(os.__file__)
files.add(os.path.join(stdlib, 'os.py'))
for f in sorted(files):
    print(f)
