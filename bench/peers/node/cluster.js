#!/usr/bin/env node
// A Node.js cluster serving the PreforkHttpd page (title, request headers in arrival order, PID,
// time): a peer for bench/prefork/run.sh. The primary forks the workers and restarts one that
// dies; each worker runs an `http` server on the shared port (Node's default scheduling on
// Linux: the primary accepts and hands connections round-robin to the workers; --sched none
// lets every worker accept on the shared socket itself, as NODE_CLUSTER_SCHED_POLICY=none does).
//
//   node cluster.js [PORT] [--workers N] [--max-requests N] [--sched rr|none]
//
// PORT defaults to 8888, N workers to the number of CPUs. Connections are persistent by default
// (Node's keep-alive) and close after a response when the client sends "Connection: close".
// --max-requests N closes a persistent connection after N requests (0, the default: no limit).
'use strict';

const cluster = require('node:cluster');
const http = require('node:http');
const os = require('node:os');

function parseArgs(argv) {
  const opts = { port: 8888, workers: os.cpus().length, maxRequests: 0, sched: null };
  const count = (name, value, min) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      console.error(`cluster.js: ${name} needs an integer >= ${min}, got '${value}'`);
      process.exit(2);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--workers') opts.workers = count(a, argv[++i], 1);
    else if (a === '--max-requests') opts.maxRequests = count(a, argv[++i], 0);
    else if (a === '--sched') {
      opts.sched = argv[++i];
      if (opts.sched !== 'rr' && opts.sched !== 'none') {
        console.error(`cluster.js: --sched needs 'rr' or 'none', got '${opts.sched}'`);
        process.exit(2);
      }
    } else if (a === '-h' || a === '--help') {
      console.log('Usage: node cluster.js [PORT] [--workers N] [--max-requests N] [--sched rr|none]');
      process.exit(0);
    } else if (/^\d+$/.test(a)) opts.port = count('PORT', a, 1);
    else {
      console.error(`cluster.js: unknown argument '${a}' (try --help)`);
      process.exit(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

const escapes = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' };
const escapeHtml = (s) => s.replace(/[<>&"]/g, (c) => escapes[c]);

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n) => String(n).padStart(2, '0');
// Perl's scalar(gmtime): "Sat Nov 21 20:45:39 2026".
function perlGmtime(d) {
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function page(req) {
  // rawHeaders keeps arrival order and spelling; a repeated field is one row, values joined by ", ".
  const rows = new Map();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i].toLowerCase();
    const row = rows.get(key);
    if (row) row.values.push(raw[i + 1]);
    else rows.set(key, { name: raw[i], values: [raw[i + 1]] });
  }
  let html = '<html><head><title>POE Pre-Forking Server Example</title></head><body><table border=1>';
  for (const { name, values } of rows.values()) {
    html += `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(values.join(', '))}</td></tr>`;
  }
  html += `<tr><td>PID</td><td>${process.pid}</td></tr>`;
  html += `<tr><td>time</td><td>${perlGmtime(new Date())} GMT</td></tr>`;
  return html + '</table></body></html>';
}

if (cluster.isPrimary) {
  if (opts.sched) cluster.schedulingPolicy = opts.sched === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
  for (let i = 0; i < opts.workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`cluster.js: worker ${worker.process.pid} exited (${signal || code}); starting another`);
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers)) process.kill(w.process.pid, 'SIGTERM');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} else {
  const server = http.createServer((req, res) => {
    const body = page(req);
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.maxRequestsPerSocket = opts.maxRequests;
  server.listen(opts.port, '127.0.0.1');
}
