#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# spec-check.py YNL_DIR: checks Documentation/netlink/specs/pc5sec.yaml
#   1. against the kernel's schema for its protocol (YNL_DIR, from
#      scripts/ynl.sh, holds Documentation/netlink/ and tools/net/ynl/);
#   2. against uapi/linux/pc5sec.h: the header ynl-gen-c.py --mode uapi
#      makes of the spec must have the same enums, member for member and
#      value for value, and its defines must be ours;
#   3. against kmod/netlink.c: each attribute's type and checks are its
#      policy's, read-only (NLA_REJECT) attributes are in no request, the
#      commands with do and dump are the kernel's ops, and the events are
#      the commands the module notifies.
# Nothing is listed here: an attribute, command or enum value added to the
# header or the policies and not to the spec (or the other way) fails.
import os
import re
import shutil
import subprocess
import sys

import jsonschema
import yaml

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(top, 'Documentation/netlink/specs/pc5sec.yaml')
HEADER = os.path.join(top, 'uapi/linux/pc5sec.h')
NETLINK_C = os.path.join(top, 'kmod/netlink.c')

errors = []


def err(msg):
    errors.append(msg)


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def c_eval(expr, names):
    expr = expr.strip()
    expr = re.sub(r'\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b', r'\1', expr)
    return eval(expr, {'__builtins__': {}}, names)


def parse_header(path):
    """The enums (name: {member: value}) and the defines of a C header."""
    text = strip_comments(open(path).read())
    defines = {}
    for m in re.finditer(r'^#define\s+(\w+)[ \t]+(.+?)\s*$', text, flags=re.M):
        name, val = m.group(1), m.group(2)
        if val.startswith('"'):
            defines[name] = val.strip('"')
            continue
        try:
            defines[name] = c_eval(val, dict(defines))
        except Exception:
            pass  # function-like or not a constant
    enums = {}
    names = dict(defines)
    for m in re.finditer(r'enum\s+(\w+)\s*\{(.*?)\}\s*;', text, flags=re.S):
        members, val = {}, 0
        for item in m.group(2).split(','):
            item = item.strip()
            if not item:
                continue
            if '=' in item:
                name, expr = (s.strip() for s in item.split('=', 1))
                val = c_eval(expr, names)
            else:
                name = item
            members[name] = val
            names[name] = val
            val += 1
        enums[m.group(1)] = members
    return enums, defines


def op_values(spec):
    """Each operation's value (the unified model), and the aliases: the
    operations whose value repeats an earlier one's (the events the module
    sends with the ID of the command that caused them), each with the
    command's name."""
    values, aliases, first, val = {}, {}, {}, 1
    for op in spec['operations']['list']:
        val = op.get('value', val)
        values[op['name']] = val
        if val in first:
            aliases[op['name']] = first[val]
        else:
            first[val] = op['name']
        val += 1
    return values, aliases


def check_schema(spec, ynl_dir):
    schema_path = os.path.join(ynl_dir, 'Documentation/netlink', spec['protocol'] + '.yaml')
    schema = yaml.safe_load(open(schema_path))
    try:
        jsonschema.validate(spec, schema)
    except jsonschema.ValidationError as e:
        err(f'schema {os.path.basename(schema_path)}: {e.message} at {list(e.absolute_path)}')
        return False
    return True


def gen_uapi(spec, ynl_dir, build):
    """ynl-gen-c.py's uapi header of the spec, in a tree as the kernel's,
    without the aliases (the header has one name per command ID)."""
    tree = os.path.join(build, 'tree')
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, 'Documentation/netlink/specs'))
    # ynl-gen-c.py looks up the tree for MAINTAINERS, and the schema beside specs/.
    open(os.path.join(tree, 'MAINTAINERS'), 'w').close()
    src = os.path.join(ynl_dir, 'Documentation/netlink')
    for f in os.listdir(src):
        if f.endswith('.yaml'):
            shutil.copy(os.path.join(src, f), os.path.join(tree, 'Documentation/netlink'))
    _, aliases = op_values(spec)
    spec = dict(spec, operations=dict(spec['operations'], list=[
        op for op in spec['operations']['list'] if op['name'] not in aliases]))
    first = open(SPEC).readline()
    path = os.path.join(tree, 'Documentation/netlink/specs/pc5sec.yaml')
    with open(path, 'w') as f:
        f.write(first + '\n' + yaml.safe_dump(spec, sort_keys=False))
    spec = path
    out = os.path.join(build, 'pc5sec.h')
    gen = os.path.join(ynl_dir, 'tools/net/ynl/ynl-gen-c.py')
    r = subprocess.run([sys.executable, gen, '--mode', 'uapi', '--header', '--spec', spec,
                        '-o', out], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        err(f'ynl-gen-c.py --mode uapi failed:\n{r.stdout}{r.stderr}')
        return None
    return out


def check_header(generated):
    gen_enums, gen_defines = parse_header(generated)
    our_enums, our_defines = parse_header(HEADER)
    for name in sorted(set(gen_enums) | set(our_enums)):
        if name not in our_enums:
            err(f'enum {name}: in the spec, not in {HEADER}')
            continue
        if name not in gen_enums:
            err(f'enum {name}: in the header, not in the spec')
            continue
        g, o = gen_enums[name], our_enums[name]
        for m in sorted(set(g) | set(o), key=lambda m: o.get(m, g.get(m))):
            if m not in g:
                err(f'enum {name}: {m} = {o[m]} is in the header, not in the spec')
            elif m not in o:
                err(f'enum {name}: {m} = {g[m]} is in the spec, not in the header')
            elif g[m] != o[m]:
                err(f'enum {name}: {m} is {o[m]} in the header, {g[m]} in the spec')
    for name, val in gen_defines.items():
        if name.startswith('_UAPI_'):
            continue
        if name not in our_defines:
            err(f'#define {name}: in the spec, not in the header')
        elif our_defines[name] != val:
            err(f'#define {name}: {our_defines[name]!r} in the header, {val!r} in the spec')
    return our_enums, our_defines


class SpecView:
    """The spec's attribute sets by C enum name, with values and limits."""

    def __init__(self, spec):
        self.spec = spec
        self.consts = {d['name']: d['value'] for d in spec.get('definitions', [])
                       if d['type'] == 'const'}
        self.sets = {}
        for s in spec['attribute-sets']:
            if 'subset-of' in s:
                continue
            attrs, val = {}, 1
            for a in s['attributes']:
                val = a.get('value', val)
                cname = (s['name-prefix'] + a['name']).upper().replace('-', '_')
                attrs[cname] = dict(a, value=val)
                val += 1
            self.sets[s['name']] = attrs
        self.set_of_attr = {c: n for n, attrs in self.sets.items() for c in attrs}

    def limit(self, v):
        return self.consts.get(v, v)

    def attr(self, cname):
        return self.sets[self.set_of_attr[cname]][cname]


def policy_entries(text, name):
    """[ATTR] = EXPR entries of the nla_policy array NAME."""
    m = re.search(r'nla_policy\s+' + name + r'\[[^]]*\]\s*=\s*\{(.*?)\n\};', text, flags=re.S)
    if not m:
        err(f'{NETLINK_C}: no policy {name}')
        return {}
    body = m.group(1)
    entries = {}
    parts = re.split(r'\[\s*(\w+)\s*\]\s*=', body)
    for i in range(1, len(parts), 2):
        entries[parts[i]] = ' '.join(parts[i + 1].split()).rstrip(',').strip()
    return entries


NLA_TYPES = {'NLA_U8': 'u8', 'NLA_U16': 'u16', 'NLA_U32': 'u32', 'NLA_U64': 'u64',
             'NLA_S8': 's8', 'NLA_S16': 's16', 'NLA_S32': 's32', 'NLA_S64': 's64',
             'NLA_FLAG': 'flag', 'NLA_NUL_STRING': 'string', 'NLA_STRING': 'string',
             'NLA_BINARY': 'binary'}
SIZEOF = {'sizeof(struct in_addr)': 4, 'sizeof(struct in6_addr)': 16}


def policy_expect(expr, text, defines, policy_sets):
    """What a policy entry says of its attribute: (type, checks) or 'reject'."""
    def val(v):
        v = v.strip()
        return SIZEOF[v] if v in SIZEOF else c_eval(v, defines)

    if '.type = NLA_REJECT' in expr:
        return 'reject'
    m = re.fullmatch(r'\{ \.type = (NLA_\w+)(?:, \.len = ([^,}]+))? \}', expr)
    if m:
        typ, checks = NLA_TYPES[m.group(1)], {}
        if m.group(1) == 'NLA_STRING':
            checks['unterminated-ok'] = True
        if m.group(2):
            checks['max-len'] = val(m.group(2))
        return typ, checks
    m = re.fullmatch(r'NLA_POLICY_(MAX|MIN)_LEN\((.+)\)', expr)
    if m:
        return 'binary', {m.group(1).lower() + '-len': val(m.group(2))}
    m = re.fullmatch(r'NLA_POLICY_RANGE\((NLA_\w+), ([^,]+), (.+)\)', expr)
    if m:
        return NLA_TYPES[m.group(1)], {'min': val(m.group(2)), 'max': val(m.group(3))}
    m = re.fullmatch(r'NLA_POLICY_(MAX|MIN)\((NLA_\w+), (.+)\)', expr)
    if m:
        return NLA_TYPES[m.group(2)], {m.group(1).lower(): val(m.group(3))}
    m = re.fullmatch(r'NLA_POLICY_EXACT_LEN\((.+)\)', expr)
    if m:
        return 'binary', {'exact-len': val(m.group(1))}
    m = re.fullmatch(r'NLA_POLICY_FULL_RANGE\((NLA_\w+), &(\w+)\)', expr)
    if m:
        r = re.search(r'netlink_range_validation\s+' + m.group(2) + r'\s*=\s*\{(.*?)\};',
                      text, flags=re.S)
        checks = {k: val(v) for k, v in re.findall(r'\.(min|max)\s*=\s*([^,}]+)', r.group(1))}
        return NLA_TYPES[m.group(1)], checks
    m = re.fullmatch(r'NLA_POLICY_NESTED\((\w+)\)', expr)
    if m:
        return 'nest', {'nested-attributes': policy_sets.get(m.group(1))}
    err(f'{NETLINK_C}: a policy entry this check cannot read: {expr}')
    return None


def check_policies(spec, defines):
    text = strip_comments(open(NETLINK_C).read())
    view = SpecView(spec)
    policies = {n: policy_entries(text, n)
                for n in re.findall(r'nla_policy\s+(\w+)\[', text)}
    # Which spec set each policy is: that of its attributes' enum.
    policy_sets = {}
    for n, entries in policies.items():
        sets = {view.set_of_attr.get(a) for a in entries}
        policy_sets[n] = sets.pop() if len(sets) == 1 else None

    rejected = set()
    for n, entries in policies.items():
        for cname, expr in entries.items():
            if cname not in view.set_of_attr:
                err(f'{n}: {cname} is not in the spec')
                continue
            want = policy_expect(expr, text, defines, policy_sets)
            a = view.attr(cname)
            if want == 'reject':
                rejected.add(a['name'] if policy_sets[n] == 'pc5sec' else cname)
                continue
            if want is None:
                continue
            typ, checks = want
            if a['type'] != typ:
                err(f'{cname}: {typ} in {n}, {a["type"]} in the spec')
            if typ == 'nest':
                if a.get('nested-attributes') != checks['nested-attributes']:
                    err(f'{cname}: nests {checks["nested-attributes"]} in {n}, '
                        f'{a.get("nested-attributes")} in the spec')
                continue
            spec_checks = {k: view.limit(v) for k, v in a.get('checks', {}).items()}
            # A range's min of 0 on an unsigned type is no check.
            if typ.startswith('u') and checks.get('min') == 0:
                del checks['min']
            if spec_checks != checks:
                err(f'{cname}: checks {checks} in {n}, {spec_checks} in the spec')

    # The ops: which commands have do and dump, and their policy's attributes.
    ops_body = re.search(r'genl_ops\s+\w+\[\]\s*=\s*\{(.*?)\n\};', text, flags=re.S).group(1)
    kernel_ops = {}
    macros = dict(re.findall(r'#define\s+(\w+)\(_cmd, _doit\)\s*\{\\?(.*?)\}\s*$', text,
                             flags=re.S | re.M))
    for m in re.finditer(r'(\w+)\((PC5SEC_CMD_\w+), \w+\)', ops_body):
        pol = re.search(r'\.policy\s*=\s*(\w+)', macros.get(m.group(1), ''))
        kernel_ops[m.group(2)] = ({'do'}, pol.group(1) if pol else None)
    for m in re.finditer(r'\{([^{}]*\.cmd\s*=\s*(PC5SEC_CMD_\w+)[^{}]*)\}', ops_body):
        modes = {'do'} if '.doit' in m.group(1) else set()
        if '.dumpit' in m.group(1):
            modes.add('dump')
        pol = re.search(r'\.policy\s*=\s*(\w+)', m.group(1))
        kernel_ops[m.group(2)] = (modes, pol.group(1) if pol else None)
    if 'GENL_UNS_ADMIN_PERM' not in ops_body:
        err(f'{NETLINK_C}: the ops are not GENL_UNS_ADMIN_PERM any more')

    notified = set(re.findall(r'pc5_nl_notify_\w+\([^;]*?(PC5SEC_CMD_\w+)', text, flags=re.S))
    for f in os.listdir(os.path.join(top, 'kmod')):
        if f.endswith('.c') and f != 'netlink.c':
            t = strip_comments(open(os.path.join(top, 'kmod', f)).read())
            notified |= set(re.findall(r'pc5_nl_notify_\w+\([^;]*?(PC5SEC_CMD_\w+)', t,
                                       flags=re.S))

    prefix = spec['operations']['name-prefix']
    _, aliases = op_values(spec)
    spec_ops, events = set(), set()
    for op in spec['operations']['list']:
        cname = (prefix + aliases.get(op['name'], op['name'])).upper().replace('-', '_')
        if 'event' in op or 'notify' in op:
            events.add(cname)
            if op.get('mcgrp') != 'monitor':
                err(f'{cname}: an event on {op.get("mcgrp")}, the kernel has one group, monitor')
        if op['name'] in aliases:
            if 'do' in op or 'dump' in op:
                err(f'{op["name"]}: repeats {aliases[op["name"]]}\'s value, yet is not only an event')
            continue
        spec_ops.add(cname)
        modes = {m for m in ('do', 'dump') if m in op}
        kmodes, kpol = kernel_ops.get(cname, (set(), None))
        if modes != kmodes:
            err(f'{cname}: {sorted(kmodes) or "no op"} in the kernel, '
                f'{sorted(modes) or "none"} in the spec')
        if modes and op.get('flags') != ['uns-admin-perm']:
            err(f'{cname}: the kernel needs uns-admin-perm, the spec says {op.get("flags")}')
        for mode in modes:
            for attr in (op[mode] or {}).get('request', {}).get('attributes', []):
                if attr in rejected:
                    err(f'{cname}: {attr} is read-only (NLA_REJECT), yet in the {mode} request')
                cattr = next((k for k, v in view.sets[op['attribute-set']].items()
                              if v['name'] == attr), None)
                if kpol and cattr not in policies.get(kpol, {}):
                    err(f'{cname}: {attr} is in the {mode} request, not in {kpol}')
    for cname in sorted(events ^ notified):
        err(f'{cname}: the module {"sends" if cname in notified else "never sends"} it '
            f'as an event, the spec {"says so" if cname in events else "does not"}')
    for cname in set(kernel_ops) - spec_ops:
        err(f'{cname}: a kernel op the spec lacks')

    groups = [g['name'] for g in spec['mcast-groups']['list']]
    kgroups = re.findall(r'\.name\s*=\s*(PC5SEC_MCGRP_\w+)', text)
    if groups != [defines.get(g) for g in kgroups]:
        err(f'multicast groups: {[defines.get(g) for g in kgroups]} in the kernel, {groups} in the spec')


def main():
    if len(sys.argv) != 2:
        print('usage: spec-check.py YNL_DIR (scripts/ynl.sh prints it)', file=sys.stderr)
        return 2
    ynl_dir = sys.argv[1]
    build = os.path.join(top, 'build', 'spec-check')
    os.makedirs(build, exist_ok=True)
    spec = yaml.safe_load(open(SPEC))
    checks = 0
    if check_schema(spec, ynl_dir):
        print(f'ok: {os.path.relpath(SPEC, top)} is valid {spec["protocol"]}')
        checks += 1
    generated = gen_uapi(spec, ynl_dir, build)
    if generated:
        n = len(errors)
        enums, defines = check_header(generated)
        names = dict(defines)
        for members in enums.values():
            names.update(members)
        if len(errors) == n:
            print(f'ok: ynl-gen-c.py --mode uapi matches {os.path.relpath(HEADER, top)}')
            checks += 1
        n = len(errors)
        check_policies(spec, names)
        if len(errors) == n:
            print(f'ok: types, checks, ops and events match {os.path.relpath(NETLINK_C, top)}')
            checks += 1
    for e in errors:
        print(f'spec-check: {e}', file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
