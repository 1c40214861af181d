#!/usr/bin/env python3
"""What omniroute's Lua scripts cost inside Redis, per transition, without the services.

Drives the full life of interactions (submit -> classify -> enqueue + offer -> accept ->
complete) straight through the scripts, EVALSHA by EVALSHA, on a private redis-server, with the
bench's workload (one queue on chat, email and messaging; three keyword-rule skill
requirements; agents with capacity 50 per channel; 1,000 customers; idempotency keys). It runs
each transition as a phase of N calls and reports, per call: the Redis commands the script ran
(INFO commandstats, exact) and Redis's own time for it (noisy); with --callgrind also the
instructions redis-server executed (valgrind; repeatable whatever else the machine does).

The scripts come from a git revision (--rev, e.g. one from before a change) or from the work
tree (default), so before and after are measured by the same driver in one run:

  load-tests/script_cost.py --rev 38a8e12 --rev WORKTREE --callgrind
"""

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.environ.get('OMNIROUTE_SOURCE_DIR') or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICES = ('common', 'intake', 'classification', 'routing')
PREFIX = '{t:cost}'
CHANNELS = ('2', '3', '5')  # chat, email, messaging
RULE_SKILLS = ('{"billing":2}', '{"cards":2}', '{"access":2}', '{}')


class Redis:
    """The smallest RESP client that does: one socket, pipelined commands."""

    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port))
        self.buf = b''

    def _line(self):
        while b'\r\n' not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError('redis closed the connection')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(1 << 16)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b'+':
            return rest.decode()
        if kind == b'-':
            return RuntimeError(rest.decode())
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            return None if n < 0 else self._exact(n).decode()
        if kind == b'*':
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ValueError(f'bad reply {line!r}')

    def pipeline(self, cmds):
        out = bytearray()
        for cmd in cmds:
            out += b'*%d\r\n' % len(cmd)
            for a in cmd:
                a = str(a).encode()
                out += b'$%d\r\n%s\r\n' % (len(a), a)
        self.sock.sendall(out)
        replies = [self._reply() for _ in cmds]
        for r in replies:
            if isinstance(r, RuntimeError):
                raise r
        return replies

    def __call__(self, *cmd):
        return self.pipeline([cmd])[0]


def git_show(rev, path):
    return subprocess.run(['git', '-C', REPO, 'show', f'{rev}:{path}'], check=True,
                          capture_output=True, text=True).stdout


def git_files(rev, folder):
    out = subprocess.run(['git', '-C', REPO, 'ls-tree', '-r', '--name-only', rev, folder],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def scripts_at(rev):
    """{"routing/accept": source, ...} as the binaries of `rev` would embed them."""
    tmp = tempfile.mkdtemp(prefix='script-cost-')
    try:
        if rev == 'WORKTREE':
            files = [os.path.relpath(os.path.join(d, f), REPO)
                     for d, _, fs in os.walk(os.path.join(REPO, 'services')) for f in fs]
            read = lambda p: open(os.path.join(REPO, p), encoding='utf-8').read()  # noqa: E731
        else:
            files = git_files(rev, 'services')
            read = lambda p: git_show(rev, p)  # noqa: E731
        scripts = {}
        wanted = [f for f in files if re.match(r'services/(%s)/lua/[^/]+\.lua$' % '|'.join(SERVICES), f)]
        if 'services/common/lua/lib.lua' in files:  # before the include files: lib.lua prepended
            lib = read('services/common/lua/lib.lua')
            for f in wanted:
                name = f.split('/')[1] + '/' + os.path.basename(f)[:-4]
                scripts[name] = f'{lib}\n-- {name}.lua\n{read(f)}'
            return scripts
        inc = os.path.join(tmp, 'include')
        os.makedirs(inc)
        for f in files:
            if f.startswith('services/common/lua/include/'):
                with open(os.path.join(inc, os.path.basename(f)), 'w', encoding='utf-8') as out:
                    out.write(read(f))
        with open(os.path.join(tmp, 'lua_bundle.py'), 'w', encoding='utf-8') as out:
            out.write(read('services/common/redis/lua_bundle.py'))
        sys.path.insert(0, tmp)
        import importlib
        bundler = importlib.import_module('lua_bundle')
        importlib.reload(bundler)
        sys.path.pop(0)
        resolver = bundler.Resolver(inc)
        pairs = [(f.split('/')[1] + '/' + os.path.basename(f)[:-4], read(f)) for f in wanted]
        if hasattr(bundler, 'library'):  # a Functions library: FUNCTION LOAD once, then FCALL
            code, version = bundler.library(resolver, pairs)
            return {'library': code, 'functions': {name: bundler.function_name(name, version)
                                                   for name, _ in pairs}}
        for name, text in pairs:
            scripts[name] = resolver.bundle(name, text)[0]
        return scripts
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, callgrind, workdir, binary='redis-server'):
        self.port = free_port()
        self.workdir = workdir
        cmd = [binary, '--port', str(self.port), '--bind', '127.0.0.1', '--save', '',
               '--appendonly', 'no', '--dir', workdir]
        if callgrind:
            self.out = os.path.join(workdir, 'callgrind.out')
            cmd = ['valgrind', '--tool=callgrind', '--instr-atstart=no',
                   f'--callgrind-out-file={self.out}'] + cmd
        self.callgrind = callgrind
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            try:
                self.redis = Redis(self.port)
                self.redis('PING')
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError('redis-server did not start')
                time.sleep(0.1)

    def collect(self, on):
        if self.callgrind:
            subprocess.run(['callgrind_control', '-i', 'on' if on else 'off', str(self.proc.pid)],
                           check=True, capture_output=True)

    def instructions(self):
        """Instructions counted since the last call (callgrind dumps a part each time)."""
        before = set(os.listdir(self.workdir))
        subprocess.run(['callgrind_control', '-d', str(self.proc.pid)], check=True,
                       capture_output=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            new = [f for f in set(os.listdir(self.workdir)) - before if f.startswith('callgrind.out')]
            for f in new:
                text = open(os.path.join(self.workdir, f), encoding='utf-8').read()
                m = re.search(r'^totals: (\d+)', text, re.M)
                if m:
                    return int(m.group(1))
            time.sleep(0.2)
        raise RuntimeError('no callgrind dump appeared')

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def commandstats(r):
    out = {}
    for line in r('INFO', 'commandstats').splitlines():
        m = re.match(r'cmdstat_([^:]+):calls=(\d+),usec=(\d+)', line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out


class World:
    """The bench's tenant on one Redis, driven through the scripts of one revision."""

    def __init__(self, r, scripts, agents, seed):
        self.r, self.scripts = r, scripts
        # Since the batch scripts, submit, classify and enqueue take a batch per call.
        self.batched = 'submissions in the batch' in str(scripts.get('library', ''))
        # Revisions whose submit takes the caller's deadline (0 = none) before the submissions.
        self.submit_deadline = "the caller's deadline" in str(scripts.get('library', ''))
        if 'library' in scripts:
            r('FUNCTION', 'LOAD', scripts['library'])
            self.call = {name: ('FCALL', fn) for name, fn in scripts['functions'].items()}
        else:
            self.call = {name: ('EVALSHA', r('SCRIPT', 'LOAD', src))
                         for name, src in scripts.items()}
        self.rng = random.Random(seed)
        self.now = 1_800_000_000_000
        self.agents = [f'agent-{i:03d}' for i in range(agents)]
        self.seq = 0
        P = PREFIX
        r('XGROUP', 'CREATE', f'{P}:s:intake', 'classification', '0', 'MKSTREAM')
        r('XGROUP', 'CREATE', f'{P}:s:classified', 'routing', '0', 'MKSTREAM')
        self.eval('routing/put_queue', [f'{P}:qc:bench', f'{P}:queues'],
                  [P, 'bench', ','.join(CHANNELS), '{}', 20000, 60000, 'proto', self.now, 100000,
                   1, 0, 0, 0, 0, '', 1, '[]', ''])
        self.eval('routing/put_config', [f'{P}:cfg'],
                  ['proto', 120, 60, 30, 0, 3, '1', P, self.now, 100000, '{}', 60, 1800])
        caps = json.dumps({ch: 50 for ch in CHANNELS})
        skills = json.dumps({'billing': 3, 'cards': 3, 'access': 3})
        for a in self.agents:
            self.eval('routing/agent_state', [f'{P}:ag:{a}', f'{P}:events'],
                      [P, a, 'available', self.now, skills, caps, 100000, ''])

    def eval(self, name, keys, args):
        """Runs a script (EVALSHA) or its function (FCALL)."""
        return self.r(*self.call[name], len(keys), *keys, *args)

    def tick(self):
        self.now += 1
        return self.now

    def submit(self, n=1):
        P = PREFIX
        subs = []
        for _ in range(n):
            self.seq += 1
            ix_id = '%032x' % self.rng.getrandbits(128)
            key = f'idem-{self.seq}'
            fields = ['channel', self.rng.choice(CHANNELS), 'customer',
                      f'cust-{self.rng.randrange(1000)}', 'subject', 'a question about my card',
                      'body', 'hello', 'req_priority', 0, 'req_queue', '', 'pref', '']
            subs.append((ix_id, key, fields))
        if self.batched:
            args = [P, self.tick(), 100000, n] + ([0] if self.submit_deadline else [])
            for ix_id, key, fields in subs:
                args += [ix_id, key, 'fp', '', len(fields) // 2] + fields
            replies = self.eval('intake/submit', [f'{P}:s:intake', f'{P}:events'], args)
        else:
            replies = [self.eval('intake/submit', [f'{P}:ix:{ix_id}', f'{P}:idem:{key}',
                                                   f'{P}:s:intake', f'{P}:events'],
                                 [P, ix_id, key, 'fp', self.tick(), 100000, ''] + fields)
                       for ix_id, key, fields in subs]
        assert all(r[0] == 'created' for r in replies), replies

    def read(self, stream, group, n=1):
        reply = self.r('XREADGROUP', 'GROUP', group, 'cost', 'COUNT', n, 'STREAMS',
                       f'{PREFIX}:{stream}', '>')
        return [(entry_id, fields[fields.index('ix') + 1]) for entry_id, fields in reply[0][1]]

    def classify(self, n=1):
        P = PREFIX
        got = self.read('s:intake', 'classification', n)
        rows = [(entry, ix_id, self.rng.choice(RULE_SKILLS)) for entry, ix_id in got]
        if self.batched:
            args = [P, 'classification', self.tick(), 100000]
            for entry, ix_id, skills in rows:
                args += [ix_id, entry, 'billing', 2, skills, 'bench', 'billing', '', '0', 'rule',
                         '', '0', '']
            replies = self.eval('classification/classify',
                                [f'{P}:s:intake', f'{P}:s:classified', f'{P}:events'], args)
        else:
            replies = [self.eval('classification/classify',
                                 [f'{P}:ix:{ix_id}', f'{P}:s:intake', f'{P}:s:classified',
                                  f'{P}:events'],
                                 [P, ix_id, entry, 'classification', self.tick(), 100000, 'billing',
                                  2, skills, 'bench', 'billing', '', '0', 'rule', '', '0', ''])
                       for entry, ix_id, skills in rows]
        assert all(r == 'classified' for r in replies), replies

    def enqueue(self, n=1):
        P = PREFIX
        got = self.read('s:classified', 'routing', n)
        if self.batched:
            args = [P, 'routing', self.tick(), 100000, 86400]
            for entry, ix_id in got:
                args += [ix_id, entry]
            replies = self.eval('routing/enqueue', [f'{P}:s:classified', f'{P}:events'], args)
        else:
            replies = [self.eval('routing/enqueue', [f'{P}:ix:{ix_id}', f'{P}:s:classified',
                                                     f'{P}:events'],
                                 [P, ix_id, entry, 'routing', self.tick(), 100000, 86400])
                       for entry, ix_id in got]
        assert all(r == 'queued' for r in replies), replies
        return [ix_id for _, ix_id in got]

    def accept(self, ix_id):
        P = PREFIX
        agent = self.r('HGET', f'{P}:ix:{ix_id}', 'agent')
        reply = self.eval('routing/accept', [f'{P}:ix:{ix_id}', f'{P}:events'],
                          [P, ix_id, agent, self.tick(), 100000])
        assert reply[0] == 'ok', reply
        return agent

    def complete(self, ix_id, agent):
        P = PREFIX
        reply = self.eval('routing/complete', [f'{P}:ix:{ix_id}', f'{P}:events'],
                          [P, ix_id, agent, self.tick(), 100000, 86400])
        assert reply[0] == 'ok', reply


PHASES = ('submit', 'classify', 'enqueue', 'accept', 'complete')
DRIVER = {'accept': {'hget': 1}}  # the driver's own commands per item (its XREADGROUPs excluded too)


def measure(rev, args):
    scripts = scripts_at(rev)
    workdir = tempfile.mkdtemp(prefix='script-cost-redis-')
    server = Server(args.callgrind, workdir, args.redis_server)
    try:
        world = World(server.redis, scripts, args.agents, args.seed)
        results = {}
        for rnd in range(2):  # a warm-up round, then the measured one
            n = args.warmup if rnd == 0 else args.cycles
            ids, held = [], []
            for phase in PHASES:
                before = commandstats(server.redis)
                if rnd == 1:
                    server.collect(True)
                b = args.batch if world.batched else 1
                if phase == 'submit':
                    for i in range(0, n, b):
                        world.submit(min(b, n - i))
                elif phase == 'classify':
                    for i in range(0, n, b):
                        world.classify(min(b, n - i))
                elif phase == 'enqueue':
                    for i in range(0, n, b):
                        ids += world.enqueue(min(b, n - i))
                elif phase == 'accept':
                    held = [world.accept(ix_id) for ix_id in ids]
                else:
                    for ix_id, agent in zip(ids, held):
                        world.complete(ix_id, agent)
                if rnd == 1:
                    server.collect(False)
                    instructions = server.instructions() if args.callgrind else None
                    after = commandstats(server.redis)
                    calls = {k: after[k][0] - before.get(k, (0, 0))[0] for k in after}
                    usec = {k: after[k][1] - before.get(k, (0, 0))[1] for k in after}
                    calls.pop('info', None)
                    usec.pop('info', None)
                    for k, v in DRIVER.get(phase, {}).items():
                        calls[k] -= v * n
                    calls.pop('xreadgroup', None)
                    script_cmd = 'fcall' if 'library' in scripts else 'evalsha'
                    inside = sum(v for k, v in calls.items() if k != script_cmd) / n
                    results[phase] = {'commands': inside, 'evalsha_us': usec.get(script_cmd, 0) / n,
                                      'instructions': instructions and instructions / n,
                                      'top': sorted(((v / n, k) for k, v in calls.items()
                                                     if k != script_cmd and v > 0), reverse=True)}
        return results
    finally:
        server.stop()
        if args.keep_profile:
            os.makedirs(args.keep_profile, exist_ok=True)
            for f in os.listdir(workdir):
                if f.startswith('callgrind.out'):
                    shutil.copy(os.path.join(workdir, f), os.path.join(args.keep_profile, f))
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rev', action='append', help='git revision, or WORKTREE (default)')
    parser.add_argument('--cycles', type=int, default=300, help='measured life cycles')
    parser.add_argument('--warmup', type=int, default=100, help='life cycles before measuring')
    parser.add_argument('--agents', type=int, default=147)
    parser.add_argument('--batch', type=int, default=10,
                        help='submissions, classifications, enqueues per script call (batch scripts)')
    parser.add_argument('--seed', type=int, default=7)
    parser.add_argument('--redis-server', default='redis-server', help='redis-server to run')
    parser.add_argument('--keep-profile', help='copy the callgrind dumps to this folder')
    parser.add_argument('--callgrind', action='store_true',
                        help='run redis-server under valgrind and count its instructions')
    args = parser.parse_args(argv)
    revs = args.rev or ['WORKTREE']
    if args.callgrind and not shutil.which('valgrind'):
        print('script_cost: --callgrind needs valgrind', file=sys.stderr)
        return 1
    table = {rev: measure(rev, args) for rev in revs}
    head = f'{"transition":<10}' + ''.join(f'{rev[:12]:>38}' for rev in revs)
    print(f'== Redis cost per call, {args.cycles} life cycles, {args.agents} agents ==')
    print(head)
    print(f'{"":<10}' + ''.join(f'{"cmds":>10}{"script us":>12}{"instr k":>16}' for _ in revs))
    totals = {rev: [0, 0, 0] for rev in revs}
    for phase in PHASES:
        row = f'{phase:<10}'
        for rev in revs:
            p = table[rev][phase]
            instr = p['instructions']
            row += f'{p["commands"]:>10.1f}{p["evalsha_us"]:>12.1f}'
            row += f'{(instr / 1000 if instr else float("nan")):>16.1f}'
            totals[rev][0] += p['commands']
            totals[rev][1] += p['evalsha_us']
            totals[rev][2] += instr or 0
        print(row)
    row = f'{"total":<10}'
    for rev in revs:
        t = totals[rev]
        row += f'{t[0]:>10.1f}{t[1]:>12.1f}{(t[2] / 1000 if args.callgrind else float("nan")):>16.1f}'
    print(row)
    for rev in revs:
        for phase in PHASES:
            top = ', '.join(f'{k} {v:.1f}' for v, k in table[rev][phase]['top'][:8])
            print(f'{rev[:12]} {phase}: {top}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
