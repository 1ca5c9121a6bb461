// The playground's trace is the command line's (ctest web:trace-identity): for every shipped
// scenario, with its own seed and with another, the WebAssembly module of the playground
// (build-wasm/web/tcpsim_web.js, the one inlined in the page) must produce the very bytes that
// the native `tcpsim run FILE --trace OUT` writes. Also checks that the module embeds exactly
// the shipped scenarios, byte for byte, and that a bad scenario's error keeps its position.
//
// Usage: node trace_identity.js MODULE TCPSIM SOURCE_DIR
// Exit 0 passed, 1 failed.
'use strict';
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const OTHER_SEED = '12345';

function fail(message) {
  console.error('web:trace-identity: FAILED: ' + message);
  process.exit(1);
}

function nativeTrace(tcpsim, file, seed, work) {
  const out = path.join(work, 'trace.jsonl');
  const args = ['run', file, '--trace', out];
  if (seed) args.push('--seed', seed);
  const run = childProcess.spawnSync(tcpsim, args, {encoding: 'utf8'});
  // 1: an expectation failed (another seed may change what a scenario shows); the trace is
  // still written. 2 and above: no trace.
  if (run.status !== 0 && run.status !== 1) {
    fail('tcpsim ' + args.join(' ') + ' exited ' + run.status + ': ' + run.stderr);
  }
  const bytes = fs.readFileSync(out);
  fs.unlinkSync(out);
  return {bytes: bytes, status: run.status};
}

function firstDifference(expected, actual) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); ++i) {
    if (a[i] !== b[i]) {
      return 'line ' + (i + 1) + ':\n  native: ' + a[i] + '\n  wasm:   ' + b[i];
    }
  }
  return 'no line differs (encoding?)';
}

async function main() {
  if (process.argv.length !== 5) {
    console.error('usage: node trace_identity.js MODULE TCPSIM SOURCE_DIR');
    process.exit(2);
  }
  const [modulePath, tcpsim, sourceDir] = process.argv.slice(2);
  const started = Date.now();
  const tcpsimModule = await require(path.resolve(modulePath))();
  const loaded = Date.now() - started;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpsim-web-'));
  try {
    const shipped = tcpsimModule.shippedScenarios();
    const onDisk = fs.readdirSync(path.join(sourceDir, 'scenarios'))
      .filter((name) => name.endsWith('.json')).sort();
    const embedded = shipped.map((entry) => path.basename(entry.file));
    if (JSON.stringify(onDisk) !== JSON.stringify(embedded)) {
      fail('the module embeds ' + embedded.join(', ') + '; scenarios/ has ' + onDisk.join(', '));
    }
    let runs = 0;
    for (const entry of shipped) {
      const file = path.join(sourceDir, entry.file);
      if (fs.readFileSync(file, 'utf8') !== entry.text) {
        fail(entry.file + ': the embedded text differs from the file');
      }
      for (const seed of ['', OTHER_SEED]) {
        const native = nativeTrace(tcpsim, file, seed, work);
        const result = tcpsimModule.run(entry.text, entry.file, seed, 'en', '');
        const where = entry.file + (seed ? ' --seed ' + seed : '');
        if (!result.ok) fail(where + ': the module reports ' + result.error.text);
        const wasm = Buffer.from(result.trace, 'utf8');
        if (!wasm.equals(native.bytes)) {
          fail(where + ': the traces differ at ' +
               firstDifference(native.bytes.toString('utf8'), result.trace));
        }
        // The verdict on the expectations is the command line's too.
        if ((result.failures.length === 0) !== (native.status === 0)) {
          fail(where + ': tcpsim exited ' + native.status + ', the module found ' +
               result.failures.length + ' failed expectations');
        }
        ++runs;
      }
    }
    // A syntax error keeps the loader's position: line and column of the offending character.
    const bad = tcpsimModule.run('{\n  "tcpsim": 1,\n  "name": x\n}\n', 'scenarios/bad.json', '',
                                 'en', '');
    if (bad.ok || bad.error.line !== 3 || bad.error.column !== 11 ||
        !bad.error.text.startsWith('scenarios/bad.json:3:11: error:')) {
      fail('the syntax error is reported as ' + JSON.stringify(bad.error));
    }
    console.log('web:trace-identity: passed: ' + runs + ' runs of ' + shipped.length +
                ' scenarios (their seed and ' + OTHER_SEED + ') byte-identical to tcpsim run ' +
                '--trace; module loaded in ' + loaded + ' ms');
  } finally {
    fs.rmSync(work, {recursive: true, force: true});
  }
}

main().catch((error) => fail(error.stack || String(error)));
